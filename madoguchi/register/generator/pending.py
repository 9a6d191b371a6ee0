"""Pending move-ins (転出証明書情報); the first is always ``DEMO_MOVE_IN_FAMILY``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from madoguchi.register.generator.city import City, era_name
from madoguchi.register.generator.data import (
    DEMO_AS_OF,
    DEMO_CITY,
    DEMO_MOVE_IN_FAMILY,
    DEMO_MOVE_IN_FOREIGN,
    DEMO_MUNICIPALITY_CODE,
    OTHER_CITIES,
    RELATIONSHIP_CODES,
)
from madoguchi.register.generator.write import save_households
from madoguchi.rules import zokugara


def iter_pending(
    n: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> Iterator[tuple[str, list[dict]]]:
    """Pending move-in households (転出証明書情報); the first is DEMO_MOVE_IN_FAMILY, the
    second DEMO_MOVE_IN_FOREIGN (a foreign couple, with the 外国人住民 columns)."""
    for fam in (DEMO_MOVE_IN_FAMILY, DEMO_MOVE_IN_FOREIGN)[: max(n, 0)]:
        members = []
        for order, m in enumerate(fam["members"], start=1):
            members.append(
                _pending_person(
                    m | {"household_order": order},
                    fam,
                    municipality_code,
                    kana_confirmed=True,
                )
            )
        yield fam["household_no"], members
    c = City(seed + 7919, city, municipality_code, as_of)
    r = c.r
    for i in range(3, n + 1):
        members = c.household_members()
        while any(m["resident_kind"] == "2" for m in members) or any(
            m.get("support_measure") for m in members
        ):
            members = c.household_members()
        pref, other_city, code, town = r.choice([oc for oc in OTHER_CITIES if oc[1] != city])
        addr = c.address()
        info = {
            "phone": _reservation_phone(seed, i),
            "former_address": f"{pref}{other_city}{town}{r.randint(1, 9)}丁目{r.randint(1, 30)}番地",
            "former_postal_code": code,
            "planned_move_in_on": dt.date.fromordinal(as_of.toordinal() + r.randint(0, 45)),
            **addr,
        }
        household_no = f"P{i:010d}"
        out = []
        for order, m in enumerate(members, start=1):
            base = {
                "atena_no": f"P{i:08d}{order:02d}",
                "name": m["name"],
                "name_kana": m["name_kana"],
                "birth_date": m["birth_date"],
                "sex": m["sex"],
                "relationship": m["relationship"],
                "household_order": order,
                "flags": ["my_number_card"] if r.random() < 0.8 else [],
            }
            out.append(
                _pending_person(base, info, municipality_code, kana_confirmed=r.random() < 0.9)
            )
        yield household_no, out


def _pending_person(m: dict, info: dict, mc: str, *, kana_confirmed: bool) -> dict:
    surname, _, given = m["name"].partition("\u3000")
    foreign = m.get("foreign")
    return {
        "atena_no": m["atena_no"],
        "municipality_code": mc,
        "status": "P",
        "resident_kind": "1",
        "name": m["name"],
        "surname": surname,
        "given_name": given,
        "name_kana": m["name_kana"],
        "kana_confirmed": kana_confirmed,
        "birth_date": m["birth_date"],
        "birth_era": era_name(m["birth_date"]),
        "sex": m["sex"],
        "relationship": m["relationship"],
        "relationship_code": RELATIONSHIP_CODES.get(m["relationship"], ""),
        "relationship_role": zokugara.relationship_of(m["relationship"]),
        "household_order": m["household_order"],
        "postal_code": info["postal_code"],
        "prefecture": info["prefecture"],
        "city": info["city"],
        "town": info["town"],
        "banchi": info["banchi"],
        "katagaki": info.get("katagaki", ""),
        "former_address": info["former_address"],
        "former_postal_code": info["former_postal_code"],
        "planned_move_in_on": info["planned_move_in_on"],
        "nationality": "JP",
        "flags": sorted(m.get("flags", [])),
        "phone": info.get("phone", ""),
        **(_foreign_fields(foreign) if foreign else {}),
    }


def _foreign_fields(foreign: dict) -> dict:
    """The 外国人住民 fields of a pending foreign resident (the 国籍・地域 name from the
    list, core.countries)."""
    from madoguchi.core import countries

    return {
        "resident_kind": "2",
        "surname": "",
        "given_name": "",
        **foreign,
        "nationality_name": countries.name_of(foreign["nationality"]),
    }


def _reservation_phone(seed: int, i: int) -> str:
    """The 転入予約's 連絡先電話番号 of generated household ``i`` (a mobile number; one in
    five reservations gives none). Its own random stream: the households stay the same."""
    r = random.Random(seed * 100_003 + i)
    if r.random() < 0.2:
        return ""
    return f"0{r.choice('789')}0-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"


def generate_pending(
    n: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> int:
    """Write ``n`` pending move-in households (the first is DEMO_MOVE_IN_FAMILY);
    returns the number of households written. Households already present are kept."""
    from django.db import transaction

    from madoguchi.register.models import Household

    with transaction.atomic():
        existing = set(
            Household.objects.filter(
                municipality_code=municipality_code, is_pending=True
            ).values_list("household_no", flat=True)
        )
        households = [
            h for h in iter_pending(n, seed, city, municipality_code, as_of) if h[0] not in existing
        ]
        if households:
            save_households(households, municipality_code, pending=True)
    return len(households)
