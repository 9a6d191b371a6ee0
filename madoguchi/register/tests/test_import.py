"""The register import, driven by the real MADO sample export and the shipped mapping."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import MADO_SAMPLE_CSV
from madoguchi.register.importer import Mapping, MappingError, import_register
from madoguchi.register.models import Household, Person

MAPPING = "mado-sample.yaml"


def read_sample() -> tuple[list[str], list[list[str]]]:
    with MADO_SAMPLE_CSV.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def col(header, name):
    return header.index(name)


@pytest.fixture
def imported(db):
    result = import_register(MADO_SAMPLE_CSV, MAPPING)
    assert not result.errors, result.errors
    return result


def test_sample_imports_every_person_and_household(imported):
    header, rows = read_sample()
    atenas = {r[col(header, "宛名番号")] for r in rows}
    households = {r[col(header, "世帯番号")] for r in rows}
    assert imported.persons_imported == len(atenas) == Person.objects.count() == 27
    assert imported.households_imported == len(households) == Household.objects.count() == 11
    assert imported.persons_updated == imported.persons_unchanged == 0


def test_heads_order_relationships_and_states(imported):
    header, rows = read_sample()
    for row in rows:
        p = Person.objects.select_related("household").get(atena_no=row[col(header, "宛名番号")])
        assert p.household.household_no == row[col(header, "世帯番号")]
        assert p.relationship == row[col(header, "続柄表記")]
        assert p.household_order == int(row[col(header, "記載順位")])
        assert p.status == row[col(header, "住民状態")]
        assert p.birth_date == dt.date.fromisoformat(row[col(header, "生年月日")])
        assert p.birth_date_uncertain == (row[col(header, "生年月日_不詳フラグ")] == "1")
        assert p.name == row[col(header, "氏名")]  # exactly as registered
    for hh in Household.objects.all():
        heads = [m for m in hh.members.all() if m.relationship == "世帯主"]
        assert len(heads) == 1, hh.household_no
        assert heads[0].relationship_role == "head"
        assert heads[0].household_order == 1
    assert Person.objects.filter(status="2").count() == 2
    assert Person.objects.filter(status="3").count() == 1
    assert list(
        Person.objects.filter(birth_date_uncertain=True).values_list("atena_no", flat=True)
    ) == ["26"]


def test_field_values_codes_and_digits(imported):
    ichiro = Person.objects.get(atena_no="1")
    assert ichiro.postal_code == "9990001"  # full-width digits normalised
    assert ichiro.banchi == "1番地"
    assert ichiro.surname == "甲野" and ichiro.given_name == "一郎"
    assert ichiro.name_kana == "コウノ\u3000イチロウ" and ichiro.kana_confirmed
    assert ichiro.birth_era == "昭和" and ichiro.sex == "1"
    assert ichiro.honseki == "サンプル県サンプル市中央一丁目1番地"
    assert ichiro.name_key and ichiro.kana_key
    mother = Person.objects.get(atena_no="3")
    assert mother.relationship_role == "parent" and mother.care_insured and mother.elderly_medical
    assert Person.objects.get(atena_no="25").relationship_role == "relative"  # 縁故者
    assert Person.objects.get(atena_no="26").relationship_role == "cohabitant"
    assert Person.objects.get(atena_no="24").relationship_role == "sibling"
    foreign = Person.objects.get(atena_no="18")
    assert foreign.resident_kind == "2" and foreign.nationality == "XX"
    assert foreign.nationality_name == "サンプル国" and foreign.art30_45_class == "中長期在留者"
    assert foreign.residence_period == "5年"
    assert foreign.residence_expires_on == dt.date(2029, 3, 31)
    moved = Person.objects.get(atena_no="16")
    assert moved.removal_reason == "転出" and moved.removed_on == dt.date(2026, 6, 1)
    assert moved.moved_out_to == "ダミー県ダミー市サンプル町三丁目7番地"
    newcomer = Person.objects.get(atena_no="8")
    assert newcomer.former_address == "ダミー県ダミー市サンプル町二丁目5番地"
    assert newcomer.former_postal_code == "9998002" and newcomer.nhi
    assert Person.objects.get(atena_no="22").adult_ward
    assert Person.objects.get(atena_no="27").planned_move_out_on == dt.date(2026, 8, 31)
    assert Person.objects.get(atena_no="9").child_allowance_recipient
    assert not Person.objects.get(atena_no="10").child_allowance_recipient


def test_history_rows_keep_the_current_row(db, tmp_path):
    header, rows = read_sample()
    old = list(rows[0])
    old[col(header, "最新フラグ")] = "0"
    old[col(header, "個人履歴番号")] = "0"
    old[col(header, "氏名")] = "旧姓　一郎"
    old[col(header, "生年月日")] = "not-a-date"  # old rows are not checked
    path = write_csv(tmp_path / "hist.csv", header, [old, *rows])
    result = import_register(path, MAPPING)
    assert not result.errors
    assert result.rows_skipped == 1 and result.persons_imported == 27
    assert Person.objects.get(atena_no="1").name == "甲野\u3000一郎"


def test_highest_history_number_without_latest_flag(db, tmp_path):
    header, rows = read_sample()
    mapping = Mapping.load(MAPPING)
    mapping.latest_flag_column = None
    newer = list(rows[1])
    newer[col(header, "個人履歴番号")] = "99"
    newer[col(header, "住所_方書")] = "新しい方書"
    path = write_csv(tmp_path / "hist2.csv", header, [*rows, newer])
    result = import_register(path, mapping)
    assert not result.errors, result.errors
    assert Person.objects.get(atena_no="2").katagaki == "新しい方書"
    assert Person.objects.get(atena_no="2").history_no == 99


def test_bad_rows_reject_the_whole_file_with_every_error(db, tmp_path):
    header, rows = read_sample()
    bad = [list(r) for r in rows]
    bad[2][col(header, "生年月日")] = "1951-02-30"
    bad[4][col(header, "性別")] = "7"
    bad[4][col(header, "続柄コード1")] = "45"
    bad[9][col(header, "生年月日_元号")] = "4"  # 平成 but born 1980s? -> checked per row
    bad[9][col(header, "生年月日")] = "1980-01-01"
    bad[20][col(header, "宛名番号")] = "1"  # duplicate of line 2
    path = write_csv(tmp_path / "bad.csv", header, bad)
    result = import_register(path, MAPPING)
    assert result.rejected
    found = {(e.line, e.column) for e in result.errors}
    assert (4, "生年月日") in found
    assert (6, "性別") in found
    assert (6, "続柄コード1") in found
    assert (11, "生年月日") in found
    assert (22, "宛名番号") in found
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_rejected_file_changes_nothing_already_imported(imported, tmp_path):
    header, rows = read_sample()
    changed = [list(r) for r in rows]
    changed[0][col(header, "住所_方書")] = "変更後"
    changed[-1][col(header, "住民状態")] = "X"
    path = write_csv(tmp_path / "bad2.csv", header, changed)
    result = import_register(path, MAPPING)
    assert [(e.line, e.column) for e in result.errors] == [(len(rows) + 1, "住民状態")]
    assert Person.objects.get(atena_no="1").katagaki == ""


def test_missing_column_is_reported(db, tmp_path):
    header, rows = read_sample()
    i = col(header, "性別")
    path = write_csv(
        tmp_path / "nocol.csv",
        [h for j, h in enumerate(header) if j != i],
        [[v for j, v in enumerate(r) if j != i] for r in rows],
    )
    result = import_register(path, MAPPING)
    assert [(e.line, e.column) for e in result.errors] == [(1, "性別")]


def test_reimport_updates_in_place(imported, tmp_path):
    header, rows = read_sample()
    ids = dict(Person.objects.values_list("atena_no", "id"))
    # fields the mapping does not hold are left alone by an update
    Person.objects.filter(atena_no="8").update(support_measure=True, flags=["dog_owner"])
    before = Person.objects.get(atena_no="8")
    newer = [list(r) for r in rows]
    newer[7][col(header, "住所_方書")] = "サンプルハイツ３０２号室"  # atena 8 moved within
    newer[1][col(header, "世帯番号")] = "1200"  # atena 2 forms her own household
    newer[1][col(header, "続柄コード1")] = "02"
    path = write_csv(tmp_path / "newer.csv", header, newer)
    result = import_register(path, MAPPING)
    assert not result.errors
    assert (result.persons_imported, result.persons_updated, result.persons_unchanged) == (0, 2, 25)
    # 1200 is new; 300 changed (a member's 方書) and 100 lost a member
    assert result.households_imported == 1 and result.households_updated == 2
    assert result.households_unchanged == 9
    assert dict(Person.objects.values_list("atena_no", "id")) == ids
    after = Person.objects.get(atena_no="8")
    assert after.katagaki == "サンプルハイツ３０２号室"
    assert after.support_measure and after.flags == ["dog_owner"]
    assert after.imported_at == before.imported_at and after.updated_at > before.updated_at
    assert (after.name, after.birth_date, after.nhi_since) == (
        before.name,
        before.birth_date,
        before.nhi_since,
    )
    assert Person.objects.get(atena_no="2").household.household_no == "1200"
    again = import_register(path, MAPPING)
    assert (again.persons_updated, again.persons_unchanged) == (0, 27)


def test_cp932_with_fullwidth_digits(db, tmp_path):
    header, rows = read_sample()
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    converted = []
    for r in rows:
        r = list(r)
        for name in ("宛名番号", "世帯番号", "生年月日", "記載順位", "性別", "続柄コード1"):
            r[col(header, name)] = r[col(header, name)].translate(fw)
        converted.append(r)
    path = write_csv(tmp_path / "sjis.csv", header, converted, encoding="cp932")
    result = import_register(path, MAPPING)
    assert not result.errors, result.errors[:3]
    assert result.encoding == "cp932" and result.persons_imported == 27
    p = Person.objects.get(atena_no="11")
    assert p.birth_date == dt.date(2018, 2, 10) and p.household_order == 3
    assert p.name == "丁田\u3000大和"


def test_names_keep_their_code_points(db, tmp_path):
    header, rows = read_sample()
    rare = list(rows[0])
    rare[col(header, "氏名")] = "髙\U00020bb7\u3000辻\U000e0102"  # never normalised
    rare[col(header, "氏_日本人")] = "髙\U00020bb7"
    rare[col(header, "名_日本人")] = "辻\U000e0102"
    rare[col(header, "住所_郵便番号")] = "９９９－０００１"
    path = write_csv(tmp_path / "rare.csv", header, [rare, *rows[1:]], encoding="utf-8")
    result = import_register(path, MAPPING)
    assert not result.errors and result.encoding == "utf-8"
    p = Person.objects.get(atena_no="1")
    assert p.name == "髙\U00020bb7\u3000辻\U000e0102"
    assert p.postal_code == "9990001"
    assert "\U000e0102" not in p.name_key


def test_dry_run_writes_nothing(db):
    result = import_register(MADO_SAMPLE_CSV, MAPPING, dry_run=True)
    assert not result.errors and result.persons_imported == 27
    assert result.households_imported == 11
    assert Person.objects.count() == 0


def test_command_json_and_exit_status(db, tmp_path):
    out = io.StringIO()
    call_command(
        "register",
        "import",
        str(MADO_SAMPLE_CSV),
        "--mapping",
        MAPPING,
        "--json",
        "--quiet",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["status"] == "imported"
    assert summary["persons"] == {"imported": 27, "updated": 0, "unchanged": 0, "rejected": 0}
    assert summary["households"]["imported"] == 11

    header, rows = read_sample()
    bad = [list(r) for r in rows]
    bad[-1][col(header, "生年月日")] = "yesterday"  # the last row: the others were batched
    path = write_csv(tmp_path / "bad.csv", header, bad)
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "register", "import", str(path), "--mapping", MAPPING, "--json", "--quiet", stdout=out
        )
    assert exc.value.returncode == 2
    summary = json.loads(out.getvalue())
    assert summary["status"] == "rejected"
    assert summary["errors"] == [
        {"line": len(rows) + 1, "column": "生年月日", "reason": summary["errors"][0]["reason"]}
    ]
    assert summary["persons"]["rejected"] == 1
    # nothing was written, so nothing counts as imported or unchanged (here: all 26 good
    # rows equal what the first import wrote)
    assert summary["persons"] == {"imported": 0, "updated": 0, "unchanged": 0, "rejected": 1}
    assert summary["households"] == {"imported": 0, "updated": 0, "unchanged": 0}


def test_progress_is_reported(db):
    seen = []
    import_register(MADO_SAMPLE_CSV, MAPPING, dry_run=True, progress=seen.append, progress_every=10)
    assert seen == [10, 20, 27]


def test_mapping_errors_are_clear(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("fields:\n  atena_no: 宛名番号\n  kojin: X\n", encoding="utf-8")
    with pytest.raises(MappingError, match="unknown field 'kojin'"):
        Mapping.load(bad)
    bad.write_text(
        "fields: {atena_no: a, household_no: b, name: c, birth_date: d}\n", encoding="utf-8"
    )
    with pytest.raises(MappingError, match="'sex' is required"):
        Mapping.load(bad)
    bad.write_text(
        "fields: {atena_no: a, household_no: b, name: c, birth_date: d, sex: e, "
        "relationship: f}\nflags: {has_cat: g}\n",
        encoding="utf-8",
    )
    with pytest.raises(MappingError, match="unknown flag 'has_cat'"):
        Mapping.load(bad)


def test_first_import_keeps_every_index_and_constraint(db):
    from django.db import connection

    def shape():
        with connection.cursor() as cur:
            found = connection.introspection.get_constraints(cur, Person._meta.db_table)
        return sorted(
            (tuple(c["columns"]), bool(c["unique"]), bool(c["foreign_key"]), bool(c["index"]))
            for c in found.values()
        )

    before = shape()
    result = import_register(MADO_SAMPLE_CSV, MAPPING)  # empty table: the bulk-load path
    assert not result.errors and shape() == before
    assert Person.objects.filter(name_key=Person.objects.get(atena_no="1").name_key).exists()


@pytest.mark.parametrize("encoding", ["cp932", "utf-8"])
def test_undecodable_bytes_are_reported_by_line_and_column(db, tmp_path, encoding):
    header, rows = read_sample()
    path = write_csv(tmp_path / "enc.csv", header, rows, encoding=encoding)
    data = path.read_bytes()
    lines = data.split(b"\n")
    name = "丙山".encode(encoding)  # line 9 (宛名番号 8) holds 丙山
    assert name in lines[8]
    lines[8] = lines[8].replace(name, b"\x85\x40")  # invalid in CP932 and UTF-8
    path.write_bytes(b"\n".join(lines))
    result = import_register(path, MAPPING)
    columns = {e.column for e in result.errors if e.line == 9}
    assert {"氏名", "氏_日本人"} <= columns and "世帯主氏名" in columns
    assert {e.line for e in result.errors} == {9}
    assert Person.objects.count() == 0


def test_command_reports_a_bad_mapping(db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("fields: {atena_no: 宛名番号}\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "register", "import", str(MADO_SAMPLE_CSV), "--mapping", str(bad), "--json", stdout=out
        )
    assert exc.value.returncode == 2
    summary = json.loads(out.getvalue())
    assert summary["status"] == "rejected" and "household_no" in summary["errors"][0]["reason"]


def test_command_text_output_and_progress(db):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "register",
        "import",
        str(MADO_SAMPLE_CSV),
        "--mapping",
        MAPPING,
        "--dry-run",
        stdout=out,
        stderr=err,
    )
    assert "would import: persons 27 new" in out.getvalue()
    assert "27 rows" in err.getvalue()  # progress line on stderr
    assert Person.objects.count() == 0
