"""Pending move-ins (転出証明書情報): import, generation, the documented demo family."""

import csv
import io
import json

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import EXAMPLES_DIR
from madoguchi.core.text import kana_key, name_key
from madoguchi.register.generator import DEMO_MOVE_IN_FAMILY, generate_pending, iter_pending
from madoguchi.register.models import Household, Person
from madoguchi.register.pending import (
    PENDING_COLUMNS,
    SAMPLE_CSV,
    SAMPLE_MAPPING,
    import_pending,
    pending_households,
)


def test_sample_imports_as_pending_households(db):
    result = import_pending(SAMPLE_CSV, SAMPLE_MAPPING)
    assert not result.errors, result.errors
    with SAMPLE_CSV.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert result.persons_imported == len(rows) == Person.objects.count()
    assert result.households_imported == len({r["世帯識別番号"] for r in rows})
    assert set(Person.objects.values_list("status", flat=True)) == {"P"}
    assert all(h.is_pending for h in Household.objects.all())
    assert all(p.atena_no.startswith("P") for p in Person.objects.all())
    head = Person.objects.get(atena_no=DEMO_MOVE_IN_FAMILY["members"][0]["atena_no"])
    assert head.name == "星野\u3000健一" and head.relationship_role == "head"
    assert head.flags == ["my_number_card"]
    assert head.former_address == DEMO_MOVE_IN_FAMILY["former_address"]
    assert head.planned_move_in_on == DEMO_MOVE_IN_FAMILY["planned_move_in_on"]
    # searchable like residents: the same folded keys
    assert head.name_key == name_key(head.name) and head.kana_key == kana_key(head.name_kana)
    # a re-import leaves everything in place
    again = import_pending(SAMPLE_CSV, SAMPLE_MAPPING)
    assert (again.persons_imported, again.persons_unchanged) == (0, len(rows))


def test_pending_import_rejects_bad_rows(db, tmp_path):
    with SAMPLE_CSV.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    rows[3][PENDING_COLUMNS.index("生年月日")] = "令和元年4月30日"  # not a 令和 date
    rows[5][PENDING_COLUMNS.index("続柄")] = ""
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "register",
            "import-pending",
            str(path),
            "--mapping",
            str(SAMPLE_MAPPING),
            "--json",
            "--quiet",
            stdout=out,
        )
    assert exc.value.returncode == 2
    errors = json.loads(out.getvalue())["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(4, "生年月日"), (6, "続柄")]
    assert Person.objects.count() == 0


def test_demo_family_matches_the_move_in_example():
    situation = yaml.safe_load(
        (EXAMPLES_DIR / "move_in_family_of_four.situation.yaml").read_text(encoding="utf-8")
    )
    roles = {"世帯主": "head", "妻": "spouse", "子": "child"}
    sexes = {"1": "male", "2": "female"}
    family = [
        (
            roles[m["relationship"]],
            m["birth_date"].isoformat(),
            sexes[m["sex"]],
            "my_number_card" in m["flags"],
        )
        for m in DEMO_MOVE_IN_FAMILY["members"]
    ]
    example = [
        (p["relationship"], str(p["birth_date"]), p["sex"], "my_number_card" in p.get("flags", []))
        for p in situation["persons"]
    ]
    assert family == example
    assert not DEMO_MOVE_IN_FAMILY["former_address"].startswith("北海道")


def test_generate_pending(db):
    assert generate_pending(50, seed=4) == 50
    households = list(pending_households())
    assert len(households) == 50
    first = households[0]
    assert first.household_no == DEMO_MOVE_IN_FAMILY["household_no"]
    members = list(first.members.order_by("household_order"))
    assert [m.name for m in members] == [m["name"] for m in DEMO_MOVE_IN_FAMILY["members"]]
    assert all(m.status == "P" for h in households for m in h.members.all())
    # idempotent: a second call adds nothing
    assert generate_pending(50, seed=4) == 0
    assert Household.objects.filter(is_pending=True).count() == 50


def test_pending_is_deterministic():
    assert list(iter_pending(10, seed=1)) == list(iter_pending(10, seed=1))
    assert list(iter_pending(10, seed=1))[1:] != list(iter_pending(10, seed=2))[1:]


def test_shipped_sample_is_what_the_generator_writes(tmp_path):
    from madoguchi.register.pending import write_pending_csv

    path = tmp_path / "p.csv"
    write_pending_csv(path, 6, seed=20270401)
    assert path.read_bytes() == SAMPLE_CSV.read_bytes()


def test_arrived_family_members_leave_the_pending_list(db, tmp_path):
    from conftest import MADO_SAMPLE_CSV
    from madoguchi.register.importer import import_register

    assert not import_pending(SAMPLE_CSV, SAMPLE_MAPPING).errors
    with MADO_SAMPLE_CSV.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    row = rows[8]  # 丙山 誠, a single household: now the pending head arrived
    for col, value in (
        ("氏名", "星野\u3000健一"),
        ("氏_日本人", "星野"),
        ("名_日本人", "健一"),
        ("生年月日_元号", "3"),
        ("生年月日", "1985-06-01"),
    ):
        row[header.index(col)] = value
    path = tmp_path / "arrived.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    result = import_register(path, "mado-sample.yaml")
    assert not result.errors and result.pending_resolved == 1
    assert not Person.objects.filter(atena_no="P0000000011").exists()
    family = Person.objects.filter(household__household_no="P0000000001")
    assert family.count() == 3 and all(p.status == "P" for p in family)
    assert Person.objects.get(atena_no="8").name == "星野\u3000健一"


# ------------------------------------------------------------------ foreign residents


def test_sample_carries_a_foreign_couple_with_the_foreign_columns(db):
    from madoguchi.register.generator import DEMO_MOVE_IN_FOREIGN

    assert not import_pending(SAMPLE_CSV, SAMPLE_MAPPING).errors
    head, wife = (
        Person.objects.get(atena_no=m["atena_no"]) for m in DEMO_MOVE_IN_FOREIGN["members"]
    )
    assert (
        head.resident_kind == wife.resident_kind == "2"
    )  # from the nationality: no 住民種別 column
    assert (head.nationality, head.nationality_name) == ("VN", "ベトナム")
    assert head.name_roman == "NGUYEN VAN AN" and head.art30_45_class == "中長期在留者"
    assert head.residence_status == "技術・人文知識・国際業務" and head.residence_period == "5年"
    assert head.residence_expires_on.isoformat() == "2030-03-31"
    assert head.residence_card_no == "AB12345678CD"  # the register holds it (住基法30条の45)
    assert wife.residence_status == "家族滞在" and wife.relationship_role == "spouse"
    japanese = Person.objects.get(atena_no=DEMO_MOVE_IN_FAMILY["members"][0]["atena_no"])
    assert (japanese.resident_kind, japanese.nationality, japanese.residence_card_no) == (
        "1",
        "JP",
        "",
    )


def _sample_rows():
    with SAMPLE_CSV.open(encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def _write(tmp_path, rows):
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def test_a_nationality_is_a_code_or_a_name_of_the_list(db, tmp_path):
    rows = _sample_rows()
    foreign = [i for i, r in enumerate(rows) if i and r[PENDING_COLUMNS.index("国籍・地域")]]
    rows[foreign[0]][PENDING_COLUMNS.index("国籍・地域")] = "ベトナム社会主義共和国"
    rows[foreign[1]][PENDING_COLUMNS.index("国籍・地域")] = "704"  # the numeric code
    assert not import_pending(_write(tmp_path, rows), SAMPLE_MAPPING).errors
    assert set(Person.objects.filter(resident_kind="2").values_list("nationality", flat=True)) == {
        "VN"
    }


def test_pending_foreign_errors_name_row_and_column_and_write_nothing(db, tmp_path):
    rows = _sample_rows()
    foreign = [i for i, r in enumerate(rows) if i and r[PENDING_COLUMNS.index("国籍・地域")]]
    rows[foreign[0]][PENDING_COLUMNS.index("国籍・地域")] = "アトランティス"
    rows[foreign[1]][PENDING_COLUMNS.index("在留期間満了日")] = "2030-02-30"
    result = import_pending(_write(tmp_path, rows), SAMPLE_MAPPING)
    got = [(e.line, e.column) for e in result.errors]
    assert got == [(foreign[0] + 1, "国籍・地域"), (foreign[1] + 1, "在留期間満了日")]
    assert "一覧にありません" in result.errors[0].reason
    assert Person.objects.count() == 0  # all-or-nothing


def test_30_45_class_and_residence_status_must_be_in_the_counters_lists(db, tmp_path):
    rows = _sample_rows()
    foreign = [i for i, r in enumerate(rows) if i and r[PENDING_COLUMNS.index("国籍・地域")]]
    rows[foreign[0]][PENDING_COLUMNS.index("法30条45区分")] = "中長期在留"  # a typo
    rows[foreign[1]][PENDING_COLUMNS.index("在留資格")] = "技術"  # not a 在留資格
    result = import_pending(_write(tmp_path, rows), SAMPLE_MAPPING)
    got = [(e.line, e.column, e.reason) for e in result.errors]
    assert got == [
        (foreign[0] + 1, "法30条45区分", "30条45区分の一覧にありません: '中長期在留'"),
        (foreign[1] + 1, "在留資格", "在留資格の一覧にありません: '技術'"),
    ]
    assert Person.objects.count() == 0  # all-or-nothing
    # every value the counter offers is taken as written
    from madoguchi.register.residence_card import ART30_45_CLASSES, RESIDENCE_STATUSES

    rows = _sample_rows()
    rows[foreign[0]][PENDING_COLUMNS.index("法30条45区分")] = ART30_45_CLASSES[-1]
    rows[foreign[0]][PENDING_COLUMNS.index("在留資格")] = RESIDENCE_STATUSES[-1]
    assert not import_pending(_write(tmp_path, rows), SAMPLE_MAPPING).errors


def test_the_register_mapping_names_only_values_of_the_counters_lists():
    """mado-sample maps 第30条45規定区分 and 在留資格等コード through codes: every name it
    maps to is one the counter offers (an unlisted 在留資格 code is kept as the code,
    ``unknown: keep``; an unlisted 区分 code is an error, the default)."""
    from madoguchi.register.importer.mapping import Mapping
    from madoguchi.register.residence_card import ART30_45_CLASSES, RESIDENCE_STATUSES

    fields = Mapping.load("mado-sample").fields
    assert set(fields["residence_status"].codes.values()) <= set(RESIDENCE_STATUSES)
    assert set(fields["art30_45_class"].codes.values()) == set(ART30_45_CLASSES)
    assert fields["art30_45_class"].unknown == "error"


def test_the_pending_foreign_couple_at_the_counter_masks_the_card(clerk_client, db):
    """The counter reads the 在留カード data from the pending data: shown masked, kept for
    the 住民異動届 (as for the card entered at the counter)."""
    from madoguchi.counter.tests.test_visit import Flow

    assert not import_pending(SAMPLE_CSV, SAMPLE_MAPPING).errors
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="P0000000021")
    head = next(p for p in f.v["persons"] if p["atena_no"] == "P0000000021")
    reg = head["data"]["register"]
    assert head["data"]["nationality"] == "VN" and reg["nationality_name"] == "ベトナム"
    assert reg["residence_card_no"] == "AB********CD" and reg["residence_status"]
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "AB12345678CD" not in page and "AB********CD" in page
