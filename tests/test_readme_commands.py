"""The README's command table names every ``madoguchi`` command of the project, each of its
sub-commands, and every option of the commands a new user starts with (demo, serve, tasks)."""

import argparse
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
COMMANDS = sorted(
    (p.parent.parent.parent.name, p.stem)
    for p in (REPO / "madoguchi").glob("*/management/commands/*.py")
    if not p.stem.startswith("_")
)
# Commands whose every option the table must show (the ones a new user meets first).
ALL_OPTIONS = {"demo", "serve", "tasks"}


def _rows() -> dict[str, str]:
    """command name → its row(s) of the README's command table."""
    readme = (REPO / "README.md").read_text("utf-8")
    table = readme.split("## Commands", 1)[1]
    rows: dict[str, str] = {}
    for line in table.splitlines():
        for name in re.findall(r"`madoguchi ([a-z][\w-]*)", line):
            rows[name] = rows.get(name, "") + line
    return rows


def _parser(app: str, name: str):
    module = importlib.import_module(f"madoguchi.{app}.management.commands.{name}")
    parser = argparse.ArgumentParser(prog=name)
    module.Command().add_arguments(parser)
    return parser


def _options_and_subcommands(parser) -> tuple[set[str], set[str]]:
    options, subs = set(), set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                subs.add(sub_name)
                sub_opts, _ = _options_and_subcommands(sub)
                options |= sub_opts
        else:
            options |= {o for o in action.option_strings if o.startswith("--") and o != "--help"}
    return options, subs


def test_commands_found():
    names = {n for _, n in COMMANDS}
    assert {"demo", "serve", "tasks", "register", "audit"} <= names


@pytest.mark.parametrize(("app", "name"), COMMANDS, ids=[n for _, n in COMMANDS])
def test_every_command_and_sub_command_is_in_the_table(app, name):
    rows = _rows()
    assert name in rows, f"README's command table has no `madoguchi {name}`"
    options, subs = _options_and_subcommands(_parser(app, name))
    missing = [s for s in sorted(subs) if not re.search(rf"\b{re.escape(s)}\b", rows[name])]
    assert not missing, f"`madoguchi {name}`: sub-commands missing from the README: {missing}"
    if name in ALL_OPTIONS:
        missing = [o for o in sorted(options) if o not in rows[name]]
        assert not missing, f"`madoguchi {name}`: options missing from the README: {missing}"
