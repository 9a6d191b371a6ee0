"""A situation person as the forms see it: register block, 続柄 text, legal order, ages."""

from __future__ import annotations

import datetime as dt

from madoguchi.catalog.forms import NEWBORN_KEYS, REGISTER_KEYS
from madoguchi.documents.engine.formats import SEX_JA, DocumentError, as_date
from madoguchi.rules import ages, zokugara


def registered_zokugara(person: dict) -> str:
    """The 続柄 of the register block, when it still agrees with the situation's
    relationship (a clerk's correction of the relationship wins)."""
    text = str((person.get("register") or {}).get("zokugara") or "").strip()
    try:
        agrees = text and zokugara.relationship_of(text) == person.get("relationship")
    except ValueError:
        agrees = False
    return text if agrees else ""


def relationship_ja(person: dict, head: dict | None) -> str:
    """The 続柄 as registered (see ``registered_zokugara``), else one derived from the
    situation relationship."""
    registered = registered_zokugara(person)
    if registered:
        return registered
    rel = person.get("relationship")
    sex = person.get("sex")
    if rel == "head":
        return "世帯主"
    if rel == "spouse":
        return "夫" if sex == "male" else "妻"
    if rel == "child":
        return "子"
    if rel == "parent":
        return "父" if sex == "male" else "母"
    if rel == "sibling":
        older = head is not None and str(person.get("birth_date")) < str(head.get("birth_date"))
        if sex == "male":
            return "兄" if older else "弟"
        return "姉" if older else "妹"
    if rel == "relative":
        return "縁故者"
    if rel == "cohabitant":
        return "同居人"
    return rel or ""


def legal_order_key(person: dict) -> tuple:
    """世帯連記の記載順位 (``rules.zokugara``, the register screens' order): by the
    registered 続柄 when known, else by the one the relationship gives (父 before 母);
    ties by 宛名番号, then by id."""
    reg = person.get("register") or {}
    text = str(reg.get("zokugara_after") or "") or relationship_ja(person, None)
    birth = as_date(person.get("birth_date"))
    lead = zokugara.legal_order_key(text, person.get("relationship"), birth)
    return (*lead, str(reg.get("atena_no", "")), person["id"])


def person_context(person: dict, head: dict | None) -> dict:
    """A person as the form bindings see it: situation facts plus the register block."""
    reg = person.get("register") or {}
    if not isinstance(reg, dict):
        raise DocumentError(f"persons[{person.get('id')}].register", "must be a mapping")
    for key in reg:
        if key not in REGISTER_KEYS:
            raise DocumentError(
                f"persons[{person.get('id')}].register.{key}",
                f"unknown register key (known: {', '.join(REGISTER_KEYS)})",
            )
    ctx = {k: v for k, v in person.items() if k != "register"}
    ctx.update({k: ("" if v is None else str(v)) for k, v in reg.items()})
    for key in REGISTER_KEYS:
        ctx.setdefault(key, "")
    ctx["birth_date"] = str(person.get("birth_date", ""))
    # after a change of household (a new household, a new head) the 続柄 to the new head
    ctx["relationship_ja"] = str(reg.get("zokugara_after") or "") or relationship_ja(person, head)
    ctx["sex_ja"] = SEX_JA.get(person.get("sex"), "")
    ctx["flags"] = list(person.get("flags") or [])
    ctx["nationality"] = person.get("nationality", "JP")
    foreign = ctx["nationality"] != "JP"
    ctx["birth_date_jp"] = "" if foreign else ctx["birth_date"]
    ctx["birth_date_foreign"] = ctx["birth_date"] if foreign else ""
    # a newborn's 出生届 keys (bundle._newborns fills them): empty for everyone else
    for key in NEWBORN_KEYS:
        ctx[key] = ""
    ctx["health_insurance"] = person.get("health_insurance", "none")
    ctx["pension"] = str(person.get("pension", "none"))
    return ctx


def school_grade(birth_value, on: dt.date) -> str:
    """小n年 / 中n年 at ``on`` (the school year of ``rules.ages``), or "" outside
    compulsory school age."""
    birth = as_date(birth_value)
    if birth is None:
        return ""
    year = ages.school_year(birth, on)
    if year is None:
        return ""
    if year <= 6:
        return f"小学校{year}年"
    if year <= 9:
        return f"中学校{year - 6}年"
    return ""
