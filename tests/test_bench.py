"""bench/ runs with the product's install plus what bench/README.md names: no script
imports conftest, a test module or a test-only package; README lists every script and
bench/smoke (run by .ci/run without the test extras) starts every one."""

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
TEST_ONLY = {"conftest", "pytest", "pytest_django", "hypothesis", "pypdfium2"}


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return (
        parts[0] in TEST_ONLY
        or "tests" in parts
        or any(p.startswith("test_") or p == "conftest" for p in parts)
    )


def test_no_bench_script_imports_tests_or_test_only_packages():
    scripts = sorted(BENCH.glob("*.py"))
    assert scripts
    bad = {
        p.name: [m for m in _imported_modules(p) if _is_test_module(m)]
        for p in scripts
        if any(_is_test_module(m) for m in _imported_modules(p))
    }
    assert not bad, f"bench scripts importing test code: {bad}"
    # Nor loads the tests' conftest.py by path.
    assert not [p.name for p in scripts if "conftest" in p.read_text("utf-8")]


def test_bench_readme_lists_every_script():
    readme = (BENCH / "README.md").read_text("utf-8")
    missing = [p.name for p in sorted(BENCH.glob("*.py")) if f"`{p.name}`" not in readme]
    assert not missing, f"bench/README.md does not list {missing}"


def test_bench_smoke_runs_every_script():
    smoke = (BENCH / "smoke").read_text("utf-8")
    scripts = [p.name for p in sorted(BENCH.glob("*.py")) if p.name != "browser.py"]
    missing = [name for name in scripts if f"run {name}" not in smoke]
    assert not missing, f"bench/smoke does not run {missing}"
