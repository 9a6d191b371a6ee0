"""Catalog validation (file, line, message), versioning, export round trip, DB load."""

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from madoguchi.catalog.loader import (
    DEMO_DIR,
    CatalogError,
    canonical,
    demo_catalog,
    export_catalog,
    load_catalog,
)
from madoguchi.rules import determine

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def cat_dir(tmp_path):
    target = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def issues(cat_dir) -> list:
    with pytest.raises(CatalogError) as info:
        load_catalog(cat_dir)
    return info.value.issues


PROCEDURE_TABLE = Path(__file__).with_name("data") / "procedures.tsv"


def procedure_table() -> list[tuple[str, str, str, str]]:
    """(id, name, department, events) rows of the domain notes' procedure table (spec v2),
    kept as test data."""
    lines = PROCEDURE_TABLE.read_text(encoding="utf-8").splitlines()
    rows = [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]
    assert rows[0] == ("id", "name", "department", "events")
    return rows[1:]


def test_demo_catalog_holds_exactly_the_procedures_of_the_table():
    cat = demo_catalog()
    table = procedure_table()
    listed = {pid for pid, *_ in table}
    assert len(listed) == 77
    assert set(cat.procedures) == listed  # exactly: nothing missing, nothing extra
    assert len(cat.departments) == 12
    for pid, name, dept, events in table:
        for v in cat.procedures[pid]:  # every version
            assert v.department == dept, (pid, v.department, dept)
            shown = {t.name or v.name for e in events.split() for t in v.triggers if t.for_event(e)}
            assert shown, (pid, events, "no trigger for the section's events")
            assert name in shown, (pid, events, name, shown)
    for p in cat.procedures.values():
        v = p[-1]
        assert v.department in cat.departments
        assert v.forms or v.no_form
    assert cat.department("citizen").place


def test_unknown_key_is_reported_with_file_and_line(cat_dir):
    f = cat_dir / "procedures" / "tax.yaml"
    edit(f, "    legal_basis: 地方税法 300条", "    legal_basis: 地方税法 300条\n    dedline: 14")
    [issue] = issues(cat_dir)
    assert issue.file == "procedures/tax.yaml"
    assert issue.line == line_of(f, "dedline")
    assert "dedline" in issue.message


def test_unknown_fact_flag_condition_and_department(cat_dir):
    rules = cat_dir / "rules.yaml"
    edit(rules, "logic: {var: person.wants_seal}", "logic: {var: person.wants_seel}")
    edit(rules, "logic: {var: event.same_prefecture}", "logic: {var: event.same_pref}")
    proc = cat_dir / "procedures" / "housing.yaml"
    edit(proc, "when: [moves, housing_tenant]", "when: [moves, housing_tenent]")
    edit(proc, "department: housing", "department: housingg")
    found = issues(cat_dir)
    by_msg = {i.message: i for i in found}
    assert len(found) == 4, found
    seal = next(i for i in found if "wants_seel" in i.message)
    assert (seal.file, seal.line) == ("rules.yaml", line_of(rules, "wants_seel"))
    pref = next(i for i in found if "same_pref" in i.message)
    assert pref.line == line_of(rules, "event.same_pref}")
    cond = next(i for i in found if "housing_tenent" in i.message)
    assert (cond.file, cond.line) == ("procedures/housing.yaml", line_of(proc, "housing_tenent"))
    assert any("housingg" in m for m in by_msg)


def test_rule_that_does_not_parse(cat_dir):
    rules = cat_dir / "rules.yaml"
    edit(rules, "logic: {var: person.pregnant}", "logic: {pregnant_op: [{var: person.pregnant}]}")
    [issue] = issues(cat_dir)
    assert issue.line == line_of(rules, "pregnant_op")
    assert "JSON Logic" in issue.message


def test_question_that_sets_no_known_fact(cat_dir):
    q = cat_dir / "questions.yaml"
    edit(q, "asks: dog_owner", "asks: has_cat")
    [issue] = issues(cat_dir)
    assert (issue.file, issue.line) == ("questions.yaml", line_of(q, "has_cat"))


def test_unknown_procedure_and_form(cat_dir):
    rules = cat_dir / "rules.yaml"
    edit(rules, "when_person_also_gets: nhi.enroll", "when_person_also_gets: nhi.enrol")
    proc = cat_dir / "procedures" / "environment.yaml"
    edit(proc, "forms: [dog_change]", "forms: [dog_form]")
    found = issues(cat_dir)
    assert len(found) == 2
    assert any("nhi.enrol" in i.message and i.file == "rules.yaml" for i in found)
    assert any("dog_form" in i.message and i.line == line_of(proc, "dog_form") for i in found)


def test_no_form_or_forms_required(cat_dir):
    proc = cat_dir / "procedures" / "housing.yaml"
    edit(proc, "    no_form: 所管課で受付（様式なし）\n", "")
    edit(proc, ', no_form: "Handled by the department in charge (no form)"}', "}")
    [issue] = issues(cat_dir)
    assert "no_form" in issue.message and issue.file == "procedures/housing.yaml"


def test_counter_completion_is_true_or_false_per_version(cat_dir):
    """What the counter may complete is a per-version flag of the department's file."""
    proc = cat_dir / "procedures" / "insurance.yaml"
    edit(proc, "    counter_completion: true\n", "    counter_completion: yes please\n")
    [issue] = issues(cat_dir)
    assert issue.file == "procedures/insurance.yaml" and "counter_completion" in issue.message
    assert issue.line == line_of(proc, "counter_completion: yes please")
    demo = load_catalog(DEMO_DIR)
    assert demo.procedure("nhi.enroll").counter_completion
    assert not demo.procedure("registry.move_in").counter_completion
    seal = demo.procedures["seal.register"]
    assert [v.counter_completion for v in seal] == [False, True]  # from 2020-03-27


def test_english_texts_must_match_the_japanese(cat_dir):
    proc = cat_dir / "procedures" / "housing.yaml"
    edit(proc, 'bring: ["Keys of the dwelling"]', 'bring: ["Keys", "Card"]')
    [issue] = issues(cat_dir)
    assert "bring" in issue.message and issue.line == line_of(proc, "Leaving municipal")
    edit(proc, 'bring: ["Keys", "Card"]', 'bring: ["Keys"], color: red')
    [issue] = issues(cat_dir)
    assert "color" in issue.message


def test_yaml_syntax_error_names_the_line(cat_dir):
    f = cat_dir / "events.yaml"
    edit(f, "  - {id: birth, name: 出生", "  - {id: birth, name: [出生")
    [issue] = issues(cat_dir)
    assert issue.file == "events.yaml" and issue.line >= line_of(f, "[出生")


def test_versions_overlap_and_gap(cat_dir):
    f = cat_dir / "procedures" / "housing.yaml"
    text = f.read_text(encoding="utf-8")
    block = text[text.index("  - id: housing.tenant_change") :]
    v2 = block.replace("valid_from: 2016-01-01", "valid_from: 2028-04-01")
    edit(f, "valid_from: 2016-01-01", "valid_from: 2016-01-01\n    valid_to: 2028-03-31")
    f.write_text(f.read_text(encoding="utf-8") + v2, encoding="utf-8")
    cat = load_catalog(cat_dir)  # contiguous versions load
    assert [v.valid_from for v in cat.procedures["housing.tenant_change"]] == [
        date(2016, 1, 1),
        date(2028, 4, 1),
    ]
    edit(f, "valid_to: 2028-03-31", "valid_to: 2028-04-01")
    [issue] = issues(cat_dir)
    assert "重なって" in issue.message
    edit(f, "valid_to: 2028-04-01", "valid_to: 2028-03-01")
    [issue] = issues(cat_dir)
    assert "空白" in issue.message


def test_parameter_versions_apply_by_event_date():
    """児童手当 (child_allowance_age_limit): 15 until 2024-09-30, 18 from 2024-10-01;
    子ども医療 (child_medical_age_limit): 18 whatever the date."""
    cat = demo_catalog()
    s = {
        "event": "move_in",
        "event_date": "2024-09-30",
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1980-01-01", "sex": "female"},
            {"id": "p2", "relationship": "child", "birth_date": "2008-06-01", "sex": "male"},
        ],
    }
    before = determine(s, cat)
    after = determine({**s, "event_date": "2024-10-01"}, cat)
    got = lambda r, pid: [p["persons"] for p in r["procedures"] if p["id"] == pid]  # noqa: E731
    # aged 16 (high school): outside the 15-rule before 2024-10-01, inside the 18-rule after
    assert got(before, "child_allowance.claim") == []
    assert got(after, "child_allowance.claim") == [["p1"]]
    assert got(before, "child_medical.apply") == got(after, "child_medical.apply") == [["p2"]]
    assert before["catalog"]["version"] == "2024-05-27"
    assert after["catalog"]["version"] == "2024-10-01"


def test_catalog_versions_are_the_dates_of_the_law():
    cat = demo_catalog()
    versions = sorted({cat.at(d).version for d in _days(date(2016, 1, 1), date(2027, 12, 31))})
    assert versions == [
        "2016-01-01",  # the catalog's start
        "2019-02-01",  # 国民年金 産前産後期間の免除
        "2020-03-27",  # 成年被後見人の印鑑登録
        "2023-11-01",  # 国保 産前産後期間の保険料減額
        "2024-05-27",  # マイナンバーカードの国外継続利用
        "2024-10-01",  # 児童手当 18歳到達後の年度末まで
        "2025-04-01",  # 妊婦のための支援給付
    ]
    for v in versions[1:]:  # each starts on its day, not the day before
        day = date.fromisoformat(v)
        assert cat.at(day).version == v
        assert cat.at(day - timedelta(days=1)).version < v


def _days(start, end):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=30)
    yield end


def test_deadline_in_months_and_from_a_detail(cat_dir):
    f = cat_dir / "procedures" / "citizen.yaml"
    edit(f, "deadline: {months: 3,", "deadline: {months: 0,")
    [issue] = issues(cat_dir)
    assert "months" in issue.message and issue.line == line_of(f, "months: 0")
    edit(f, "deadline: {months: 0,", "deadline: {months: 3, from: divorce_date,")
    [issue] = issues(cat_dir)
    assert "from" in issue.message and issue.line == line_of(f, "from: divorce_date")


def test_export_round_trip(tmp_path):
    cat = demo_catalog()
    export_catalog(cat, tmp_path / "out")
    again = load_catalog(tmp_path / "out")
    assert canonical(again) == canonical(cat)
    export_catalog(again, tmp_path / "out2")
    assert canonical(load_catalog(tmp_path / "out2")) == canonical(cat)
    assert (tmp_path / "out" / "procedures" / "citizen.yaml").read_text(encoding="utf-8") == (
        tmp_path / "out2" / "procedures" / "citizen.yaml"
    ).read_text(encoding="utf-8")


def test_check_command_exit_2_with_lines(cat_dir):
    f = cat_dir / "departments.yaml"
    edit(f, "    place: 本庁舎3階 住宅課", "    place: 本庁舎3階 住宅課\n    floor: 3")
    proc = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "catalog", "check", str(cat_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"departments.yaml:{line_of(f, 'floor: 3')}:" in proc.stderr
    assert proc.stdout == ""
    ok = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "catalog", "check", str(DEMO_DIR)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert ok.returncode == 0 and "OK" in ok.stdout


@pytest.mark.django_db
def test_load_into_db_all_or_nothing(cat_dir):
    from madoguchi.catalog.models import CatalogVersion, Procedure
    from madoguchi.catalog.services import load_into_db

    version = load_into_db(DEMO_DIR)
    assert version.published
    assert Procedure.objects.filter(version=version).count() == sum(
        len(v) for v in demo_catalog().procedures.values()
    )
    assert load_into_db(DEMO_DIR).pk == version.pk  # same files: same version
    edit(cat_dir / "events.yaml", "id: death,", "id: deaths,")
    with pytest.raises(CatalogError):
        load_into_db(cat_dir)
    assert CatalogVersion.objects.count() == 1
    edit(cat_dir / "events.yaml", "id: deaths,", "id: death,")
    edit(cat_dir / "departments.yaml", "本庁舎3階 住宅課", "本庁舎4階 住宅課")
    v2 = load_into_db(cat_dir)
    assert v2.pk != version.pk and v2.published
    version.refresh_from_db()
    assert not version.published
    assert v2.departments.get(dept_id="housing").place == "本庁舎4階 住宅課"


def test_condition_must_cover_the_procedures_using_it(cat_dir):
    rules = cat_dir / "rules.yaml"
    edit(
        rules,
        "logic: {var: person.pregnant}, valid_from: 2016-01-01}",
        "logic: {var: person.pregnant}, valid_from: 2030-01-01}",
    )
    [issue] = issues(cat_dir)
    assert "pregnant" in issue.message and issue.file == "procedures/health.yaml"


def test_logic_must_be_an_expression(cat_dir):
    rules = cat_dir / "rules.yaml"
    edit(rules, "logic: {var: person.pregnant}", "logic: pregnant")
    [issue] = issues(cat_dir)
    assert issue.line == line_of(rules, "logic: pregnant")


def test_explanations_come_from_the_catalog_labels(cat_dir):
    rules = cat_dir / "rules.yaml"
    edit(
        rules, 'label: "学齢（{school_stage}）', 'label: "義務教育の年齢（{school_stage}、{age}歳）'
    )
    s = {
        "event": "move_in",
        "event_date": "2027-04-01",
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1985-06-01", "sex": "male"},
            {"id": "p3", "relationship": "child", "birth_date": "2017-06-10", "sex": "male"},
        ],
    }
    [entry] = [
        p
        for p in determine(s, load_catalog(cat_dir))["procedures"]
        if p["id"] == "school.transfer_in"
    ]
    assert any(
        "p3: " in b and "義務教育の年齢（小学校、9歳）: 2017-06-10 生まれ, 就学 2024-04-01" in b
        for b in entry["because"]
    )
    [demo] = [
        p for p in determine(s, demo_catalog())["procedures"] if p["id"] == "school.transfer_in"
    ]
    assert any("学齢（小学校）: 2017-06-10 生まれ, 就学 2024-04-01" in b for b in demo["because"])


@pytest.mark.django_db
def test_catalog_commands_load_and_export(cat_dir, tmp_path):
    from django.core.management import CommandError, call_command

    from madoguchi.catalog.models import CatalogVersion

    call_command("catalog", "load", str(DEMO_DIR))
    assert CatalogVersion.objects.filter(published=True).count() == 1
    edit(cat_dir / "events.yaml", "id: birth,", "id: births,")
    with pytest.raises(CommandError) as info:
        call_command("catalog", "load", str(cat_dir))
    assert info.value.returncode == 2
    assert CatalogVersion.objects.count() == 1
    call_command("catalog", "export", "--dir", str(DEMO_DIR), "--out", str(tmp_path / "x"))
    assert canonical(load_catalog(tmp_path / "x")) == canonical(demo_catalog())


def test_form_naming_an_unknown_procedure_gives_its_line(cat_dir):
    form = cat_dir / "forms" / "dog_change" / "form.yaml"
    edit(form, "dog.registration_change", "dog.registration_chang")
    [issue] = issues(cat_dir)
    assert (issue.file, issue.line) == (
        "forms/dog_change/form.yaml",
        line_of(form, "dog.registration_chang"),
    )
