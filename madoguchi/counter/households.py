"""The visit's households as the situation sees them (situation.md, "Several
households"): the household keys, the new surname after a marriage or divorce, and the
続柄 to the head after the event (``rules.zokugara``)."""

from __future__ import annotations

from madoguchi.rules import SituationError
from madoguchi.rules.facts import COUPLE_EVENTS
from madoguchi.rules.family import kin_of
from madoguchi.rules.situation import after_key, head_after, validate
from madoguchi.rules.zokugara import Derived, derive

NEW_HOUSEHOLDS = ("new1", "new2", "new3")
NAME_SEPARATORS = ("\u3000", " ")
# Visit-only keys of a person's data: not part of the situation contract.
VISIT_ONLY = ("sources", "name_after", "name_after_from", "zokugara_after", "zokugara_reason")


def household_keys(persons) -> list[str]:
    """The households of the visit's persons (their 世帯番号), in order of appearance."""
    return list(
        dict.fromkeys(p.data.get("household") or "" for p in persons if not p.data.get("outside"))
    )


def _split_name(name: str) -> tuple[str, str]:
    for sep in NAME_SEPARATORS:
        if sep in name:
            surname, given = name.split(sep, 1)
            return surname, given
    return name, ""


def apply_new_name(reg: dict, name_after: dict) -> None:
    """The register block as the forms print it after a change of surname: the new name
    (the given name as registered), the former as 変更前の氏名, the new 本籍・筆頭者."""
    surname = name_after.get("surname")
    if surname:
        reg["former_name"] = reg.get("name", "")
        reg["former_kana"] = reg.get("kana", "")
        _old, given = _split_name(reg.get("name", ""))
        reg["name"] = f"{surname}\u3000{given}" if given else surname
        kana = name_after.get("surname_kana")
        if kana:
            _old_kana, given_kana = _split_name(reg.get("kana", ""))
            reg["kana"] = f"{kana}\u3000{given_kana}" if given_kana else kana
    for key in ("honseki", "hittousha"):
        if name_after.get(key):
            reg[key] = name_after[key]


def situation_persons(visit_persons, plist: list[dict]) -> None:
    """Finish the situation persons of one event: household keys only when the visit
    has several households, the visit-only keys moved to the register block."""
    several = len(household_keys(visit_persons)) > 1
    for vp, p in zip(visit_persons, plist, strict=True):
        if p.get("outside"):
            p.pop("household", None)
        elif several:
            p["household"] = vp.data.get("household") or ""
        else:
            p.pop("household", None)
        name_after = p.pop("name_after", None)
        if name_after:
            apply_new_name(p.setdefault("register", {}), name_after)
        p.pop("name_after_from", None)  # the screen's mark: 本籍 shared with the spouse
        p.pop("zokugara_reason", None)  # kept in the visit and its edits, not the situation
        chosen = p.pop("zokugara_after", None)
        if chosen:
            p.setdefault("register", {})["zokugara_after"] = chosen


def _ties_base(sits: list[dict]) -> dict:
    """The situation whose family ties hold after the visit: a marriage's (the couple are
    spouses) or a divorce's (they are not), else the first."""
    return next((s for s in sits if s["event"] in COUPLE_EVENTS), sits[0])


def derive_ties(sits: list[dict]) -> dict[str, Derived]:
    """pid → the 続柄 to the head after the event derived from the family ties alone
    (``rules.zokugara.derive``: parent links and marriages), for every member whose
    household or head changes, and of the household a divorced couple shares (the former
    妻 who stays is 同居人 after the 離婚届: 住民票 follows it). {} when nothing changes or
    the situation is invalid."""
    if not sits:
        return {}
    try:
        s = validate(_ties_base(sits))
    except SituationError:
        return {}
    persons = s["persons"]
    changed_keys = {after_key(p) for p in persons if after_key(p) != p.get("household", "")}
    changed_keys |= {after_key(p) for p in persons if p.get("head_after")}
    if s["event"] == "divorce":
        couple = set(s.get("couple") or [])
        keys = [after_key(p) for p in persons if p["id"] in couple and not p.get("outside")]
        if len(keys) == 2 and keys[0] == keys[1]:
            changed_keys.add(keys[0])  # still one household: a 続柄 runs through the tie
    if not changed_keys:
        return {}
    kin = kin_of(s)
    out: dict[str, Derived] = {}
    for key in changed_keys:
        head = head_after(key, persons, set())
        for p in persons:
            if after_key(p) == key and head:
                out[p["id"]] = derive(p["id"], head["id"], kin)
    return out


def derive_zokugara_after(sits: list[dict]) -> dict[str, str]:
    """pid → the 続柄 to the head after the event of every member whose household or head
    changes: the clerk's choice (made with a reason), else derived from the family ties
    (:func:`derive_ties`)."""
    ties = derive_ties(sits)
    if not ties:
        return {}
    raw = {p["id"]: p for p in _ties_base(sits)["persons"]}
    return {
        pid: (raw[pid].get("register") or {}).get("zokugara_after") or d.text
        for pid, d in ties.items()
    }
