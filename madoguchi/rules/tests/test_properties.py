"""Properties of determine over generated households (hypothesis)."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import determine
from madoguchi.rules.facts import FLAGS, MOVE_EVENTS
from madoguchi.rules.fit import SEX_OF_FLAG

SAFE_FLAGS = sorted(
    set(FLAGS)
    - {"public_servant", "child_allowance_recipient", "primary_earner", "special_address_facility"}
)


@st.composite
def situations(draw):
    event = draw(
        st.sampled_from(
            ["move_in", "move_out", "move_within", "move_out_abroad", "death", "marriage"]
        )
    )
    # from the catalog's first version: every dated rule (2019 … 2025) is crossed
    d = draw(st.dates(min_value=date(2016, 1, 1), max_value=date(2030, 3, 31)))
    n = draw(st.integers(min_value=2, max_value=5))
    persons = []
    for i in range(n):
        rel = "head" if i == 0 else "spouse" if i == 1 else "child"
        age_days = draw(st.integers(min_value=0, max_value=95 * 365))
        sex = draw(st.sampled_from(["male", "female"]))
        # a flag that only one sex can hold (妊娠している) is drawn only for that sex
        fitting = [f for f in SAFE_FLAGS if SEX_OF_FLAG.get(f, sex) == sex]
        persons.append(
            {
                "id": f"p{i + 1}",
                "relationship": rel,
                "birth_date": (d - timedelta(days=age_days)).isoformat(),
                "sex": sex,
                "health_insurance": draw(st.sampled_from(["nhi", "employee", "elderly", "none"])),
                "pension": draw(st.sampled_from(["1", "2", "3", "none"])),
                "flags": draw(st.lists(st.sampled_from(fitting), unique=True, max_size=4)),
            }
        )
    s = {"event": event, "event_date": d.isoformat(), "persons": persons}
    if event in MOVE_EVENTS:
        persons[0]["moving"] = True
        for p in persons[1:]:
            p["moving"] = draw(st.booleans())
        if event == "move_in" and draw(st.booleans()):
            persons[0]["flags"].append("special_address_facility")
    if event == "death":
        s["deceased"] = draw(st.sampled_from([p["id"] for p in persons]))
    if event == "marriage":
        s["couple"] = ["p1", "p2"]
        s["surname_changes"] = draw(st.sampled_from([[], ["p1"], ["p2"]]))
    return s


def as_sets(result):
    return {p["id"]: set(p["persons"]) for p in result["procedures"]}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations(), st.randoms(use_true_random=False))
def test_person_order_does_not_matter_and_every_procedure_is_accounted_for(s, rnd):
    cat = demo_catalog()
    result = determine(s, cat)
    shuffled = dict(s, persons=list(s["persons"]))
    rnd.shuffle(shuffled["persons"])
    assert as_sets(determine(shuffled, cat)) == as_sets(result)
    applied = {p["id"] for p in result["procedures"]}
    explained = {n["id"] for n in result["not_applicable"]}
    assert not applied & explained
    triggerable = {p.id for p, _ in cat.at(date.fromisoformat(s["event_date"])).plans[s["event"]]}
    assert applied | explained == triggerable
    for p in result["procedures"]:
        assert len(p["because"]) == max(len(p["persons"]), 1)
        assert set(p["persons"]) <= {x["id"] for x in s["persons"]}


@settings(max_examples=100, deadline=None)
@given(situations())
def test_only_movers_get_move_procedures(s):
    if s["event"] not in MOVE_EVENTS:
        return
    movers = {p["id"] for p in s["persons"] if p.get("moving")}
    for p in determine(s, demo_catalog())["procedures"]:
        if p["id"].startswith("registry.move") or p["id"] in (
            "school.transfer_in",
            "school.transfer_out",
            "seal.abolish",
        ):
            assert set(p["persons"]) <= movers, p["id"]
