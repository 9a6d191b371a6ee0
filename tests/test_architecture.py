"""The apps' import graph, derived from the code (AST), follows the dependency order that
docs/architecture.md draws: an app imports only apps below it, so there is no cycle.
Tests and migrations are not part of the graph; imports inside functions are."""

import ast
import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "madoguchi"
ORDER_LINE = re.compile(r"^Dependency order \(bottom first\): (.+)$", re.M)


def apps() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and any(p.glob("*.py")) and p.name != "locale"
    )


def documented_order() -> list[str]:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    m = ORDER_LINE.search(text)
    assert m, "docs/architecture.md states the dependency order"
    return re.findall(r"`(\w+)`", m[1])


def import_graph() -> dict[str, dict[str, list[str]]]:
    """app → imported app → ["file:line", …]"""
    known = set(apps())
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) < 2 or {"tests", "migrations"} & set(rel.parts):
            continue
        app, package = rel.parts[0], ["madoguchi", *rel.parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    names = [".".join([*base, node.module] if node.module else base)]
                else:
                    names = [node.module or ""]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "madoguchi" and len(parts) > 1 and parts[1] in known:
                    if parts[1] != app:
                        graph[app][parts[1]].append(f"{rel}:{node.lineno}")
    return graph


def test_every_app_has_its_place_in_the_documented_order():
    order = documented_order()
    assert sorted(order) == apps()
    assert order[0] == "core", "core is at the bottom"


def test_apps_import_only_apps_below_them():
    order = documented_order()
    rank = {app: i for i, app in enumerate(order)}
    upward = [
        f"{app} → {dep} ({where[0]})"
        for app, deps in import_graph().items()
        for dep, where in deps.items()
        if rank[dep] >= rank[app]
    ]
    assert upward == []


def test_the_graph_is_read_from_the_code():
    """The test itself: the walk sees known edges (counter uses the rules and the register)."""
    graph = import_graph()
    assert "rules" in graph["counter"] and "register" in graph["counter"]
    assert not graph["rules"] and not graph["core"]


def model_lookups(source: str) -> list[tuple[str, int]]:
    """(app label, line) of every model or app looked up by name in ``source``:
    ``apps.get_model("counter", "Ticket")``, ``get_model("counter.Ticket")``,
    ``apps.get_app_config("counter")`` — a dependency the import graph does not show."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if name in ("get_model", "get_app_config", "get_registered_model") and (
            isinstance(first, ast.Constant) and isinstance(first.value, str)
        ):
            out.append((first.value.split(".")[0], node.lineno))
    return out


def test_apps_look_up_no_model_of_an_app_above_them():
    """Reading an upper app's table by name is the same upward dependency as importing
    it (analytics used to read the counter's tickets so): an upper app pushes or
    registers what a lower one needs instead (``analytics.sources``)."""
    rank = {app: i for i, app in enumerate(documented_order())}
    upward = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) < 2 or {"tests", "migrations"} & set(rel.parts):
            continue
        app = rel.parts[0]
        for label, line in model_lookups(path.read_text(encoding="utf-8")):
            if label in rank and rank[label] > rank[app]:
                upward.append(f"{app} → {label} ({rel}:{line})")
    assert upward == []


def test_the_model_lookups_are_read_from_the_code():
    code = (
        "from django.apps import apps\n"
        "def f():\n"
        "    a = apps.get_model('counter', 'Ticket')\n"
        "    b = apps.get_model('tasks.Task')\n"
        "    return apps.get_app_config('certificates'), a, b\n"
    )
    found = sorted(model_lookups(code), key=lambda x: x[1])
    assert found == [("counter", 3), ("tasks", 4), ("certificates", 5)]
