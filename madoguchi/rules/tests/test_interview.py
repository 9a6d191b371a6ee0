"""needed_facts asks only what a rule can still use."""

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import needed_facts


def family(event="move_in", **details):
    s = {
        "event": event,
        "event_date": "2027-04-01",
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1985-06-01", "sex": "male"},
            {"id": "p2", "relationship": "child", "birth_date": "2017-06-10", "sex": "male"},
            {"id": "p3", "relationship": "child", "birth_date": "2023-02-20", "sex": "female"},
        ],
    }
    s.update(details)
    return s


def asked(s, **kw):
    return {(q["person"], q["asks"]) for q in needed_facts(s, demo_catalog(), **kw)}


def test_age_limits_what_is_asked():
    q = asked(family())
    assert ("p1", "wants_seal") in q  # 15+: a seal can be registered
    assert ("p2", "wants_seal") not in q and ("p3", "wants_seal") not in q
    assert ("p2", "private_school") in q  # school age
    assert ("p3", "private_school") not in q and ("p1", "private_school") not in q
    assert (None, "event.same_prefecture") not in q  # nobody is in 後期高齢者医療


def test_known_answers_are_not_asked_again():
    s = family()
    s["persons"][0]["flags"] = ["wants_seal"]
    q = asked(s, known={"p2": ["private_school"]})
    assert ("p1", "wants_seal") not in q and ("p2", "private_school") not in q


def test_event_detail_asked_only_when_a_rule_needs_it():
    s = family()
    s["persons"][0].update(health_insurance="elderly", birth_date="1945-01-01")
    assert (None, "event.same_prefecture") in asked(s)
    assert (None, "event.same_prefecture") not in asked({**s, "same_prefecture": False})


def test_questions_name_their_fact_and_persons():
    cat = demo_catalog()
    assert cat.questions
    for q in cat.questions:
        assert q.text and q.events and q.asks


def test_v2_questions_are_asked_where_a_rule_reads_them():
    q = asked(family())
    assert ("p1", "primary_earner") in q  # the claimant of the moving kids depends on it
    assert ("p1", "special_address_facility") in q  # 住所地特例: asked of movers in
    b = asked(
        {
            **family("birth", newborn="p3", mother="p1", birth_weight_g=1900),
            "event_date": "2023-02-20",
        }
    )
    assert (None, "event.premature_hospitalized") in b
    assert ("p2", "special_address_facility") not in b  # not a birth question
