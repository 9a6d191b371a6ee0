"""``determine``: which procedures a situation triggers (situation.md, procedures.md).

Pure: no database. The catalog's conditions are JSON Logic evaluated by datalogic-py on
the facts of each person (register fields, interview flags, roles named by the event,
age predicates at the event date). Explanations are built from the conditions' labels.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import datalogic_py

from . import ages
from .deadlines import deadline_date
from .facts import FLAGS, SCHOOL_STAGE_JA
from .family import Family, newborns_of
from .logic import ENGINE, quantified, var_paths
from .situation import SituationError, after_key, validate

_local = threading.local()


def _session():
    s = getattr(_local, "session", None)
    if s is None:
        s = _local.session = ENGINE.session()
    return s


def person_facts(p: dict, s: dict, params: dict, family: dict | None = None) -> dict:
    """Every fact a rule may read about one person, at the event date (``family``: the
    relational facts of :mod:`madoguchi.rules.family` for this person)."""
    d: date = s["event_date"]
    b: date = p["birth_date"]
    pid = p["id"]
    child_age = ages.until_march_after_reached(b, d, params["child_allowance_age_limit"])
    stage = ages.school_stage(b, d)
    facts: dict[str, Any] = {
        "id": pid,
        "relationship": p["relationship"],
        "sex": p["sex"],
        "nationality": p["nationality"],
        "birth_date": b.isoformat(),
        "moving": p["moving"],
        "health_insurance": p["health_insurance"],
        "health_insurance_before": p["health_insurance_before"],
        "pension": p["pension"],
        "pension_before": p["pension_before"],
        "deceased": s.get("deceased") == pid,
        "newborn": pid in newborns_of(s),
        "mother": s.get("mother") == pid,
        "in_couple": pid in s.get("couple", ()),
        "surname_changes": pid in s.get("surname_changes", ()),
        "keeps_married_surname": pid in s.get("keeps_married_surname", ()),
        "custodial_parent": s.get("custodial_parent") == pid,
        "household": p.get("household", ""),
        "household_after": after_key(p),
        "head_after": p.get("head_after", False),
        "changes_household": after_key(p) != p.get("household", ""),
        "becomes_head": p.get("head_after", False) and p["relationship"] != "head",
        "age": ages.completed_years(b, d),
        "completed_15": ages.completed_years(b, d) >= 15,
        "reached_65": ages.reached(b, d, 65),
        "child_age": child_age,
        "child_medical_age": ages.until_march_after_reached(
            b, d, params["child_medical_age_limit"]
        ),
        "school_entry_notice": ages.school_entry_notice(b, d),
        "school_age": stage is not None,
        "school_stage": stage,
        "school_start": ages.school_start(b).isoformat(),
        "preschool": ages.preschool(b, d),
        "pension_age": ages.pension_age(b, d),
        "care_insured": ages.care_insured(b, d),
        "elderly_medical_age": ages.elderly_medical(b, d),
    }
    if family is None:
        family = Family(s, params["child_allowance_age_limit"]).facts()[pid]
    facts.update(family)
    flags = p["flags"]
    for f in FLAGS:
        facts[f] = f in flags
    return facts


def event_facts(s: dict) -> dict:
    return {
        "id": s["event"],
        "date": s["event_date"].isoformat(),
        "same_prefecture": s.get("same_prefecture", False),
        "school_district_changes": s.get("school_district_changes", False),
        "lump_sum_difference": s.get("lump_sum_difference", False),
        "single_parent": s.get("single_parent", False),
        "birth_weight_g": s.get("birth_weight_g"),
        "premature_hospitalized": s.get("premature_hospitalized", False),
        "planned_move_out_date": (
            s["planned_move_out_date"].isoformat() if s.get("planned_move_out_date") else None
        ),
        "death_known_date": (
            s["death_known_date"].isoformat() if s.get("death_known_date") else None
        ),
    }


def newborn_event(s: dict, event: dict, pid: str) -> dict:
    """The event facts as one newborn of twins (triplets …) sees them: its own weight and
    its own hospitalisation as premature (situation.md, "Several newborns")."""
    weights = s.get("birth_weights_g") or {}
    if pid not in weights:
        return event
    own = {
        "birth_weight_g": weights[pid],
        "premature_hospitalized": pid in s.get("premature_newborns", ()),
    }
    return event if all(event[k] == v for k, v in own.items()) else {**event, **own}


# Why a procedure of this city's residents is not decided for the deceased from outside.
OUTSIDE_REASON = "世帯外の方（この市に住民登録がない）: 市の資格・記録の手続は住所地で行う"


def outside_facts(p: dict, s: dict, params: dict, family: dict) -> dict:
    """The facts of a person outside every household whom the event names for a procedure
    the law makes this city decide (the deceased: ``applies_outside``). They hold no
    status here: no insurance, pension or flag of this city."""
    filled = {
        **p,
        "relationship": None,
        "nationality": p.get("nationality", "JP"),
        "moving": False,
        "health_insurance": "none",
        "health_insurance_before": None,
        "pension": "none",
        "pension_before": None,
        "flags": set(),
    }
    return {**person_facts(filled, s, params, family), "outside": True}


class _Fmt(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def format_values(person: dict | None, event: dict, names: dict | None = None) -> _Fmt:
    """The values a label's placeholders take; ``names``: fact → {value: the words for
    it} (the catalog's ``value_names``: a nationality is named, 朝鮮, never given as its
    code, XC)."""
    values = _Fmt({f"event_{k}": v for k, v in event.items()})
    if person:
        values.update(person)
        values["school_stage"] = SCHOOL_STAGE_JA.get(person.get("school_stage"), "")
        for fact, words in (names or {}).items():
            if fact in person and person[fact] is not None:
                values[fact] = words.get(person[fact], words.get("", person[fact]))
    return values


def fill(template: str, person: dict | None, event: dict, names: dict | None = None) -> str:
    return template.format_map(format_values(person, event, names))


# Person facts derived from the birth date: an explanation that rests on them gives it.
AGE_FACTS = frozenset(
    {
        "birth_date",
        "age",
        "completed_15",
        "reached_65",
        "child_age",
        "child_medical_age",
        "kid",
        "support_kid",
        "kid_of_couple",
        "support_kid_of_couple",
        "school_entry_notice",
        "school_age",
        "school_stage",
        "school_start",
        "preschool",
        "pension_age",
        "care_insured",
        "elderly_medical_age",
    }
)


def _witness_plan(cond) -> list[tuple[Any, bool]]:
    """(compiled predicate, reads an age fact) per quantifier of a household condition,
    made once and kept on the condition."""
    plan = cond.witness_plan
    if plan is None:
        plan = cond.witness_plan = [
            (ENGINE.compile(pred), bool(var_paths(pred) & AGE_FACTS))
            for pred in quantified(cond.logic)
        ]
    return plan


class _Evaluation:
    """One situation against one catalog view, with per-person condition caching.

    Index ``i >= 0`` is a person; ``-1 - k`` is the ``k``-th household (``-1`` the only
    one of a single-household situation). Rules see, in ``persons``, the members of the
    household in question: every v2 rule keeps its meaning per household."""

    def __init__(self, s: dict, view):
        self.s = s
        self.view = view
        self.event = event_facts(s)
        fam = Family(s, view.parameters["child_allowance_age_limit"])
        family = fam.facts()
        self.persons = [person_facts(p, s, view.parameters, family[p["id"]]) for p in s["persons"]]
        keys = list(dict.fromkeys(p.get("household", "") for p in s["persons"]))
        self.households: list[list[int]] = [
            [i for i, p in enumerate(s["persons"]) if p.get("household", "") == key] for key in keys
        ]
        self.household_keys = keys
        self._household_of = {i: -1 - k for k, hh in enumerate(self.households) for i in hh}
        # the deceased from outside every household: decided alone, for the procedures
        # the law makes this city decide (situation.md, "Persons outside the households")
        self.outside: list[int] = []
        for p in s.get("outside", ()):
            if p["id"] == s.get("deceased"):
                i = len(self.persons)
                self.persons.append(outside_facts(p, s, view.parameters, fam.none_facts()))
                self.households.append([i])
                self._household_of[i] = -len(self.households)
                self.outside.append(i)
        # each newborn of twins sees its own weight and hospitalisation
        self._events = {
            i: newborn_event(s, self.event, p["id"]) for i, p in enumerate(s["persons"])
        }
        self.session = _session()
        self._handles: dict[int, Any] = {}
        self._item_handles: dict[int, Any] = {}
        self._cache: dict[tuple[str, int], bool] = {}
        self._labels: dict[tuple[str, bool, int], str] = {}
        self._values: dict[int, _Fmt] = {}

    def household_indexes(self) -> list[int]:
        return [-1 - k for k in range(len(self.household_keys))]

    def event_of(self, i: int) -> dict:
        return self._events.get(i, self.event)

    def members(self, i: int) -> list[int]:
        """Person indexes of the household of ``i`` (a person or a household index)."""
        h = i if i < 0 else self._household_of[i]
        return self.households[-1 - h]

    def _handle(self, i: int):
        h = self._handles.get(i)
        if h is None:
            data = {
                "event": self.event_of(i),
                "persons": [self.persons[j] for j in self.members(i)],
            }
            if i >= 0:
                data["person"] = self.persons[i]
            h = self._handles[i] = datalogic_py.DataHandle(data)
        return h

    def holds(self, cid: str, i: int) -> bool:
        """Condition ``cid`` for person index ``i`` (negative: a household)."""
        cond = self.view.conditions[cid]
        if cond.scope == "event" and i >= 0 and self.event_of(i) is self.event:
            i = self._household_of[i]  # reads no person fact: once for the household
        key = (cid, i)
        v = self._cache.get(key)
        if v is None:
            v = self._cache[key] = self.session.evaluate_truthy(cond.rule, self._handle(i))
        return v

    def label(self, cid: str, negated: bool, held: bool, i: int) -> str:
        positive = held != negated  # the condition's own truth value
        key = (cid, positive, i)
        text = self._labels.get(key)
        if text is None:
            cond = self.view.conditions[cid]
            template = cond.label if positive else cond.label_no
            if "{" in template:
                values = self._values.get(i)
                if values is None:
                    person = self.persons[i] if i >= 0 else None
                    names = getattr(self.view, "value_names", None)
                    values = self._values[i] = format_values(person, self.event_of(i), names)
                    values.update({f"param_{k}": v for k, v in self.view.parameter_labels.items()})
                text = template.format_map(values)
            else:
                text = template
            if positive and cond.scope == "event":
                text += self.witnesses(cond, i)
            self._labels[key] = text
        return text

    def witnesses(self, cond, i: int = -1) -> str:
        """The persons a household condition rests on, with their birth dates when the
        condition reads an age fact: "（p3 2017-06-10 生まれ, p4 2023-02-20 生まれ）"."""
        groups = []
        for rule, by_age in _witness_plan(cond):
            names = []
            for j in self.members(i):
                facts = self.persons[j]
                if self.session.evaluate_truthy(rule, self._item_handle(j)):
                    names.append(
                        f"{facts['id']} {facts['birth_date']} 生まれ" if by_age else facts["id"]
                    )
            if names:
                groups.append(", ".join(names))
        return f"（{'; '.join(groups)}）" if groups else ""

    def _item_handle(self, i: int):
        h = self._item_handles.get(i)
        if h is None:
            h = self._item_handles[i] = datalogic_py.DataHandle(self.persons[i])
        return h

    def trigger(self, trig, i: int) -> tuple[bool, str | None, list[str]]:
        """(applies, first failing label, labels of the conditions that held)."""
        held_labels = []
        for cid, neg in trig.when:
            ok = self.holds(cid, i) != neg
            if not ok:
                return False, self.label(cid, neg, False, i), held_labels
            held_labels.append(self.label(cid, neg, True, i))
        return True, None, held_labels


def _evaluate(s: dict, catalog) -> dict:
    view = catalog.at(s["event_date"])
    if not view.procedures:
        raise SituationError(
            "event_date",
            f"{s['event_date']} に有効な手続カタログがありません",
            "no catalog version is in force on event_date",
        )
    ev = _Evaluation(s, view)
    ids = [p["id"] for p in ev.persons]
    applied: list[dict] = []
    not_applicable: list[dict] = []
    for proc, triggers in view.plans[s["event"]]:
        persons: list[str] = []
        because: list[str] = []
        reasons: dict[str, list[str]] = {}
        applies = False
        name = None
        deadline = None  # the deadline of the first trigger that applied, if it has one
        households: list[str] = []
        for trig in triggers:
            if proc.scope == "household":
                for h in ev.household_indexes():
                    ok, why_not, held = ev.trigger(trig, h)
                    key = ev.household_keys[-1 - h]
                    if ok:
                        applies = True
                        name = name or trig.name
                        deadline = deadline or trig.deadline or None
                        if key not in households:
                            households.append(key)
                            prefix = f"世帯 {key}: " if len(ev.households) > 1 else ""
                            because.append(prefix + "・".join(held))
                    else:
                        reasons.setdefault(why_not, [])
                continue
            for i, pid in enumerate(ids):
                if i in ev.outside and not proc.applies_outside:
                    failed = reasons.setdefault(OUTSIDE_REASON, [])
                    if pid not in failed:
                        failed.append(pid)
                    continue
                ok, why_not, held = ev.trigger(trig, i)
                if ok:
                    applies = True
                    name = name or trig.name
                    deadline = deadline or trig.deadline or None
                    if pid not in persons:
                        persons.append(pid)
                        because.append(f"{pid}: " + "・".join(held))
                else:
                    failed = reasons.setdefault(why_not, [])
                    if pid not in failed:
                        failed.append(pid)
        entry = {
            "id": proc.id,
            "name": name or proc.name,
            "department": proc.department,
            "persons": [pid for pid in ids if pid in persons],
            "deadline": None,
            "deadline_text": (deadline or proc.deadline).get("text"),
            "forms": list(proc.forms),
            "bring": list(proc.bring),
            "because": because,
            "_proc": proc,
            "_reasons": reasons,
        }
        if households and len(ev.households) > 1:
            entry["households"] = households
        if applies:
            dl = deadline_date(deadline or proc.deadline, s)
            entry["deadline"] = dl.isoformat() if dl else None
            applied.append(entry)
        else:
            not_applicable.append({"id": proc.id, "because": _why_not(reasons)})
    return {
        "event": s["event"],
        "event_date": s["event_date"].isoformat(),
        "catalog": {"municipality": catalog.municipality, "version": view.version},
        "procedures": applied,
        "not_applicable": not_applicable,
    }


def _why_not(reasons: dict[str, list[str]]) -> str:
    parts = []
    for reason, pids in reasons.items():
        parts.append(f"{', '.join(pids)}: {reason}" if pids else reason)
    return " / ".join(parts) or "該当する条件がない"


def _apply_exclusions(result: dict, catalog) -> None:
    by_id = {e["id"]: e for e in result["procedures"]}
    for rule in catalog.exclusions:
        target, other = by_id.get(rule["procedure"]), by_id.get(rule["when_person_also_gets"])
        if not target or not other:
            continue
        dropped = [p for p in target["persons"] if p in other["persons"]]
        if not dropped:
            continue
        target["persons"] = [p for p in target["persons"] if p not in dropped]
        target["because"] = [
            b for b in target["because"] if not any(b.startswith(f"{p}: ") for p in dropped)
        ]
        other_name = other["name"]
        if not target["persons"]:
            result["procedures"].remove(target)
            del by_id[target["id"]]
            result["not_applicable"].append(
                {
                    "id": target["id"],
                    "because": f"{', '.join(dropped)}: 「{other_name}」で手続きするため二重に計上しない",
                }
            )


def _finish(result: dict) -> dict:
    for e in result["procedures"]:
        e.pop("_proc", None)
        e.pop("_reasons", None)
    return result


def determine(situation: dict, catalog) -> dict:
    """Evaluate one situation against a loaded catalog; raise SituationError if it is
    invalid."""
    s = validate(situation)
    result = _evaluate(s, catalog)
    _apply_exclusions(result, catalog)
    return _finish(result)


def determine_visit(situations: list[dict], catalog) -> dict:
    """Several events of one visit: each procedure once, persons united, no double listing."""
    if not situations:
        raise SituationError("situations", "状況が1つもありません", "no situation given")
    results = []
    for i, raw in enumerate(situations):
        try:
            s = validate(raw)
        except SituationError as exc:
            exc.field = f"situations[{i}].{exc.field}"
            raise
        results.append(_evaluate(s, catalog))
    merged: dict[str, dict] = {}
    order = {proc_id: i for i, proc_id in enumerate(catalog.procedures)}
    for r in results:
        for e in r["procedures"]:
            m = merged.get(e["id"])
            if m is None:
                merged[e["id"]] = m = {
                    **e,
                    "persons": list(e["persons"]),
                    "because": list(e["because"]),
                }
                m["events"] = [r["event"]]
            else:
                m["persons"] += [p for p in e["persons"] if p not in m["persons"]]
                if "households" in e:
                    have = m.setdefault("households", [])
                    have += [h for h in e["households"] if h not in have]
                m["because"] += [b for b in e["because"] if b not in m["because"]]
                if r["event"] not in m["events"]:
                    m["events"].append(r["event"])
                if m["deadline"] is None or (e["deadline"] and e["deadline"] < m["deadline"]):
                    m["deadline"] = e["deadline"]
    applied_ids = set(merged)
    not_applicable: dict[str, dict] = {}
    for r in results:
        for na in r["not_applicable"]:
            if na["id"] not in applied_ids:
                prev = not_applicable.get(na["id"])
                if prev is None:
                    not_applicable[na["id"]] = {
                        "id": na["id"],
                        "because": f"{r['event']}: {na['because']}",
                    }
                else:
                    prev["because"] += f" ／ {r['event']}: {na['because']}"
    result = {
        "events": [r["event"] for r in results],
        "event_date": min(r["event_date"] for r in results),
        "catalog": results[0]["catalog"],
        "procedures": sorted(merged.values(), key=lambda e: order.get(e["id"], 0)),
        "not_applicable": sorted(not_applicable.values(), key=lambda e: order.get(e["id"], 0)),
    }
    _apply_exclusions(result, catalog)
    return _finish(result)
