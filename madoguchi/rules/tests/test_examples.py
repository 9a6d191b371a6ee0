"""Every worked example of madoguchi/rules/examples is a test: the same ids and persons,
from the Python API and from ``madoguchi determine --json``."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES_DIR, REPO
from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import determine

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.situation.yaml"))


def expected(path: Path) -> dict:
    return json.loads(
        path.with_name(path.name.replace(".situation.yaml", ".expected.json")).read_text()
    )


def ids_and_persons(result: dict) -> dict:
    return {p["id"]: sorted(p["persons"]) for p in result["procedures"]}


def test_examples_found():
    assert len(EXAMPLES) >= 9


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name.split(".")[0])
def test_example(path):
    situation = yaml.safe_load(path.read_text())
    result = determine(situation, demo_catalog())
    assert ids_and_persons(result) == expected(path)
    assert result["event"] == situation["event"]
    assert result["catalog"]["municipality"] == "demo"
    # every procedure the event can trigger is either applied or explained
    applied = {p["id"] for p in result["procedures"]}
    explained = {n["id"] for n in result["not_applicable"]}
    assert not applied & explained
    for p in result["procedures"]:
        assert p["because"], p["id"]
        assert len(p["because"]) == max(len(p["persons"]), 1)
    for n in result["not_applicable"]:
        assert n["because"]


def test_cli_matches_api_for_all_examples():
    proc = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "determine", *map(str, EXAMPLES), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and len(results) == len(EXAMPLES)
    for path, result in zip(EXAMPLES, results, strict=True):
        assert result == determine(yaml.safe_load(path.read_text()), demo_catalog())


def run_cli(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "determine", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_cli_single_file_prints_one_object_and_reads_stdin():
    path = EXAMPLES[0]
    one = run_cli(str(path), "--json")
    assert one.returncode == 0
    assert json.loads(one.stdout)["event"] == yaml.safe_load(path.read_text())["event"]
    piped = run_cli("-", "--json", stdin=path.read_text())
    assert piped.returncode == 0 and json.loads(piped.stdout) == json.loads(one.stdout)
    text = run_cli(str(path))
    assert text.returncode == 0 and "●" in text.stdout


def test_cli_invalid_situation_exits_2_with_nothing_on_stdout():
    bad = yaml.safe_load(EXAMPLES[0].read_text())
    bad["persons"][0]["sex"] = "x"
    proc = run_cli(str(EXAMPLES[1]), "-", "--json", stdin=json.dumps(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "persons[0].sex" in proc.stderr
    broken = run_cli("-", "--json", stdin="event: [unclosed")
    assert broken.returncode == 2 and broken.stdout == ""
    impossible = (  # an unquoted YAML date that does not exist is reported as a field too
        "event: move_in\nevent_date: 2027-04-01\n"
        "persons:\n  - {id: p1, relationship: head, birth_date: 1980-02-30, sex: male}\n"
    )
    proc = run_cli("-", "--json", stdin=impossible)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "persons[0].birth_date" in proc.stderr and "1980-02-30" in proc.stderr


def test_cli_visit_merges_files():
    paths = [EXAMPLES[0], EXAMPLES[1]]
    proc = run_cli(*map(str, paths), "--json", "--visit")
    assert proc.returncode == 0, proc.stderr
    merged = json.loads(proc.stdout)
    assert len(merged["events"]) == 2
    singles = [determine(yaml.safe_load(p.read_text()), demo_catalog()) for p in paths]
    assert {p["id"] for p in merged["procedures"]} == {
        p["id"] for r in singles for p in r["procedures"]
    }


def test_examples_are_the_v2_worked_examples_byte_for_byte():
    """Every example file has the sha256 listed in examples/SHA256SUMS (the v2 notes'),
    and every listed file exists: no expectation kept at an older spec."""
    import hashlib

    listed = {}
    for line in (EXAMPLES_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    files = sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.name.endswith((".yaml", ".json")))
    assert files == sorted(listed)
    assert len(files) == 2 * len(EXAMPLES)
    for name in files:
        assert hashlib.sha256((EXAMPLES_DIR / name).read_bytes()).hexdigest() == listed[name], name
