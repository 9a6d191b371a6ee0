"""The rules are a leaf: no module of madoguchi.rules imports Django (or django-ninja) or
another app of the project, at the top or inside a function. The catalog is an argument
of determine, never imported; the JSON Logic engine and its walkers are the rules' own."""

import ast
from pathlib import Path

import madoguchi.rules

RULES = Path(madoguchi.rules.__file__).resolve().parent
FORBIDDEN_ROOTS = ("django", "ninja")


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a module of the rules package."""
    package = "madoguchi." + ".".join(path.relative_to(RULES.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            out.append((node.lineno, name))
    return out


def test_rules_import_neither_django_nor_other_apps():
    offenders = []
    modules = [p for p in RULES.rglob("*.py") if "tests" not in p.relative_to(RULES).parts]
    assert len(modules) >= 8  # the walk sees the package
    for path in modules:
        for line, name in imports_of(path):
            root = name.split(".")[0]
            other_app = root == "madoguchi" and not (
                name == "madoguchi.rules" or name.startswith("madoguchi.rules.")
            )
            if root in FORBIDDEN_ROOTS or other_app:
                offenders.append(f"{path.relative_to(RULES.parent)}:{line}: {name}")
    assert offenders == []


def test_the_walk_resolves_relative_imports():
    """The test itself: a relative import of the catalog would be seen."""
    sample = RULES / "engine.py"
    names = {name for _line, name in imports_of(sample)}
    assert "madoguchi.rules.logic" in names and "madoguchi.rules.situation" in names


def test_witness_plan_lives_on_the_condition():
    """A household condition's witness plan is kept on the condition itself, so a newly
    loaded catalog never reuses the plan of a condition it replaced."""
    from madoguchi.catalog.loader import DEMO_DIR, load_catalog
    from madoguchi.rules.engine import _witness_plan
    from madoguchi.rules.logic import quantified

    first, second = load_catalog(DEMO_DIR), load_catalog(DEMO_DIR)
    household = [
        (cid, v)
        for cid, vs in first.conditions.items()
        for v in vs
        if v.scope == "event" and quantified(v.logic)
    ]
    assert household, "the demo catalog has household conditions over persons"
    for cid, cond in household:
        plan = _witness_plan(cond)
        assert len(plan) == len(quantified(cond.logic))
        assert cond.witness_plan is plan and _witness_plan(cond) is plan
        assert all(v.witness_plan is None for v in second.conditions[cid])
