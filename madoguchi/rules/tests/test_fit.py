"""Questions fit the person (issue 11): 妊娠中 only of a woman of child-bearing age,
生計中心者 only among adults, 保育所等 only of a child before school start, ひとり親 only
of a mother without a spouse; a man marked
pregnant is an invalid situation naming the field."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import ages, fit, needed_facts
from madoguchi.rules.situation import SituationError, validate

ON = date(2027, 3, 29)


def _family(event="move_in", **details):
    s = {
        "event": event,
        "event_date": ON.isoformat(),
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1985-06-01", "sex": "male"},
            {"id": "p2", "relationship": "spouse", "birth_date": "1987-09-15", "sex": "female"},
            {"id": "p3", "relationship": "child", "birth_date": "2017-06-10", "sex": "male"},
            {"id": "p4", "relationship": "child", "birth_date": "2023-02-20", "sex": "female"},
        ],
    }
    s.update(details)
    return s


def _asked(s):
    return {(q["person"], q["asks"]) for q in needed_facts(s, demo_catalog())}


def _who(s, asks):
    return {p for p, a in _asked(s) if a == asks}


def test_pregnant_is_asked_of_the_mother_only():
    assert _who(_family(), "pregnant") == {"p2"}


def test_primary_earner_is_asked_among_adults_only():
    who = _who(_family(), "primary_earner")
    assert who and who <= {"p1", "p2"}


def test_nursery_is_asked_of_the_preschool_child_only():
    # 健一 and 美咲 (adults) and 翔 (at school) are not asked; 結衣 (4) is
    assert _who(_family(), "nursery_wanted") == {"p4"}
    assert _who(_family("move_out"), "nursery_enrolled") <= {"p4"}
    assert not fit.flag_fits("nursery_wanted", {"birth_date": "1987-09-15"}, ON)
    assert fit.flag_fits("nursery_wanted", {"birth_date": "2023-02-20"}, ON)


def test_single_parent_is_not_asked_with_a_spouse():
    birth = {
        "newborn": "p4",
        "mother": "p2",
        "birth_weight_g": 3000,
    }
    s = _family("birth", **birth)
    s["persons"][3]["birth_date"] = ON.isoformat()
    assert (None, "event.single_parent") not in _asked(s)
    # the mother alone with her children: asked
    alone = _family("birth", **birth)
    alone["persons"][3]["birth_date"] = ON.isoformat()
    alone["persons"] = alone["persons"][1:]
    alone["persons"][0]["relationship"] = "head"
    assert (None, "event.single_parent") in _asked(alone)


def test_a_man_marked_pregnant_is_refused_naming_the_field():
    s = _family()
    s["persons"][0]["flags"] = ["pregnant"]
    with pytest.raises(SituationError) as e:
        validate(s)
    assert e.value.field == "persons[0].flags" and "妊娠" in e.value.message


@pytest.mark.django_db
def test_the_rules_api_refuses_a_pregnant_man_with_the_field(clerk_client):
    s = _family()
    s["persons"][2]["flags"] = ["pregnant"]
    r = clerk_client.post("/api/rules/determine", json.dumps(s), content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "persons[2].flags"


def test_the_ranges_come_from_ages():
    low, high = ages.CHILDBEARING_AGES
    woman = {"sex": "female"}
    born = date(1990, 4, 1)
    assert fit.flag_fits("pregnant", {**woman, "birth_date": born}, ages.nth_birthday(born, low))
    assert not fit.flag_fits(
        "pregnant", {**woman, "birth_date": born}, ages.nth_birthday(born, low) - timedelta(1)
    )
    assert fit.flag_fits("pregnant", {**woman, "birth_date": born}, ages.nth_birthday(born, high))
    assert not fit.flag_fits(
        "pregnant", {**woman, "birth_date": born}, ages.nth_birthday(born, high + 1)
    )
    # 成年: 18 now, 20 before 2022-04-01 (民法4条)
    assert fit.flag_fits("primary_earner", {"birth_date": "2004-05-01"}, date(2022, 5, 1))
    assert not fit.flag_fits("primary_earner", {"birth_date": "2003-05-01"}, date(2022, 3, 1))


@settings(max_examples=200, deadline=None)
@given(
    sex=st.sampled_from(["male", "female"]),
    age_days=st.integers(min_value=0, max_value=110 * 366),
    relationship=st.sampled_from(["spouse", "child", "parent", "relative", "cohabitant"]),
)
def test_every_question_put_fits_the_person(sex, age_days, relationship):
    """Over any sex and age of a household member: 妊娠中 is asked only of a woman within
    ``CHILDBEARING_AGES``, 生計中心者 only of an adult, 保育所等 only of a child before
    school start — and a woman of those ages is
    asked whether she is pregnant (the question is not lost)."""
    birth = ON - timedelta(days=age_days)
    s = {
        "event": "move_in",
        "event_date": ON.isoformat(),
        "persons": [
            {"id": "h", "relationship": "head", "birth_date": "1980-01-01", "sex": "male"},
            {"id": "x", "relationship": relationship, "birth_date": birth.isoformat(), "sex": sex},
        ],
    }
    asked = {a for p, a in _asked(s) if p == "x"}
    years = ages.completed_years(birth, ON)
    low, high = ages.CHILDBEARING_AGES
    may_be_pregnant = sex == "female" and low <= years <= high
    assert ("pregnant" in asked) == may_be_pregnant
    if "primary_earner" in asked:
        assert ages.adult(birth, ON)
    # 保育所等: asked of a child before school start, and of no one else
    assert ("nursery_wanted" in asked) == ages.preschool(birth, ON)
