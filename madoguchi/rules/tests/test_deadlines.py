"""Deadlines: a date where the catalog gives days, else null; the Japanese text always kept."""

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


def test_death_deadline_is_not_computable():
    r = by_id("death_of_household_head")
    assert r["family_register.death"]["deadline"] is None
    assert "7日以内" in r["family_register.death"]["deadline_text"]
    assert r["registry.household_change"]["deadline"] == "2027-01-29"
