"""What the screen proposes before the clerk saves (shown selected and marked, never
saved without the clerk's Enter or click; the clerk may change any of it).

- 死亡届: the deceased — the one other member of a household of two whose other member
  is at the counter (identified by the ID card they showed: alive).
- 婚姻届: the couple — the person at the counter (identified by their ID card) and the
  one person added from another household, when neither is married in the register.
- 離婚届: the couple — the head of a household of the visit and its one 妻・夫 in the
  register, when exactly one household of the visit has such a pair.
- 婚姻 with a move to a new address: both spouses leave their households for one new
  household (``new1``), headed by the spouse whose surname the marriage keeps (the
  筆頭者 of the new 戸籍) — proposed only while no household after the event is chosen.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from madoguchi.rules.facts import MOVE_EVENTS


def detail_suggestions(visit, persons) -> dict[str, dict]:
    """event → {"values": {detail key: value}, "why": {detail key: text}} for the details
    not yet given."""
    out: dict[str, dict] = {}
    state = visit.state or {}
    applicant = (state.get("applicant") or {}).get("person")
    identified = state.get("applicant_from") == "identified"
    for ev in visit.events.all():
        values, why = {}, {}
        if ev.event == "death" and not ev.details.get("deceased") and identified:
            others = [p for p in persons if p["pid"] != applicant and not p["outside"]]
            if len(persons) == 2 and len(others) == 1:
                values["deceased"] = others[0]["pid"]
                why["deceased"] = _("既定: 来庁した方以外のただ1人の世帯員")
        if ev.event == "marriage" and not ev.details.get("couple") and identified:
            couple = _couple(persons, applicant)
            if couple:
                values["couple"] = couple
                why["couple"] = _("既定: 来庁した方と別の世帯から加えた方")
        if ev.event == "divorce" and not ev.details.get("couple"):
            couple = _registered_couple(persons)
            if couple:
                values["couple"] = couple
                why["couple"] = _("既定: 住民記録の世帯主とその配偶者")
        if values:
            out[ev.event] = {"values": values, "why": why}
    return out


def household_suggestion(visit, persons) -> dict:
    """{"after": {pid: key}, "heads": [pid], "why": text} for a marriage with a move
    whose spouses come from two households, when no household after the event is
    chosen yet; {} otherwise."""
    events = {e.event: e for e in visit.events.all()}
    marriage = events.get("marriage")
    if marriage is None or not any(e in MOVE_EVENTS for e in events):
        return {}
    couple = marriage.details.get("couple") or []
    if len(couple) != 2:
        return {}
    if any(vp.data.get("household_after") or vp.data.get("head_after") for vp in persons):
        return {}
    by_pid = {vp.pid: vp for vp in persons}
    if any(pid not in by_pid for pid in couple):
        return {}
    homes = {by_pid[pid].data.get("household") or "" for pid in couple}
    if len(homes) != 2:  # already one household: moving together changes no household
        return {}
    changes = set(marriage.details.get("surname_changes") or [])
    keeps = [pid for pid in couple if pid not in changes]
    heads = keeps if len(keeps) == 1 else []
    return {
        "after": {pid: "new1" for pid in couple},
        "heads": heads,
        "why": _("既定: 婚姻で夫婦が新しい世帯をつくる（世帯主は氏を改めない方）")
        if heads
        else _("既定: 婚姻で夫婦が新しい世帯をつくる（世帯主を選んでください）"),
    }


def _couple(persons, applicant: str) -> list[str]:
    """[the identified person, the one person of another household] when both are
    unmarried in the register; [] otherwise."""
    me = next((p for p in persons if p["pid"] == applicant), None)
    if me is None:
        return []
    others = [p for p in persons if p["household"] != me["household"] and not p["outside"]]
    if len(others) != 1:
        return []

    def married(p) -> bool:
        if p["relationship"] == "spouse":
            return True
        home = [q for q in persons if q["household"] == p["household"]]
        return p["relationship"] == "head" and any(q["relationship"] == "spouse" for q in home)

    if married(me) or married(others[0]):
        return []
    return [me["pid"], others[0]["pid"]]


def _registered_couple(persons) -> list[str]:
    """[head, spouse] of the one household of the visit whose register names both; []
    when none does or several do (two couples: the clerk chooses)."""
    by_household: dict[str, dict[str, list[str]]] = {}
    for p in persons:
        if p["outside"] or p["relationship"] not in ("head", "spouse"):
            continue
        roles = by_household.setdefault(p["household"], {})
        roles.setdefault(p["relationship"], []).append(p["pid"])
    pairs = [
        [roles["head"][0], roles["spouse"][0]]
        for roles in by_household.values()
        if len(roles.get("head", [])) == 1 and len(roles.get("spouse", [])) == 1
    ]
    return pairs[0] if len(pairs) == 1 else []
