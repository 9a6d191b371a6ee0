"""Writing the city into the register tables (households, then persons in bulk)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from madoguchi.register.generator.city import City
from madoguchi.register.generator.data import BATCH, DEMO_AS_OF, DEMO_CITY, DEMO_MUNICIPALITY_CODE
from madoguchi.register.generator.sources import search_key_pairs


def iter_city(
    persons: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> Iterator[tuple[str, list[dict]]]:
    """(household_no, persons as dicts of Person field values) for a synthetic city."""
    yield from City(seed, city, municipality_code, as_of).households(persons)


def save_households(
    households: list[tuple[str, list[dict]]], mc: str, pending: bool = False
) -> int:
    from madoguchi.register.bulk import insert_rows
    from madoguchi.register.models import Household, Person

    objs = Household.objects.bulk_create(
        [
            Household(municipality_code=mc, household_no=no, is_pending=pending)
            for no, _ in households
        ],
        batch_size=BATCH,
    )
    persons = []
    for hh, (_no, members) in zip(objs, households, strict=True):
        for m in members:
            values = dict(m)
            values.pop("household_no", None)
            values["household_id"] = hh.pk
            values.update(
                search_key_pairs(values["name"], values["name_kana"], values.get("given_name", ""))
            )
            persons.append(values)
    return insert_rows(Person, persons)


def generate_city(
    persons: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> int:
    """Write a synthetic city of exactly ``persons`` persons; returns the number written.
    Call it inside a transaction (``transaction.atomic``) for speed and atomicity."""
    from django.db import transaction

    created = 0
    batch: list[tuple[str, list[dict]]] = []
    count = 0
    with transaction.atomic():
        for household in iter_city(persons, seed, city, municipality_code, as_of):
            batch.append(household)
            count += len(household[1])
            if count >= BATCH:
                created += save_households(batch, municipality_code)
                batch, count = [], 0
        if batch:
            created += save_households(batch, municipality_code)
    return created
