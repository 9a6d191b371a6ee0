"""JSON Logic as the rules use it: the one engine object, the walkers over a condition's
variables, and the analysis the catalog runs on every condition at load.

Pure: no Django, no catalog (the catalog imports this module, never the reverse).
"""

from __future__ import annotations

from typing import Any

import datalogic_py

from .facts import EVENT_FACTS, PERSON_FACTS

ENGINE = datalogic_py.Engine()
# Operators whose second argument is evaluated per item (``var`` there names a person fact).
ITERATORS = ("some", "none", "all", "filter", "map")
# The quantifiers over ``persons`` a household condition's witnesses are named from.
QUANTIFIERS = ("some", "filter", "all")


def walk_vars(logic: Any, scope: str, out: list[tuple[str, str]]) -> None:
    """Collect (scope, var path) pairs; scope 'top', 'person_item' or 'reduce'."""
    if isinstance(logic, list):
        for x in logic:
            walk_vars(x, scope, out)
        return
    if not isinstance(logic, dict):
        return
    for op, args in logic.items():
        if op == "var":
            path = args[0] if isinstance(args, list) and args else args
            out.append((scope, path if isinstance(path, str) else ""))
            if isinstance(args, list):
                walk_vars(args[1:], scope, out)
        elif op in ITERATORS and isinstance(args, list) and len(args) == 2:
            walk_vars(args[0], scope, out)
            walk_vars(args[1], "person_item", out)
        elif op == "reduce" and isinstance(args, list) and len(args) == 3:
            walk_vars(args[0], scope, out)
            walk_vars(args[1], "reduce", out)
            walk_vars(args[2], scope, out)
        else:
            walk_vars(args, scope, out)


def var_paths(logic: Any) -> set[str]:
    """Every ``var`` path a piece of logic reads, at any depth and in any scope."""
    refs: list[tuple[str, str]] = []
    walk_vars(logic, "top", refs)
    return {path for _scope, path in refs}


def quantified(logic: Any) -> list[Any]:
    """The predicates a household condition applies to each person (``some``/``filter``/
    ``all`` over ``persons``), in the order written."""
    out: list[Any] = []
    if isinstance(logic, list):
        for x in logic:
            out += quantified(x)
    elif isinstance(logic, dict):
        for op, args in logic.items():
            if (
                op in QUANTIFIERS
                and isinstance(args, list)
                and len(args) == 2
                and args[0] == {"var": "persons"}
            ):
                out.append(args[1])
            else:
                out += quantified(args)
    return out


def analyse_logic(logic: Any) -> tuple[list[str], frozenset, str]:
    """Return (problems, person facts read, scope) of a condition's JSON Logic."""
    problems: list[str] = []
    try:
        diags = ENGINE.check(logic)
    except Exception as exc:  # noqa: BLE001 - the engine's own parse error
        return [f"JSON Logic として読めません: {exc}"], frozenset(), "person"
    for dg in diags:
        if dg["severity"] == "error":
            problems.append(f"JSON Logic の誤り（{dg['pointer'] or '/'}）: {dg['message']}")
    refs: list[tuple[str, str]] = []
    walk_vars(logic, "top", refs)
    reads: set[str] = set()
    scope = "event"
    for where, path in refs:
        head, _, rest = path.partition(".")
        if where == "person_item":
            name = path
            if name not in PERSON_FACTS:
                problems.append(f"人の事実 {name!r} は定義されていません")
            else:
                reads.add(name)
        elif where == "reduce":
            if head not in ("accumulator", "current"):
                problems.append(f"reduce の中では accumulator と current だけが使えます: {path!r}")
        elif head == "person":
            scope = "person"
            if rest not in PERSON_FACTS:
                problems.append(f"人の事実・フラグ {rest!r} は定義されていません")
            else:
                reads.add(rest)
        elif head == "event":
            if rest not in EVENT_FACTS:
                problems.append(f"届出の事実 {rest!r} は定義されていません")
            else:
                reads.add(path)
        elif path == "persons":
            pass
        else:
            problems.append(f"変数 {path!r} は使えません（person.…, event.…, persons のいずれか）")
    return problems, frozenset(reads), scope
