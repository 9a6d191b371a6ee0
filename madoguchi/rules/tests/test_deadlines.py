"""Deadlines: a date where the catalog gives days, else null; the Japanese text always kept."""

import pytest
import yaml

from conftest import EXAMPLES_DIR
from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import determine

EX = EXAMPLES_DIR


def by_id(name):
    s = yaml.safe_load((EX / f"{name}.situation.yaml").read_text())
    return {p["id"]: p for p in determine(s, demo_catalog())["procedures"]}


def test_move_in_deadlines():
    r = by_id("move_in_family_of_four")  # event_date 2027-04-01
    assert r["registry.move_in"]["deadline"] == "2027-04-15"
    assert r["registry.move_in"]["deadline_text"] == "転入した日から14日以内"
    assert r["child_allowance.claim"]["deadline"] == "2027-04-16"  # 15 days from the day after
    assert r["dog.registration_change"]["deadline"] == "2027-05-01"
    assert r["school.transfer_in"]["deadline"] is None
    assert r["school.transfer_in"]["deadline_text"] == "最初の登校日の前まで"
    assert r["seal.register"]["deadline"] is None and r["seal.register"]["deadline_text"] is None


def test_birth_counts_the_day_of_birth():
    r = by_id("birth_low_weight_nhi_mother")  # born 2027-06-12
    assert r["family_register.birth"]["deadline"] == "2027-06-25"


def test_death_deadline_runs_from_the_day_the_death_became_known():
    # 戸籍法86条: 7 days from the day the death became known (the day of death unless
    # told otherwise), that day counted: died 2027-01-15 → 2027-01-21
    r = by_id("death_of_household_head")
    assert r["family_register.death"]["deadline"] == "2027-01-21"
    assert "7日以内" in r["family_register.death"]["deadline_text"]
    assert r["registry.household_change"]["deadline"] == "2027-01-29"


def _one(situation: dict, proc_id: str) -> dict:
    return next(p for p in determine(situation, demo_catalog())["procedures"] if p["id"] == proc_id)


def _divorce(on: str) -> dict:
    return {
        "event": "divorce",
        "event_date": on,
        "couple": ["p1", "p2"],
        "keeps_married_surname": ["p2"],
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1980-01-01", "sex": "male"},
            {"id": "p2", "relationship": "spouse", "birth_date": "1982-01-01", "sex": "female"},
        ],
    }


@pytest.mark.parametrize(
    ("divorced", "last_day"),
    [
        ("2027-02-01", "2027-05-01"),  # the day number of the third following month
        ("2027-11-30", "2028-02-29"),  # no 30 February: the last day of that month
        ("2027-04-30", "2027-07-31"),  # divorced on the last day of April: last day of July
        ("2027-01-31", "2027-04-30"),
        ("2027-12-15", "2028-03-15"),  # across the year
    ],
)
def test_keep_married_surname_counts_three_calendar_months(divorced, last_day):
    entry = _one(_divorce(divorced), "family_register.keep_married_surname")
    assert entry["deadline"] == last_day


def test_add_months_matches_the_civil_code_day_by_day():
    """民法140条・143条 stated independently: the period starts the day after the event;
    it ends the day before the day with the start's day number in the third month after,
    or, when that month has no such day, on its last day."""
    import calendar
    import datetime as dt

    from madoguchi.rules.deadlines import add_months

    d = dt.date(2027, 1, 1)
    while d < dt.date(2029, 1, 1):
        start = d + dt.timedelta(days=1)
        y, m = divmod(start.month - 1 + 3, 12)
        year, month = start.year + y, m + 1
        if start.day <= calendar.monthrange(year, month)[1]:
            expected = dt.date(year, month, start.day) - dt.timedelta(days=1)
        else:
            expected = dt.date(year, month, calendar.monthrange(year, month)[1])
        assert add_months(d, 3) == expected, d
        d += dt.timedelta(days=1)


def test_abroad_card_continuation_is_due_the_day_before_departure():
    s = {
        "event": "move_out_abroad",
        "event_date": "2027-06-01",
        "persons": [
            {
                "id": "p1",
                "relationship": "head",
                "birth_date": "1980-01-01",
                "sex": "male",
                "flags": ["my_number_card"],
            },
        ],
    }
    entry = _one(s, "mynumber.card_update")
    assert entry["deadline"] == "2027-05-31"
    assert entry["deadline_text"] == "出国の前日まで"
    s["event"] = "move_within"
    assert _one(s, "mynumber.card_update")["deadline"] == "2027-06-15"


def test_child_allowance_claim_counts_from_the_planned_move_out_date():
    s = {
        "event": "move_in",
        "event_date": "2027-04-01",
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1985-01-01", "sex": "female"},
            {"id": "p2", "relationship": "child", "birth_date": "2020-01-01", "sex": "male"},
        ],
    }
    assert _one(s, "child_allowance.claim")["deadline"] == "2027-04-16"
    s["planned_move_out_date"] = "2027-03-25"
    assert _one(s, "child_allowance.claim")["deadline"] == "2027-04-09"
    assert "転出予定日" in _one(s, "child_allowance.claim")["deadline_text"]
