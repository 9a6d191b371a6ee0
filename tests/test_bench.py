"""bench/ runs with the product's install plus what bench/README.md names: no script
imports conftest, a test module or a test-only package; README lists every script and
bench/smoke (run by .ci/run without the test extras) starts every one."""

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
TEST_ONLY = {"conftest", "pytest", "pytest_django", "hypothesis", "pypdfium2"}
# Modules the scripts share, not scripts: bench/smoke does not run them, README lists them.
HELPERS = {"browser.py", "benchdb.py"}


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
    scripts = [p.name for p in sorted(BENCH.glob("*.py")) if p.name not in HELPERS]
    missing = [name for name in scripts if f"run {name}" not in smoke]
    assert not missing, f"bench/smoke does not run {missing}"


def test_helpers_are_modules_and_scripts_are_scripts():
    """A helper is imported, never run: no ``__main__`` block (else smoke should run it);
    every other file is a script with one. Both kinds are listed in bench/README.md."""
    main_block = 'if __name__ == "__main__":'
    files = {p.name: p.read_text("utf-8") for p in sorted(BENCH.glob("*.py"))}
    assert HELPERS <= set(files)
    runnable_helpers = [name for name in HELPERS if main_block in files[name]]
    assert not runnable_helpers, f"helpers with a __main__ block: {runnable_helpers}"
    not_scripts = [n for n, text in files.items() if n not in HELPERS and main_block not in text]
    assert not not_scripts, f"neither a script nor a listed helper: {not_scripts}"
    smoke = (BENCH / "smoke").read_text("utf-8")
    assert not [name for name in HELPERS if f"run {name}" in smoke]


def test_bench_database_set_up_lives_in_benchdb_only():
    """Dropping and creating a bench database is written once (bench/benchdb.py)."""
    writers = sorted(
        p.name
        for p in BENCH.glob("*.py")
        if "DROP DATABASE" in p.read_text("utf-8").upper() and p.name != "benchdb.py"
    )
    assert not writers, f"bench scripts dropping databases themselves: {writers}"
