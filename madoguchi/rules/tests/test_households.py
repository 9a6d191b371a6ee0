"""Several households in one situation (situation.md, "Several households")."""

import copy

import pytest

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import SituationError, determine, determine_visit

from .test_scenarios import SCENARIOS


def _keyed(raw: dict, key: str) -> dict:
    s = copy.deepcopy(raw)
    for p in s["persons"]:
        if not p.get("outside"):
            p.setdefault("household", key)
    return s


@pytest.mark.parametrize("sc", [p.values[0] for p in SCENARIOS])
def test_one_keyed_household_gives_the_same_result(sc):
    """A single household named by a key is the v2 situation: same procedures, persons,
    explanations."""
    cat = demo_catalog()
    if "situation" in sc:
        plain, keyed = (
            determine(sc["situation"], cat),
            determine(_keyed(sc["situation"], "H1"), cat),
        )
    else:
        plain = determine_visit(sc["visit"], cat)
        keyed = determine_visit([_keyed(s, "H1") for s in sc["visit"]], cat)
    assert keyed == plain


def _marriage(one_household: bool) -> dict:
    persons = [
        {"id": "p1", "relationship": "head", "birth_date": "1965-04-04", "sex": "male"},
        {"id": "p2", "relationship": "spouse", "birth_date": "1967-08-08", "sex": "female"},
        {"id": "p3", "relationship": "child", "birth_date": "1996-01-20", "sex": "male"},
        {"id": "p4", "relationship": "head", "birth_date": "1997-06-30", "sex": "female"},
    ]
    if one_household:  # the bride written as the spouse of the father's household
        persons[3]["relationship"] = "spouse"
    else:
        for p, key in zip(persons, "AAAB", strict=True):
            p["household"] = key
    return {
        "event": "marriage",
        "event_date": "2027-05-10",
        "couple": ["p3", "p4"],
        "surname_changes": ["p4"],
        "persons": persons,
    }


def test_a_bride_from_another_household_is_not_a_second_spouse():
    cat = demo_catalog()
    with pytest.raises(SituationError) as info:
        determine(_marriage(one_household=True), cat)
    assert info.value.message == "配偶者は1人までです"
    result = determine(_marriage(one_household=False), cat)
    got = {p["id"]: p["persons"] for p in result["procedures"]}
    assert got["family_register.marriage"] == ["p3", "p4"]


def test_a_person_outside_changes_nothing_but_the_names():
    cat = demo_catalog()
    s = _marriage(one_household=False)
    with_agent = copy.deepcopy(s)
    with_agent["persons"].append({"id": "a1", "outside": True, "register": {"name": "代理"}})
    assert determine(with_agent, cat) == determine(s, cat)


def test_household_level_procedures_name_their_household():
    cat = demo_catalog()
    s = {
        "event": "death",
        "event_date": "2027-06-01",
        "deceased": "p1",
        "persons": [
            {
                "id": "p1",
                "household": "A",
                "relationship": "head",
                "birth_date": "1950-01-01",
                "sex": "male",
            },
            {
                "id": "p2",
                "household": "A",
                "relationship": "spouse",
                "birth_date": "1952-01-01",
                "sex": "female",
            },
            {
                "id": "p3",
                "household": "A",
                "relationship": "child",
                "birth_date": "1990-01-01",
                "sex": "male",
            },
            {
                "id": "p5",
                "household": "B",
                "relationship": "head",
                "birth_date": "1960-01-01",
                "sex": "male",
            },
            {
                "id": "p6",
                "household": "B",
                "relationship": "spouse",
                "birth_date": "1962-01-01",
                "sex": "female",
            },
        ],
    }
    entry = next(
        p for p in determine(s, cat)["procedures"] if p["id"] == "registry.household_change"
    )
    assert entry["households"] == ["A"]
    assert entry["because"][0].startswith("世帯 A: ")


# ---------------------------------------------------------------- spouses after the event


def _two_couples(event: str, **details) -> dict:
    """Two households of one visit, each a head and a spouse (a marriage's parents)."""
    return {
        "event": event,
        "persons": [
            {"id": "p1", "relationship": "head", "household": "A"},
            {"id": "p2", "relationship": "spouse", "household": "A"},
            {"id": "p3", "relationship": "child", "household": "A"},
            {"id": "p4", "relationship": "head", "household": "B"},
            {"id": "p5", "relationship": "spouse", "household": "B"},
            {"id": "p6", "relationship": "child", "household": "B"},
            {"id": "p9", "outside": True},
        ],
        **details,
    }


def test_spouses_pair_within_each_household_only():
    from madoguchi.rules.family import spouses_of

    assert spouses_of(_two_couples("move_within")) == {
        "p1": "p2",
        "p2": "p1",
        "p4": "p5",
        "p5": "p4",
    }


def test_a_marriage_joins_its_couple_and_a_divorce_parts_it():
    from madoguchi.rules.family import spouses_of

    wed = spouses_of(_two_couples("marriage", couple=["p3", "p6"]))
    assert (wed["p3"], wed["p6"], wed["p1"]) == ("p6", "p3", "p2")
    parted = spouses_of(_two_couples("divorce", couple=["p1", "p2"]))
    assert "p1" not in parted and "p2" not in parted and parted["p4"] == "p5"
    # a visit's merged situation (婚姻 with 転居) names its events
    merged = _two_couples("move_within", couple=["p1", "p2"], events=["move_within", "divorce"])
    assert "p1" not in spouses_of(merged)
