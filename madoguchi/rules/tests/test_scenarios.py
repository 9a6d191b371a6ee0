"""Clerk-readable scenarios (scenarios/*.yaml): a situation and the procedures expected."""

from pathlib import Path

import pytest
import yaml

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import determine, determine_visit

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
ALLOWED = {
    "name",
    "situation",
    "visit",
    "expect",
    "includes",
    "excludes",
    "because",
    "because_not",
}


def load_scenarios():
    out = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for sc in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            out.append(pytest.param(sc, id=f"{path.stem}: {sc['name']}"))
    return out


SCENARIOS = load_scenarios()


def test_there_are_many_scenarios():
    assert len(SCENARIOS) >= 80


@pytest.mark.parametrize("sc", SCENARIOS)
def test_scenario(sc):
    assert set(sc) <= ALLOWED, set(sc) - ALLOWED
    assert ("situation" in sc) != ("visit" in sc)
    assert {"expect", "includes", "excludes"} & set(sc)
    cat = demo_catalog()
    result = (
        determine(sc["situation"], cat) if "situation" in sc else determine_visit(sc["visit"], cat)
    )
    got = {p["id"]: sorted(p["persons"]) for p in result["procedures"]}
    for pid in (
        list(sc.get("expect") or {})
        + list(sc.get("includes") or {})
        + list(sc.get("excludes") or [])
    ):
        assert pid in cat.procedures, f"unknown procedure {pid}"
    if "expect" in sc:
        assert got == {k: sorted(v) for k, v in sc["expect"].items()}
    for pid, persons in (sc.get("includes") or {}).items():
        assert pid in got, f"{pid} missing; got {sorted(got)}"
        assert got[pid] == sorted(persons), pid
    for pid in sc.get("excludes") or []:
        assert pid not in got, f"{pid} should not apply: {got[pid]}"
        events = [x["event"] for x in sc.get("visit") or [sc.get("situation")]]
        triggerable = any(
            t.for_event(e) for v in cat.procedures[pid] for t in v.triggers for e in events
        )
        if triggerable:  # a procedure the event can trigger is explained when it does not apply
            assert any(n["id"] == pid for n in result["not_applicable"]), f"{pid} not explained"
    for pid, text in (sc.get("because") or {}).items():
        entry = next(p for p in result["procedures"] if p["id"] == pid)
        assert any(text in b for b in entry["because"]), entry["because"]
    for pid, text in (sc.get("because_not") or {}).items():
        entry = next(n for n in result["not_applicable"] if n["id"] == pid)
        assert text in entry["because"], entry["because"]
