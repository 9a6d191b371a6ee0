"""The synthetic demo city: deterministic, realistic, consistent with the register rules."""

import csv
import datetime as dt
from collections import Counter

import pytest

from madoguchi.register.checkdigit import is_valid
from madoguchi.register.generator import (
    DEMO_AS_OF,
    RARE_SURNAMES,
    city_towns,
    generate_city,
    iter_city,
    write_mado_csv,
)
from madoguchi.register.importer import import_register
from madoguchi.register.models import Household, Person
from madoguchi.rules import ages

N = 2000


@pytest.fixture(scope="module")
def city():
    return [(no, members) for no, members in iter_city(N, seed=7)]


def persons_of(city):
    return [m for _no, members in city for m in members]


def test_exact_size_and_valid_numbers(city):
    persons = persons_of(city)
    assert len(persons) == N
    assert len({p["atena_no"] for p in persons}) == N
    assert all(is_valid(p["atena_no"]) for p in persons)
    assert all(is_valid(no) for no, _ in city)
    assert all(len(p["juminhyo_code"]) == 11 and is_valid(p["juminhyo_code"]) for p in persons)


def test_same_seed_same_rows_other_seed_other_rows(city):
    again = list(iter_city(N, seed=7))
    assert again == city
    other = list(iter_city(N, seed=8))
    assert [m["name"] for _n, ms in other for m in ms] != [m["name"] for m in persons_of(city)]


def test_every_household_has_one_head_first_and_a_shared_address(city):
    for _no, members in city:
        heads = [m for m in members if m["relationship"] == "世帯主"]
        assert len(heads) == 1 and members[0] is heads[0]
        assert [m["household_order"] for m in members] == list(range(1, len(members) + 1))
        assert len({(m["postal_code"], m["town"], m["banchi"]) for m in members}) == 1
        spouses = [m for m in members if m["relationship_role"] == "spouse"]
        assert len(spouses) <= 1


def test_household_structure_is_varied(city):
    sizes = Counter(len(members) for _no, members in city)
    assert sizes[1] > 0.2 * len(city)  # singles (incl. elderly alone)
    assert sum(v for k, v in sizes.items() if k >= 4) > 0.05 * len(city)
    rels = Counter(m["relationship"] for m in persons_of(city))
    for rel in ("世帯主", "妻", "子", "母", "子の子"):
        assert rels[rel] > 0, rel
    elderly_alone = [
        ms
        for _no, ms in city
        if len(ms) == 1 and ages.completed_years(ms[0]["birth_date"], DEMO_AS_OF) >= 65
    ]
    assert len(elderly_alone) > 0.08 * len(city)


def test_age_structure_is_that_of_a_japanese_city(city):
    """Shares near 北見市 (2025: 0–14 about 11 %, 65+ about 34 %, 75+ about 19 %)."""
    years = [ages.completed_years(p["birth_date"], DEMO_AS_OF) for p in persons_of(city)]
    share = lambda pred: sum(map(pred, years)) / len(years)  # noqa: E731
    assert 0.08 <= share(lambda a: a < 15) <= 0.17
    assert 0.27 <= share(lambda a: a >= 65) <= 0.40
    assert 0.14 <= share(lambda a: a >= 75) <= 0.25
    assert 0.45 <= share(lambda a: 15 <= a < 65) <= 0.62
    assert max(years) <= 105 and min(years) >= 0


def test_household_types_and_sizes(city):
    sizes = [len(members) for _no, members in city]
    assert 1.9 <= sum(sizes) / len(sizes) <= 2.6  # persons per household (北見市 about 2.0)
    rels = [{m["relationship"] for m in members} for _no, members in city]
    three_gen = sum(1 for r in rels if "子の子" in r or ({"父", "母"} & r and "子" in r))
    with_children = sum(1 for r in rels if "子" in r)
    assert 0.02 * len(city) <= three_gen <= 0.10 * len(city)
    assert 0.15 * len(city) <= with_children <= 0.40 * len(city)


def test_names_kana_and_rare_characters(city):
    persons = persons_of(city)
    for p in persons:
        assert p["name_kana"] and "\u3000" in p["name_kana"]
        if p["resident_kind"] == "1":
            assert p["name"] == f"{p['surname']}\u3000{p['given_name']}"
    rare = {s for s, _k in RARE_SURNAMES}
    rare_count = sum(1 for p in persons if p["surname"] in rare)
    assert 0.002 * N <= rare_count <= 0.01 * N  # about 1 in 200
    assert any("\U000e0102" in p["name"] for p in persons)  # IVS variants among them


def test_foreign_residents(city):
    foreign = [p for p in persons_of(city) if p["resident_kind"] == "2"]
    assert 0.015 * N <= len(foreign) <= 0.045 * N  # about 3 %
    for p in foreign:
        assert len(p["nationality"]) == 2 and p["nationality"] != "JP"
        assert p["nationality_name"] and p["residence_status"] and p["art30_45_class"]
        assert p["name_roman"] == p["name"]
        assert p.get("honseki", "") == ""


def test_real_towns_and_postal_codes(city):
    towns = city_towns("北見市")
    codes = {t[0] for t in towns}
    for p in persons_of(city):
        assert p["postal_code"] in codes
        assert p["prefecture"] == "北海道" and p["city"] == "北見市"


def test_statuses_follow_ages_and_households(city):
    for _no, members in city:
        for p in members:
            b = p["birth_date"]
            assert p.get("elderly_medical", False) == (DEMO_AS_OF >= ages.nth_birthday(b, 75))
            assert p.get("care_insured", False) == (DEMO_AS_OF >= ages.reached_date(b, 65))
            if p.get("elderly_medical"):
                assert not p.get("nhi")
            in_pension_age = ages.reached_date(b, 20) <= DEMO_AS_OF < ages.reached_date(b, 60)
            if in_pension_age:
                assert p.get("pension_category") in ("1", "2", "3")
            elif ages.completed_years(b, DEMO_AS_OF) < 20:
                assert not p.get("pension_category")
            if p.get("pension_category") == "3":
                assert p["relationship_role"] in ("spouse", "relative")
            if "public_servant" in p["flags"]:
                assert not p.get("child_allowance_recipient")
        recipients = [m for m in members if m.get("child_allowance_recipient")]
        kids = [
            m
            for m in members
            if ages.child_allowance_age(m["birth_date"], DEMO_AS_OF)
            and m["relationship"] != "世帯主"
        ]
        assert len(recipients) <= 1
        if recipients:
            assert kids and "primary_earner" in recipients[0]["flags"]
            assert recipients[0] not in kids
            # a parent of an eligible child: 子 → the head's couple; 子の子 → the 子's couple
            rel, kid_rels = recipients[0]["relationship"], {k["relationship"] for k in kids}
            assert ("子" in kid_rels and rel in ("世帯主", "夫", "妻")) or (
                "子の子" in kid_rels and rel in ("子", "子の妻", "子の夫")
            ), (rel, kid_rels)
        if not kids:
            assert not any("primary_earner" in m["flags"] for m in members)


def test_flags_shares(city):
    persons = persons_of(city)
    adults = [p for p in persons if ages.completed_years(p["birth_date"], DEMO_AS_OF) >= 15]
    card = sum("my_number_card" in p["flags"] for p in adults) / len(adults)
    assert 0.65 <= card <= 0.9
    assert any("seal_registered" in p["flags"] for p in persons)
    assert any("dog_owner" in p["flags"] for p in persons)


def test_removed_protected_and_uncertain_persons_exist():
    persons = [m for _n, ms in iter_city(12_000, seed=3) for m in ms]
    uncertain = [p for p in persons if p.get("birth_date_uncertain")]
    assert uncertain and len(uncertain) < 0.01 * len(persons)
    for p in uncertain:
        assert p["birth_date_text"].startswith(p["birth_era"]) and "年" in p["birth_date_text"]
        assert ages.completed_years(p["birth_date"], DEMO_AS_OF) >= 84
    states = Counter(p["status"] for p in persons)
    assert states["2"] > 0 and states["3"] > 0
    assert states["2"] + states["3"] < 0.02 * len(persons)
    assert any(p.get("support_measure") for p in persons)
    for p in persons:
        if p["status"] == "3":
            assert p["removal_reason"] == "死亡" and p["removed_on"] <= DEMO_AS_OF


def test_generate_city_writes_the_database(db):
    created = generate_city(600, seed=11)
    assert created == Person.objects.count() == 600
    rows = list(iter_city(600, seed=11))
    assert Household.objects.count() == len(rows)
    first = rows[0][1][0]
    p = Person.objects.get(atena_no=first["atena_no"])
    assert p.name == first["name"] and p.birth_date == first["birth_date"]
    assert p.household.household_no == rows[0][0]
    assert p.flags == first["flags"] and p.name_key and p.kana_key
    rare = Person.objects.filter(surname__in=[s for s, _ in RARE_SURNAMES]).first()
    if rare is not None:  # stored exactly, searchable by the folded key
        assert rare.name.startswith(rare.surname) and rare.name_key != rare.name


def test_generated_csv_imports_through_the_mado_mapping(db, tmp_path):
    path = tmp_path / "city.csv"
    assert write_mado_csv(path, 300, seed=5) == 300
    with path.open(encoding="utf-8-sig") as fh:
        assert len(next(csv.reader(fh))) == 122
    result = import_register(path, "mado-sample.yaml")
    assert not result.errors, result.errors[:5]
    assert result.persons_imported == 300
    expected = {m["atena_no"]: m for _n, ms in iter_city(300, seed=5) for m in ms}
    for p in Person.objects.all():
        e = expected[p.atena_no]
        assert (p.name, p.birth_date, p.relationship, p.status) == (
            e["name"],
            e["birth_date"],
            e["relationship"],
            e["status"],
        )
        assert p.banchi == e["banchi"] and p.postal_code == e["postal_code"]
        assert p.nhi == e.get("nhi", False) and p.pension_category == e.get("pension_category", "")


def test_command_generate(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "register", "generate", "--persons", "250", "--seed", "2", "--pending", "3", stdout=out
    )
    assert Person.objects.exclude(status="P").count() == 250
    assert Household.objects.filter(is_pending=True).count() == 3
    assert "250 persons" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not empty"):
        call_command("register", "generate", "--persons", "10", "--seed", "3")
    assert Person.objects.exclude(status="P").count() == 250


def test_another_city():
    persons = [m for _n, ms in iter_city(200, seed=1, city="網走市") for m in ms]
    assert {p["city"] for p in persons} == {"網走市"}
    assert {p["postal_code"] for p in persons} <= {t[0] for t in city_towns("網走市")}
    with pytest.raises(ValueError, match="no towns"):
        next(iter_city(10, seed=1, city="存在しない市"))


def test_school_flags_follow_the_rules_school_start(city):
    """Nursery before school start, private school after it: the rules' school start
    (the first 1 April on or after the 6th birthday), not the day of reaching 6."""
    for p in persons_of(city):
        start = ages.school_start(p["birth_date"])
        if "nursery_enrolled" in p["flags"]:
            assert DEMO_AS_OF < start, p["birth_date"]
        if "private_school" in p["flags"]:
            assert start <= DEMO_AS_OF, p["birth_date"]


def test_a_child_born_2_april_starts_school_a_year_after_reaching_6():
    """Born 2020-04-02: reaches 6 on 2026-04-01 but starts school on 2027-04-01, so on
    the demo date (2026-11-01) the generator may still put the child in a nursery (it
    started school on 2026-04-01 before the generator took its ages from the rules)."""
    assert ages.reached_date(dt.date(2020, 4, 2), 6) == dt.date(2026, 4, 1)
    assert ages.school_start(dt.date(2020, 4, 2)) == dt.date(2027, 4, 1)
    born_2_april = [
        p
        for _no, members in iter_city(20000, seed=3)
        for p in members
        if p["birth_date"] == dt.date(2020, 4, 2)
    ]
    assert any("nursery_enrolled" in p["flags"] for p in born_2_april)


def test_generated_flags_are_situation_flags(city):
    from madoguchi.register.importer import SITUATION_FLAGS

    used = {f for p in persons_of(city) for f in p["flags"]}
    assert used <= SITUATION_FLAGS and len(used) > 10


def test_siblings_are_born_a_year_apart_or_more(city):
    """The 子 of one household (the children of its couple) are not born months apart: a
    mother gives birth again at the earliest about a year later."""
    from madoguchi.register.generator.city import SIBLING_GAP_DAYS

    checked = 0
    for _no, members in city:
        births = sorted(
            dt.date.fromisoformat(str(m["birth_date"]))
            for m in members
            if m["relationship"] == "子"
        )
        for a, b in zip(births, births[1:], strict=False):
            assert (b - a).days >= SIBLING_GAP_DAYS, (members[0]["name"], a, b)
            checked += 1
    assert checked > 50  # the city has families with several children
