"""Pending move-ins (転入予定者): the 転出証明書情報 of the 引越しワンストップ flow.

Under the national moving one-stop service the former municipality sends the move-out
certificate data (names, kana, birth dates, sex, 続柄, former address, planned move date,
who holds a My Number card) before the family arrives, with the 転入予約's 連絡先電話番号
(the counter prefills it as the visit's contact phone, marked as from the reservation). madoguchi keeps them as persons
with status ``P`` in a household with ``is_pending``: searchable by the same keys as
residents and marked as pending everywhere. Their 宛名番号 and 世帯番号 carry a ``P``
prefix so they never collide with the register's numbers.

``madoguchi register import-pending FILE --mapping MAPPING`` imports such a CSV through a
mapping like the register's (``mappings/pending-sample.yaml`` reads
``mappings/pending-sample.csv``); ``generator.generate_pending`` fills the demo.
"""

from __future__ import annotations

import csv
from pathlib import Path

from madoguchi.register.importer import MAPPINGS_DIR, ImportResult, Mapping, import_register
from madoguchi.register.models import Household, Person, ResidentStatus

SAMPLE_CSV = MAPPINGS_DIR / "pending-sample.csv"
SAMPLE_MAPPING = MAPPINGS_DIR / "pending-sample.yaml"

# Columns of the pending sample CSV (one row per person, 世帯識別番号 groups a household).
PENDING_COLUMNS = [
    "通知番号",
    "世帯識別番号",
    "記載順位",
    "氏名",
    "氏名フリガナ",
    "生年月日",
    "性別",
    "続柄",
    "転出元住所",
    "転出元郵便番号",
    "転入予定郵便番号",
    "転入予定都道府県",
    "転入予定市区町村",
    "転入予定町字",
    "転入予定番地",
    "転入予定方書",
    "転入予定年月日",
    "マイナンバーカード",
    # 外国人住民 (blank for Japanese nationals)
    "国籍・地域",
    "ローマ字氏名",
    "通称",
    "法30条45区分",
    "在留資格",
    "在留期間",
    "在留期間満了日",
    "在留カード等番号",
    "連絡先電話番号",
]


def import_pending(
    path: str | Path, mapping: Mapping | str | Path = SAMPLE_MAPPING, **kw
) -> ImportResult:
    """Import pending move-ins (all-or-nothing, like the register import)."""
    return import_register(path, mapping, pending=True, **kw)


def resolve_arrivals() -> int:
    """Remove pending persons who now appear in the register as residents (same
    municipality, folded name and birth date), and pending households left empty.
    Called by every register import, in its transaction. Returns the persons removed."""
    from django.db.models import Exists, OuterRef

    arrived = Person.objects.filter(
        status=ResidentStatus.PENDING,
    ).filter(
        Exists(
            Person.objects.filter(
                status=ResidentStatus.RESIDENT,
                municipality_code=OuterRef("municipality_code"),
                name_key=OuterRef("name_key"),
                birth_date=OuterRef("birth_date"),
            )
        )
    )
    ids = list(arrived.values_list("id", flat=True))
    if not ids:
        return 0
    Person.objects.filter(id__in=ids).delete()
    Household.objects.filter(is_pending=True, members__isnull=True).delete()
    return len(ids)


def pending_households():
    """Pending households with their members in household order."""
    return (
        Household.objects.filter(is_pending=True)
        .prefetch_related("members")
        .order_by("household_no")
    )


def pending_row(p: dict) -> list[str]:
    """A pending person (dict of Person values) as a row of ``PENDING_COLUMNS``."""
    return [
        p["atena_no"].removeprefix("P"),
        p["household_no"].removeprefix("P"),
        str(p["household_order"]),
        p["name"],
        p["name_kana"],
        p["birth_date"].isoformat(),
        p["sex"],
        p["relationship"],
        p["former_address"],
        p["former_postal_code"],
        p["postal_code"],
        p["prefecture"],
        p["city"],
        p["town"],
        p["banchi"],
        p.get("katagaki", ""),
        p["planned_move_in_on"].isoformat(),
        "1" if "my_number_card" in p["flags"] else "0",
        *(
            (
                p["nationality"],
                p.get("name_roman", ""),
                p.get("alt_name", ""),
                p.get("art30_45_class", ""),
                p.get("residence_status", ""),
                p.get("residence_period", ""),
                p["residence_expires_on"].isoformat() if p.get("residence_expires_on") else "",
                p.get("residence_card_no", ""),
            )
            if p.get("nationality", "JP") != "JP"
            else ("",) * 8
        ),
        p.get("phone", ""),
    ]


def write_pending_csv(path: str | Path, n: int, seed: int) -> int:
    """Write ``n`` generated pending households as a CSV (UTF-8 with BOM)."""
    from madoguchi.register.generator import iter_pending

    rows = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PENDING_COLUMNS)
        for household_no, members in iter_pending(n, seed):
            for m in members:
                w.writerow(pending_row(m | {"household_no": household_no}))
                rows += 1
    return rows


def is_pending(person: Person) -> bool:
    return person.status == ResidentStatus.PENDING
