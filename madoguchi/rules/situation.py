"""Validation and normalisation of a situation (situation.md, "Invalid situations").

A situation that breaks a rule is rejected with :class:`SituationError` naming the field
(``persons[2].birth_date``); it is never guessed or repaired.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from . import ages
from .facts import (
    COUPLE_EVENTS,
    EVENT_FACTS,
    EVENT_NAMES,
    EVENTS,
    FLAGS,
    HEALTH_INSURANCE,
    MOVE_EVENTS,
    MOVE_IN_EVENTS,
    MOVE_OUT_EVENTS,
    PENSION,
    PERSON_FACTS,
    RELATIONSHIPS,
    SEX_LABELS,
    SEXES,
    VALUE_LABELS,
)
from .family import parents_of
from .fit import SEX_OF_FLAG


class SituationError(ValueError):
    """An invalid situation. ``field`` names the offending field."""

    def __init__(self, field: str, message: str, message_en: str = ""):
        self.field = field
        self.message = message
        self.message_en = message_en or message
        super().__init__(f"{field}: {message}")

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "message_en": self.message_en}


PERSON_KEYS = {
    "id",
    "relationship",
    "birth_date",
    "sex",
    "nationality",
    "moving",
    "health_insurance",
    "health_insurance_before",
    "pension",
    "pension_before",
    "flags",
    "parents",
    "register",
    "household",
    "household_after",
    "head_after",
    "outside",
}
# A person from outside every household of the situation (the newborn's father living
# elsewhere, an agent) takes part without being a member: these keys only.
OUTSIDE_KEYS = {"id", "outside", "birth_date", "sex", "nationality", "flags", "register"}

# event -> (required details, optional details)
EVENT_DETAILS: dict[str, tuple[set[str], set[str]]] = {
    "move_in": (set(), {"same_prefecture", "planned_move_out_date"}),
    "move_out": (set(), {"same_prefecture"}),
    "move_in_from_abroad": (set(), set()),
    "move_out_abroad": (set(), set()),
    "move_within": (set(), {"school_district_changes"}),
    "birth": (
        {"newborn", "mother", "birth_weight_g"},
        {"newborns", "lump_sum_difference", "single_parent", "premature_hospitalized"},
    ),
    "death": ({"deceased"}, {"death_known_date"}),
    "marriage": ({"couple"}, {"surname_changes"}),
    "divorce": ({"couple"}, {"custodial_parent", "surname_changes", "keeps_married_surname"}),
    "household_change": (set(), set()),
}
ALL_DETAILS = set().union(*(r | o for r, o in EVENT_DETAILS.values()))
BOOL_DETAILS = {
    "same_prefecture",
    "school_district_changes",
    "lump_sum_difference",
    "single_parent",
    "premature_hospitalized",  # with twins also a list of the newborns hospitalised
}
ID_DETAILS = {"newborn", "mother", "deceased", "custodial_parent"}
ID_LIST_DETAILS = {"couple", "surname_changes", "keeps_married_surname", "newborns"}
# Details that name a member of a household (the others may name a person outside:
# situation.md, "Persons outside the households").
MEMBER_DETAILS = {"newborn", "newborns"}
MOVING_IN_OUT = frozenset(MOVE_IN_EVENTS + MOVE_OUT_EVENTS)  # across the municipality's border

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NATIONALITY_RE = re.compile(r"^[A-Z]{2}$")


# Japanese names of the contract's keys: a clerk reads 「出生には出産した人が必要です」, never
# 「birth には mother が必要です」 (the English message and ``field`` keep the ids).
KEY_NAMES: dict[str, str] = {
    **EVENT_FACTS,
    **PERSON_FACTS,
    "id": "人の識別番号",
    "event": "届出の種類",
    "event_date": "異動日",
    "persons": "世帯の人",
    "couple": "婚姻・離婚の当事者（夫婦）",
    "flags": "該当する事項",
    "parents": "父母",
    "register": "住民記録の情報",
    "outside": "世帯外の人",
    "newborns": "生まれた子（双子・三つ子など）",
}


def key_name(key: str) -> str:
    return KEY_NAMES.get(key, key)


def event_name(event: str) -> str:
    return EVENT_NAMES.get(event, event)


def parse_date(value: Any, field: str) -> date:
    if type(value) is date:
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        raise SituationError(field, f"実在しない日付です: {value}", f"not a real date: {value}")
    raise SituationError(
        field,
        f"日付は西暦の年-月-日（2027-04-01 の形）で書いてください: {value!r}",
        f"a date must be written YYYY-MM-DD: {value!r}",
    )


def _enum(value: Any, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise SituationError(
            field,
            f"{value!r} は使えません（{'・'.join(VALUE_LABELS.get(a, a) for a in allowed)}）",
            f"{value!r} is not one of {', '.join(allowed)}",
        )
    return value


def _pension(value: Any, field: str) -> str:
    if type(value) is int and value in (1, 2, 3):
        value = str(value)
    return _enum(value, PENSION, field)


def _bool(value: Any, field: str) -> bool:
    if type(value) is not bool:
        raise SituationError(
            field,
            f"はいかいいえ（真偽値）で書いてください: {value!r}",
            f"must be true or false: {value!r}",
        )
    return value


def _flags(raw: dict, where: str) -> set[str]:
    flags = raw.get("flags") or []
    if not isinstance(flags, list):
        raise SituationError(
            f"{where}.flags", "該当する事項は一覧で書いてください", "flags must be a list"
        )
    for j, flag in enumerate(flags):
        if not isinstance(flag, str) or flag not in FLAGS:
            raise SituationError(
                f"{where}.flags[{j}]", f"不明な事項です: {flag!r}", f"unknown flag: {flag!r}"
            )
    return set(flags)


def _person(raw: Any, i: int, event: str) -> dict:
    where = f"persons[{i}]"
    if not isinstance(raw, dict):
        raise SituationError(
            where, "人の情報は項目の一覧で書いてください", "a person must be a mapping"
        )
    for key in raw:
        if key not in PERSON_KEYS:
            raise SituationError(
                f"{where}.{key}", f"不明な項目です: {key!r}", f"unknown key: {key}"
            )
    outside = _bool(raw["outside"], f"{where}.outside") if "outside" in raw else False
    if outside:
        return _outside_person(raw, where)
    for key in ("id", "relationship", "birth_date", "sex"):
        if key not in raw or raw[key] is None:
            raise SituationError(
                f"{where}.{key}", f"{key_name(key)}がありません", f"{key} is missing"
            )
    pid = raw["id"]
    if not isinstance(pid, str) or not pid:
        raise SituationError(
            f"{where}.id", "人の識別番号は空でない文字列です", "id must be a non-empty string"
        )
    p: dict[str, Any] = {"id": pid}
    p["relationship"] = _enum(raw["relationship"], RELATIONSHIPS, f"{where}.relationship")
    p["birth_date"] = parse_date(raw["birth_date"], f"{where}.birth_date")
    p["sex"] = _enum(raw["sex"], SEXES, f"{where}.sex")
    nat = raw.get("nationality", "JP")
    if not isinstance(nat, str) or not _NATIONALITY_RE.match(nat):
        raise SituationError(
            f"{where}.nationality",
            f"国籍は英大文字2文字の国コードです: {nat!r}",
            f"nationality must be two upper-case letters: {nat!r}",
        )
    p["nationality"] = nat
    if "moving" in raw:
        if event not in MOVE_EVENTS:
            raise SituationError(
                f"{where}.moving",
                f"「異動する」は住所の異動の届出でだけ使えます（この届出は{event_name(event)}）",
                f"moving is only for move events (this is {event})",
            )
        p["moving"] = _bool(raw["moving"], f"{where}.moving")
    else:
        p["moving"] = event in MOVE_EVENTS
    p["health_insurance"] = _enum(
        raw.get("health_insurance", "none"), HEALTH_INSURANCE, f"{where}.health_insurance"
    )
    p["pension"] = _pension(raw.get("pension", "none"), f"{where}.pension")
    p["health_insurance_before"] = None
    p["pension_before"] = None
    if raw.get("health_insurance_before") is not None:
        f = f"{where}.health_insurance_before"
        p["health_insurance_before"] = _enum(raw["health_insurance_before"], HEALTH_INSURANCE, f)
        if p["health_insurance_before"] == p["health_insurance"]:
            raise SituationError(
                f, "変更前と変更後の健康保険が同じです", "equals health_insurance (no change)"
            )
    if raw.get("pension_before") is not None:
        f = f"{where}.pension_before"
        p["pension_before"] = _pension(raw["pension_before"], f)
        if p["pension_before"] == p["pension"]:
            raise SituationError(
                f, "変更前と変更後の年金種別が同じです", "equals pension (no change)"
            )
    p["flags"] = _flags(raw, where)
    for flag in p["flags"]:
        if SEX_OF_FLAG.get(flag, p["sex"]) != p["sex"]:
            raise SituationError(
                f"{where}.flags",
                f"「{FLAGS[flag]}」は{SEX_LABELS[SEX_OF_FLAG[flag]]}性だけです"
                f"（この人の性別: {SEX_LABELS[p['sex']]}）",
                f"{flag} is only for a {SEX_OF_FLAG[flag]} person (this one is {p['sex']})",
            )
    if "parents" in raw:
        par = raw["parents"]
        if (
            not isinstance(par, list)
            or not 1 <= len(par) <= 2
            or not all(isinstance(x, str) for x in par)
        ):
            raise SituationError(
                f"{where}.parents",
                "父母は世帯の人（1人か2人）の一覧です",
                "parents must be a list of one or two person ids",
            )
        if len(set(par)) != len(par):
            raise SituationError(
                f"{where}.parents", "父母に同じ人が重複しています", "duplicate id in parents"
            )
        p["parents"] = list(par)
    if "register" in raw:
        if not isinstance(raw["register"], dict):
            raise SituationError(
                f"{where}.register", "住民記録の情報は項目の一覧です", "register must be a mapping"
            )
        p["register"] = raw["register"]
    for key in ("household", "household_after"):
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key]:
                raise SituationError(
                    f"{where}.{key}",
                    f"{key_name(key)}は空でない文字列（世帯の記号）です: {raw[key]!r}",
                    f"{key} must be a non-empty string",
                )
            p[key] = raw[key]
    p["head_after"] = (
        _bool(raw["head_after"], f"{where}.head_after") if "head_after" in raw else False
    )
    if "public_servant" in p["flags"] and "child_allowance_recipient" in p["flags"]:
        raise SituationError(
            f"{where}.flags",
            "公務員は市の児童手当を受給しません（児童手当は勤務先から支給されます）",
            "public_servant and child_allowance_recipient cannot both be set",
        )
    return p


def _outside_person(raw: dict, where: str) -> dict:
    """A person outside every household: named (parents, couple, mother) but never a
    member, never evaluated, never counted."""
    for key in raw:
        if key not in OUTSIDE_KEYS:
            raise SituationError(
                f"{where}.{key}",
                f"世帯外の人には「{key_name(key)}」を書きません",
                f"{key} is not given for a person outside the households",
            )
    pid = raw.get("id")
    if not isinstance(pid, str) or not pid:
        raise SituationError(
            f"{where}.id", "人の識別番号は空でない文字列です", "id must be a non-empty string"
        )
    p: dict[str, Any] = {
        "id": pid,
        "outside": True,
        "flags": _flags(raw, where),
        "relationship": None,
    }
    if raw.get("birth_date") is not None:
        p["birth_date"] = parse_date(raw["birth_date"], f"{where}.birth_date")
    if raw.get("sex") is not None:
        p["sex"] = _enum(raw["sex"], SEXES, f"{where}.sex")
    if "register" in raw:
        p["register"] = raw["register"]
    return p


def _households(persons: list[dict]) -> dict[str, list[int]]:
    """Household key -> indexes of its members. Without ``household`` keys every member
    is in the one household ``""``; with them, every member must carry one."""
    keyed = [i for i, p in enumerate(persons) if "household" in p]
    if keyed and len(keyed) != len(persons):
        i = next(i for i, p in enumerate(persons) if "household" not in p)
        raise SituationError(
            f"persons[{i}].household",
            "世帯を書く場合は世帯の人の全員に書いてください",
            "when one member has a household, every member needs one",
        )
    out: dict[str, list[int]] = {}
    for i, p in enumerate(persons):
        out.setdefault(p.get("household", ""), []).append(i)
    return out


def _check_after(persons: list[dict], event: str, s: dict) -> None:
    """Every household named after the event has exactly one head (situation.md,
    "Several households"): a person with ``head_after``, or the head who stays in it."""
    gone = {p["id"] for p in persons if p["moving"] and event in MOVE_OUT_EVENTS}
    if event == "death":
        gone.add(s["deceased"])
    for i, p in enumerate(persons):
        if p["head_after"] and p["id"] in gone:
            raise SituationError(
                f"persons[{i}].head_after",
                "転出・死亡する人は異動後の世帯主になりません",
                "a person who leaves or dies is no head after the event",
            )
    named = {p["household_after"] for p in persons if "household_after" in p}
    named |= {after_key(p) for p in persons if p["head_after"]}
    for key in sorted(named):
        members = [
            (i, p) for i, p in enumerate(persons) if after_key(p) == key and p["id"] not in gone
        ]
        heads = [i for i, p in members if p["head_after"]]
        if not heads:
            heads = [
                i for i, p in members if p["relationship"] == "head" and p.get("household") == key
            ]
        if len(heads) != 1:
            raise SituationError(
                f"persons[{members[0][0] if members else 0}].household_after",
                f"異動後の世帯 {key!r} の世帯主はちょうど1人です（{len(heads)}人）",
                f"household {key!r} after the event needs exactly one head ({len(heads)} found)",
            )
    if event == "household_change" and not any(
        after_key(p) != p.get("household", "") or (p["head_after"] and p["relationship"] != "head")
        for p in persons
    ):
        raise SituationError(
            "persons",
            "世帯変更では、世帯が変わる人か新たに世帯主になる人が必要です",
            "household_change needs a person whose household or head changes",
        )


def after_key(p: dict) -> str:
    """The household a member belongs to after the event."""
    return p.get("household_after", p.get("household", ""))


def head_after(key: str, persons: list[dict], leaving: set) -> dict | None:
    """The head of household ``key`` after the event (``leaving``: ids of those who move
    out or die): the member marked ``head_after``, else its head who stays in it."""
    members = [p for p in persons if after_key(p) == key and p["id"] not in leaving]
    marked = [p for p in members if p.get("head_after")]
    if marked:
        return marked[0]
    return next(
        (p for p in members if p.get("relationship") == "head" and p.get("household", "") == key),
        None,
    )


def _grams(value: Any, field: str) -> int:
    if type(value) is not int or value <= 0:
        raise SituationError(
            field, f"出生体重は正の整数（g）です: {value!r}", "must be a positive integer"
        )
    return value


def _check_newborns(s: dict, by_id: dict, d: date) -> None:
    """Twins and more (situation.md, "Several newborns"): ``newborns`` lists every newborn
    of the birth, ``newborn`` is its first; each newborn has its own weight and its own
    hospitalisation as premature. Normalises ``newborns`` (always a list),
    ``birth_weights_g`` and ``premature_newborns`` (per newborn), and keeps
    ``birth_weight_g`` / ``premature_hospitalized`` as the first newborn's."""
    given = s.get("newborns")
    if given is not None:
        if len(given) < 2:
            raise SituationError(
                "newborns",
                "複数の子の出生は2人以上を挙げます（1人なら「出生した子」だけを書きます）",
                "newborns lists two or more newborns (one: newborn alone)",
            )
        if given[0] != s["newborn"]:
            raise SituationError(
                "newborns[0]",
                "複数の子の最初は「出生した子」と同じ人です",
                "the first of newborns is the newborn",
            )
    born = list(given or [s["newborn"]])
    for j, nid in enumerate(born):
        field = f"newborns[{j}]" if given is not None else "newborn"
        if by_id[nid]["birth_date"] != d:
            raise SituationError(
                field,
                "出生した子の生年月日が異動日と違います",
                "the newborn is not born on event_date",
            )
        if s["mother"] == nid:
            raise SituationError(
                "mother", "母は出生した子以外の人です", "the mother is the newborn"
            )
    weight = s["birth_weight_g"]
    if isinstance(weight, dict):
        if given is None:
            raise SituationError(
                "birth_weight_g",
                "子が1人なら出生体重は1つの整数（g）です",
                "one newborn: birth_weight_g is one integer",
            )
        weights = {}
        for nid in born:
            if nid not in weight:
                raise SituationError(
                    f"birth_weight_g.{nid}",
                    "生まれた子それぞれの出生体重が必要です",
                    f"no birth weight for newborn {nid}",
                )
            weights[nid] = _grams(weight[nid], f"birth_weight_g.{nid}")
        for key in weight:
            if key not in weights:
                raise SituationError(
                    f"birth_weight_g.{key}",
                    "出生体重は生まれた子だけに書きます",
                    f"{key!r} is not one of newborns",
                )
    elif given is not None:
        raise SituationError(
            "birth_weight_g",
            "複数の子の出生では、出生体重を子ごとに書きます",
            "with newborns, birth_weight_g maps each newborn to its weight",
        )
    else:
        weights = {born[0]: weight}
    premature = s.get("premature_hospitalized", False)
    if isinstance(premature, list):
        for j, nid in enumerate(premature):
            if nid not in born:
                raise SituationError(
                    f"premature_hospitalized[{j}]",
                    "未熟児として入院している子は生まれた子の中から挙げます",
                    f"{nid!r} is not a newborn",
                )
        premature_ids = [n for n in born if n in premature]
    else:
        premature_ids = list(born) if premature else []
    s["newborns"] = born
    s["birth_weights_g"] = weights
    s["premature_newborns"] = premature_ids
    s["birth_weight_g"] = weights[born[0]]
    s["premature_hospitalized"] = born[0] in premature_ids


def validate(raw: Any) -> dict:
    """Check a situation and return it normalised (dates as ``date``, defaults filled)."""
    if not isinstance(raw, dict):
        raise SituationError("(situation)", "状況は項目の一覧です", "a situation must be a mapping")
    allowed_top = {"event", "event_date", "persons"} | ALL_DETAILS
    for key in raw:
        if key not in allowed_top:
            raise SituationError(key, f"不明な項目です: {key!r}", f"unknown key: {key}")
    event = raw.get("event")
    if event not in EVENTS:
        raise SituationError(
            "event", f"届出の種類が不明です: {event!r}", f"event must be one of {', '.join(EVENTS)}"
        )
    if "event_date" not in raw:
        raise SituationError("event_date", "異動日がありません", "event_date is missing")
    d = parse_date(raw["event_date"], "event_date")
    persons_raw = raw.get("persons")
    if not isinstance(persons_raw, list) or not persons_raw:
        raise SituationError(
            "persons", "世帯の人を1人以上書いてください", "persons must be a non-empty list"
        )
    everyone = [_person(p, i, event) for i, p in enumerate(persons_raw)]
    ids: dict[str, int] = {}
    for i, p in enumerate(everyone):
        if p["id"] in ids:
            raise SituationError(
                f"persons[{i}].id", "同じ識別番号の人が2人います", f"duplicate id: {p['id']}"
            )
        ids[p["id"]] = i
    # Members are evaluated; persons outside every household are only named.
    persons = [p for p in everyone if not p.get("outside")]
    outside = [p for p in everyone if p.get("outside")]
    if not persons and not (event == "death" and raw.get("deceased") in ids):
        # a death registered here of someone who lived elsewhere may come with nobody
        # of a household of this city (situation.md, "Persons outside the households")
        raise SituationError(
            "persons", "世帯の人が1人もいません", "every person is outside the households"
        )
    households = _households(persons)
    for key, members in households.items():
        where = f"世帯 {key!r} の" if key else ""
        heads = [i for i in members if persons[i]["relationship"] == "head"]
        if len(heads) != 1:
            raise SituationError(
                "persons",
                f"{where}世帯主はちょうど1人です（{len(heads)}人）",
                f"exactly one person must be the head of each household ({len(heads)} found)",
            )
        spouses = [i for i in members if persons[i]["relationship"] == "spouse"]
        if len(spouses) > 1:
            raise SituationError(
                f"persons[{ids[persons[spouses[1]]['id']]}].relationship",
                f"{where}配偶者は1人までです",
                "at most one spouse in a household",
            )
        earners = [i for i in members if "primary_earner" in persons[i]["flags"]]
        if len(earners) > 1:
            raise SituationError(
                f"persons[{ids[persons[earners[1]]['id']]}].flags",
                f"{where}生計中心者は1人までです",
                "at most one person of a household carries primary_earner",
            )
    required, optional = EVENT_DETAILS[event]
    for key in ALL_DETAILS & set(raw):
        if key not in required | optional:
            raise SituationError(
                key,
                f"「{key_name(key)}」は{event_name(event)}の届出では使えません",
                f"{key} does not belong to {event}",
            )
    for key in required:
        if raw.get(key) is None:
            raise SituationError(
                key,
                f"{event_name(event)}の届出には{key_name(key)}が必要です",
                f"{event} requires {key}",
            )
    s: dict[str, Any] = {"event": event, "event_date": d, "persons": persons}
    if outside:
        s["outside"] = outside
    if len(households) > 1:
        s["households"] = list(households)
    for key in ALL_DETAILS & set(raw):
        value = raw[key]
        if key == "premature_hospitalized" and isinstance(value, list):
            s[key] = value
        elif key in BOOL_DETAILS:
            s[key] = _bool(value, key)
        elif key in ID_DETAILS:
            if value not in ids:
                raise SituationError(
                    key,
                    f"{key_name(key)}が世帯の人の中にいません",
                    f"{value!r} is not a person",
                )
            s[key] = value
        elif key in ID_LIST_DETAILS:
            if not isinstance(value, list):
                raise SituationError(
                    key, f"{key_name(key)}は世帯の人の一覧です", f"{key} must be a list of ids"
                )
            for j, v in enumerate(value):
                if v not in ids:
                    raise SituationError(
                        f"{key}[{j}]",
                        f"{key_name(key)}に挙げた人が世帯の人の中にいません",
                        f"{v!r} is not a person",
                    )
            if len(set(value)) != len(value):
                raise SituationError(
                    key, f"{key_name(key)}に同じ人が重複しています", f"duplicate id in {key}"
                )
            s[key] = list(value)
        elif key == "birth_weight_g":
            s[key] = value if isinstance(value, dict) else _grams(value, key)
        elif key == "planned_move_out_date":
            s[key] = parse_date(value, key)
            if s[key] > d:
                raise SituationError(
                    key,
                    "転出予定日が異動日より後です",
                    "planned_move_out_date is after event_date",
                )
        elif key == "death_known_date":  # 戸籍法86条: the 7 days run from this day
            s[key] = parse_date(value, key)
            if s[key] < d:
                raise SituationError(
                    key,
                    "死亡の事実を知った日が死亡日より前です",
                    "death_known_date is before event_date (the date of death)",
                )
    by_id = {p["id"]: p for p in everyone}
    for key in MEMBER_DETAILS & set(s):
        named = s[key] if isinstance(s[key], list) else [s[key]]
        if any(by_id[v].get("outside") for v in named):
            raise SituationError(
                key,
                f"{key_name(key)}は世帯の人です（世帯外の人ではありません）",
                f"{key} must be a member of a household, not a person outside",
            )
    if s.get("deceased") and by_id[s["deceased"]].get("outside"):
        dead = by_id[s["deceased"]]
        for k in ("birth_date", "sex"):
            if dead.get(k) is None:
                raise SituationError(
                    f"persons[{ids[dead['id']]}].{k}",
                    f"世帯外の亡くなった方にも{key_name(k)}が必要です（死亡届・火葬許可に記載します）",
                    f"an outside deceased needs {k} (death registration, cremation permit)",
                )
    for p in everyone:
        i = ids[p["id"]]
        if p.get("birth_date") and p["birth_date"] > d:
            raise SituationError(
                f"persons[{i}].birth_date",
                "生年月日が異動日より後です",
                "birth_date is after event_date",
            )
        for j, parent in enumerate(p.get("parents", ())):
            if parent not in ids or parent == p["id"]:
                raise SituationError(
                    f"persons[{i}].parents[{j}]",
                    "父母に挙げた人が本人以外の世帯の人の中にいません",
                    f"{parent!r} is not another person of the situation",
                )
        if p.get("outside"):
            continue
        if "special_address_facility" in p["flags"] and not (event == "move_in" and p["moving"]):
            raise SituationError(
                f"persons[{i}].flags",
                f"住所地特例は{event_name('move_in')}で異動する人だけに書けます",
                "special_address_facility is only for persons who move in a move_in",
            )
    if event in MOVE_EVENTS and not any(p["moving"] for p in persons):
        raise SituationError("persons", "異動する人が1人もいません", "nobody moves")
    if event == "birth":
        _check_newborns(s, by_id, d)
    if event in COUPLE_EVENTS:
        if len(s["couple"]) != 2:
            raise SituationError("couple", "夫婦は異なる2人です", "couple must be two distinct ids")
        for j, v in enumerate(s.get("surname_changes", [])):
            if v not in s["couple"]:
                raise SituationError(
                    f"surname_changes[{j}]",
                    "氏が変わる人は夫婦の一方です（子の氏は父母の婚姻・離婚では変わりません）",
                    "not a member of couple",
                )
    if event == "divorce":
        couple = s["couple"]
        kmsur = s.get("keeps_married_surname", [])
        for j, v in enumerate(kmsur):
            if v not in couple:
                raise SituationError(
                    f"keeps_married_surname[{j}]",
                    "婚氏続称は夫婦の一方です",
                    "not a member of couple",
                )
            if v in s.get("surname_changes", []):
                raise SituationError(
                    f"keeps_married_surname[{j}]",
                    "婚氏続称する人は氏が変わる人に入りません",
                    "also in surname_changes",
                )
        if "custodial_parent" in s and s["custodial_parent"] not in couple:
            raise SituationError(
                "custodial_parent", "子を引き取る親は夫婦の一方です", "not a member of couple"
            )
        recipients = [c for c in couple if "child_allowance_recipient" in by_id[c]["flags"]]
        if len(recipients) > 1:
            raise SituationError(
                f"persons[{ids[recipients[1]]}].flags",
                "児童手当の受給者は夫婦のうち1人までです",
                "at most one of the couple carries child_allowance_recipient",
            )
        kid = any(
            ages.support_age(p["birth_date"], d) and set(couple) & set(parents_of(p, s))
            for p in persons
        )
        if kid and "custodial_parent" not in s:
            raise SituationError(
                "custodial_parent",
                "夫婦の子（18歳到達後の年度末まで）がいるので、子を引き取る親が必要です",
                "required because a child of the couple of the 18-rule age exists",
            )
    _check_after(persons, event, s)
    gone = set()
    if event == "death":
        gone.add(s["deceased"])
    if event in MOVING_IN_OUT:
        gone |= {p["id"] for p in persons if p["moving"]}
    for p in persons:
        if p["id"] in gone:
            for key in ("health_insurance_before", "pension_before"):
                if p[key] is not None:
                    raise SituationError(
                        f"persons[{ids[p['id']]}].{key}",
                        f"死亡・転入・転出する人には{key_name(key)}を書きません（市での資格はこの届出で始まるか終わります）",
                        f"{key} is not given for the deceased or persons moving in or out",
                    )
    return s
