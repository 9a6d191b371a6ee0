"""`because` and `not_applicable` are generated from the conditions and the facts, for
every example and scenario: each applicable procedure names its persons and, where an
age rule decided, their birth dates; each procedure left out says why."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import determine, determine_visit
from madoguchi.rules.engine import AGE_FACTS
from madoguchi.rules.logic import quantified, var_paths

from .test_examples import EXAMPLES
from .test_scenarios import SCENARIO_DIR

PID = re.compile(r"^(p\w+): ")


def cases() -> list:
    out = [
        pytest.param(yaml.safe_load(p.read_text("utf-8")), id=p.name.split(".")[0])
        for p in EXAMPLES
    ]
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for sc in yaml.safe_load(path.read_text("utf-8"))["scenarios"]:
            case = sc["situation"] if "situation" in sc else sc["visit"]
            out.append(pytest.param(case, id=f"{path.stem}: {sc['name']}"))
    return out


CASES = cases()


def reads_age(cond) -> bool:
    if cond.scope == "person":
        return bool(cond.reads & AGE_FACTS)
    return any(var_paths(pred) & AGE_FACTS for pred in quantified(cond.logic))


def age_decides(cat, proc_id: str, events: list[str], event_date, scope: str) -> bool:
    """Every trigger of the procedure for these events rests on an age condition of the
    given scope (person: the person's own age; event: some household member's)."""
    view = cat.at(event_date)
    proc = cat.procedure(proc_id, event_date)
    triggers = [t for t in proc.triggers if any(t.for_event(e) for e in events)]
    return bool(triggers) and all(
        any(
            view.conditions[cid].scope == scope and reads_age(view.conditions[cid])
            for cid, neg in t.when
            if not neg
        )
        for t in triggers
    )


def test_cases_cover_examples_and_scenarios():
    assert len(CASES) >= len(EXAMPLES) + 80


@pytest.mark.parametrize("case", CASES)
def test_every_answer_is_explained(case):
    cat = demo_catalog()
    situations = case if isinstance(case, list) else [case]
    result = determine_visit(case, cat) if isinstance(case, list) else determine(case, cat)
    # persons outside every household are named, never evaluated (situation.md)
    persons = {p["id"]: p for s in situations for p in s["persons"] if not p.get("outside")}
    events = [s["event"] for s in situations]
    event_date = min(dt.date.fromisoformat(str(s["event_date"])) for s in situations)
    births = {pid: str(p["birth_date"]) for pid, p in persons.items()}
    for proc in result["procedures"]:
        because = proc["because"]
        assert because and all(b.strip() for b in because), proc["id"]
        if proc["persons"]:  # per person: one line per person concerned, named by id
            named = [PID.match(b).group(1) for b in because]
            assert sorted(set(named)) == sorted(proc["persons"]), (proc["id"], because)
            if age_decides(cat, proc["id"], events, event_date, "person"):
                for b in because:
                    pid = PID.match(b).group(1)
                    assert f"{births[pid]} 生まれ" in b, (proc["id"], b)
        else:  # household: the persons the household condition rests on
            assert any(re.search(rf"\b{pid}\b", b) for b in because for pid in persons), (
                proc["id"],
                because,
            )
        if age_decides(cat, proc["id"], events, event_date, "event"):
            assert any(f"{d} 生まれ" in b for b in because for d in births.values()), because
    for na in result["not_applicable"]:
        assert na["because"].strip(), na["id"]
        proc = cat.procedure(na["id"], event_date)
        if proc.scope == "person" and "二重に計上しない" not in na["because"]:
            for pid in persons:  # every person failed some condition, and is named
                assert re.search(rf"\b{pid}\b", na["because"]), (na["id"], pid, na["because"])


def example(name: str) -> dict:
    path = next(p for p in EXAMPLES if p.name.startswith(name + "."))
    return determine(yaml.safe_load(path.read_text("utf-8")), demo_catalog())


def by_id(result: dict, key: str = "procedures") -> dict:
    return {e["id"]: e["because"] for e in result[key]}


def test_exact_wording_move_in_family():
    result = example("move_in_family_of_four")
    because = by_id(result)
    assert because["school.transfer_in"] == [
        "p3: 異動する・学齢（小学校）: 2017-06-10 生まれ, 就学 2024-04-01・私立・国立の学校に通っていない"
    ]
    assert because["child_allowance.claim"] == [
        "p1: 異動する子（p3 2017-06-10 生まれ, p4 2023-02-20 生まれ）の児童手当の請求者"
        "（親のうち生計中心者、ひとりならその親、いなければ世帯主）・異動する・公務員ではない"
    ]
    assert because["seal.register"] == [
        "p2: 異動する・印鑑登録を希望する・満15歳以上（39歳、1987-09-15 生まれ）"
    ]
    assert by_id(result, "not_applicable")["care.enroll"] == (
        "p1: 65歳に達していない（1985-06-01 生まれ） / p2: 65歳に達していない（1987-09-15 生まれ）"
        " / p3: 65歳に達していない（2017-06-10 生まれ） / p4: 65歳に達していない（2023-02-20 生まれ）"
    )


def test_exact_wording_death_of_head():
    result = example("death_of_household_head")
    assert by_id(result)["registry.household_change"] == [
        "亡くなった方が世帯主で、残る世帯員に15歳以上が2人以上いる"
        "（p1; p2 1958-12-12 生まれ, p3 1975-08-08 生まれ）"
    ]
    assert by_id(result)["family_register.death"] == ["p1: 亡くなった方"]


def test_a_household_condition_that_fails_names_no_witness():
    s = yaml.safe_load(
        (Path(EXAMPLES[0]).parent / "death_of_household_head.situation.yaml").read_text("utf-8")
    )
    s["persons"] = [p for p in s["persons"] if p["id"] in ("p1", "p2")]
    result = determine(s, demo_catalog())
    assert by_id(result, "not_applicable")["registry.household_change"] == (
        "亡くなった方が世帯主ではないか、残る世帯員の15歳以上が2人未満"
    )


@pytest.mark.parametrize(
    ("code", "name"), [("XC", "朝鮮"), ("XS", "無国籍"), ("VN", "ベトナム"), ("XX", "不明")]
)
def test_a_foreign_national_is_explained_by_the_country_name_never_the_code(code, name):
    s = yaml.safe_load(
        next(p for p in EXAMPLES if p.name.startswith("move_in_family_of_four.")).read_text("utf-8")
    )
    for p in s["persons"]:
        p["nationality"] = code
    result = determine(s, demo_catalog())
    because = by_id(result)["foreign_resident.address_notification"]
    assert because and all(f"外国籍（{name}）" in b for b in because), because
    assert not any(f"（{code}）" in b for b in because)
    # the procedure left out for a Japanese national says why, in words
    for p in s["persons"]:
        p["nationality"] = "JP"
    japanese = by_id(determine(s, demo_catalog()), "not_applicable")
    assert "日本国籍" in japanese["foreign_resident.address_notification"]


def test_conditions_on_nationality_read_names():
    from madoguchi.rules.explain import to_japanese, trigger_text

    names = demo_catalog().at(dt.date(2027, 4, 1)).value_names
    text = to_japanese({"!=": [{"var": "person.nationality"}, "JP"]}, names=names)
    assert text == "国籍 が 日本 でない"
    assert to_japanese({"in": [{"var": "nationality"}, ["XC", "XS", "ZZ"]]}, True, names) == (
        "国籍 が 朝鮮・無国籍・一覧にない国籍・地域 のいずれか"
    )
    # other values keep their labels
    nhi = {"==": [{"var": "person.health_insurance"}, "nhi"]}
    assert "国民健康保険" in to_japanese(nhi, names=names)
    # the catalog browser's generated Japanese of the 住居地の届出's trigger
    view = demo_catalog().at(dt.date(2027, 4, 1))
    proc = demo_catalog().procedure("foreign_resident.address_notification", dt.date(2027, 4, 1))
    texts = [c["logic_ja"] for t in proc.triggers for c in trigger_text(t, view.conditions, names)]
    assert "国籍 が 日本 でない" in texts and not any("JP" in t for t in texts)
