"""Interview support: which catalog questions the rules still need.

``needed_facts(situation, catalog, known=...)`` takes the situation as far as the counter
knows it (register facts, answers so far). A flag is *known* when it is in the person's
``flags`` (true) or listed in ``known[person id]`` (answered no); an event detail is known
when it is in the situation or listed in ``known["event"]``. For every trigger of the
event, a person's unknown facts are needed only if every condition that does not read an
unknown fact holds for that person — so the counter asks only what can change a result.
"""

from __future__ import annotations

from . import fit
from .facts import DERIVED_READS, FLAGS
from .family import newborns_of
from .situation import BOOL_DETAILS, validate


def question_targets(question, s: dict) -> list[str | None]:
    """The person ids a question is put to (None: once for the event), among them only
    those the question fits (``fit``: 妊娠中 a woman of child-bearing age, 生計中心者 an
    adult, ひとり親 a mother without a spouse)."""
    asks = question.asks
    if asks.startswith("event."):
        return _targets(question, s) if fit.detail_fits(asks[6:], s) else []
    by_id = {p["id"]: p for p in s["persons"]}
    return [
        pid
        for pid in _targets(question, s)
        if pid is None or pid not in by_id or fit.flag_fits(asks, by_id[pid], s["event_date"])
    ]


def _targets(question, s: dict) -> list[str | None]:
    persons = s["persons"]
    if question.persons == "event":
        return [None]
    if question.persons == "moving":
        return [p["id"] for p in persons if p.get("moving")]
    if question.persons == "all":
        return [p["id"] for p in persons]
    if question.persons == "couple":
        return list(s.get("couple", []))
    if question.persons == "newborn":
        return newborns_of(s)
    value = s.get(question.persons)
    return [value] if value else []


def needed_facts(situation: dict, catalog, known: dict | None = None) -> list[dict]:
    from .engine import _Evaluation

    known = known or {}
    s = validate(situation)
    view = catalog.at(s["event_date"])
    ev = _Evaluation(s, view)
    unknown: dict[int, set[str]] = {}
    for i, p in enumerate(s["persons"]):
        answered = set(known.get(p["id"], ())) | p["flags"]
        unknown[i] = {f for f in FLAGS if f not in answered}
    event_unknown = {
        f"event.{d}"
        for d in sorted(BOOL_DETAILS)
        if d not in situation and d not in known.get("event", ())
    }
    needed: set[tuple[str | None, str]] = set()
    for proc, triggers in view.plans[s["event"]]:
        for trig in triggers:
            rng = ev.household_indexes() if proc.scope == "household" else range(len(s["persons"]))
            for i in rng:
                open_facts: set[tuple[str | None, str]] = set()
                possible = True
                for cid, neg in trig.when:
                    cond = view.conditions[cid]
                    reads = set(cond.reads).union(*(DERIVED_READS.get(f, ()) for f in cond.reads))
                    person_open = reads & unknown[i] if i >= 0 else set()
                    event_open = cond.reads & event_unknown
                    if person_open or event_open:
                        pid = s["persons"][i]["id"] if i >= 0 else None
                        open_facts |= {(pid, f) for f in person_open}
                        open_facts |= {(None, f) for f in event_open}
                    elif ev.holds(cid, i) == neg:
                        possible = False
                        break
                if possible:
                    needed |= open_facts
    out = []
    for q in catalog.questions:
        if s["event"] not in q.events:
            continue
        for pid in question_targets(q, s):
            if (pid, q.asks) in needed:
                out.append(
                    {
                        "question": q.id,
                        "person": pid,
                        "asks": q.asks,
                        "text": q.text,
                        "text_en": q.en.get("text", ""),
                    }
                )
    return out
