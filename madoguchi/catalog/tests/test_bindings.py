"""Form field bindings (``from:`` paths) are checked at catalog load against a declared
vocabulary: a mistyped path is a CatalogError naming file and line, not an empty box."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from madoguchi.catalog.forms import (
    OTHER_PATHS,
    PERSON_CONTEXT_KEYS,
    PERSON_ROOTS,
    SCALARS,
    binding_problem,
)
from madoguchi.catalog.loader import DEMO_DIR, CatalogError, load_catalog
from madoguchi.rules.situation import PERSON_KEYS


@pytest.fixture
def cat_dir(tmp_path):
    target = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, target)
    return target


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


@pytest.mark.parametrize(
    "rel, good, bad",
    [
        ("forms/juminido/form.yaml", "member.kana", "member.kanna"),
        ("forms/_lib/fields.yaml", "person.address_after", "person.adress_after"),
        ("forms/juminido/form.yaml", "member.birth_date", "membr.birth_date"),
    ],
)
def test_a_mistyped_path_is_an_error_with_file_and_line(cat_dir, rel, good, bad):
    path = cat_dir / rel
    line = _line_of(path, f"from: {good}")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"from: {good}", f"from: {bad}", 1), encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(cat_dir)
    issues = [i for i in exc.value.issues if i.file == rel]
    assert [i.line for i in issues] == [line], exc.value
    assert bad.split(".")[1] in issues[0].message or bad.split(".")[0] in issues[0].message


def test_the_demo_forms_bind_only_known_paths():
    assert load_catalog(DEMO_DIR).forms
    assert binding_problem("person.name") is None
    assert binding_problem("situation.deceased") is None
    assert binding_problem("person.nmae")
    assert binding_problem(["person.name"])


def test_the_vocabulary_is_what_the_engine_builds():
    """Every path the vocabulary allows resolves in the context the documents engine
    builds for a worked example (so the check is neither too strict nor too loose)."""
    from conftest import EXAMPLES_DIR
    from madoguchi.documents.engine import bundle as B
    from madoguchi.rules import determine

    catalog = load_catalog(DEMO_DIR)
    situation = yaml.safe_load(
        (EXAMPLES_DIR / "move_in_family_of_four.situation.yaml").read_text(encoding="utf-8")
    )
    result = determine(situation, catalog)
    seen: dict = {}
    real_bind = B.Binder.bind

    def spy(self, spec, ctx, prefix=""):
        seen.setdefault("ctx", ctx)
        return real_bind(self, spec, ctx, prefix)

    B.Binder.bind = spy
    try:
        from madoguchi.documents.services import forms_of

        B.build_data(
            situation,
            result,
            forms_of(catalog.path),
            {"name": "", "code": ""},
            None,
            dt.date(2027, 4, 1),
        )
    finally:
        B.Binder.bind = real_bind
    ctx = seen["ctx"]
    person = ctx["person"]
    # optional keys of the situation contract appear when the situation gives them;
    # every register key and every derived key is always there
    optional = PERSON_KEYS - {"id", "relationship", "birth_date", "sex", "flags"}
    missing = sorted(k for k in PERSON_CONTEXT_KEYS if k not in person and k not in optional)
    assert missing == [], missing
    # and the other way: a key the engine adds to a person is declared (or forms cannot bind it)
    undeclared = sorted(k for k in person if k not in PERSON_CONTEXT_KEYS)
    assert undeclared == [], undeclared
    for root in PERSON_ROOTS - {"member", "deceased", "new_head", "spouse"}:
        assert isinstance(ctx[root], dict), root
    for root, keys in OTHER_PATHS.items():
        if root != "situation":
            assert keys <= set(ctx[root]), root
    assert SCALARS <= set(ctx)
