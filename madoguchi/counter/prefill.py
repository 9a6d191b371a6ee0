"""Register → situation person: the facts the interview need not ask.

``situation_person(person, event_date)`` turns a register ``Person`` into the person of
the situation contract (``domain/situation.md``) and says where each fact came from, so
the screen can show "台帳より" and the clerk edits a fact only with a reason.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from madoguchi.core import countries
from madoguchi.rules import ages, facts, zokugara

# The vocabulary of the situation contract (situation.md), owned by the rules.
FLAGS = tuple(facts.FLAGS)
RELATIONSHIPS = facts.RELATIONSHIPS
HEALTH_INSURANCE = facts.HEALTH_INSURANCE
PENSION = facts.PENSION


def relationship_of(text: str) -> str:
    """続柄 (as registered) → the situation's relationship to the head (``rules.zokugara``:
    ``夫（未届）`` counts as spouse; 子の妻, 子の子 and other chains are relatives)."""
    try:
        return zokugara.relationship_of(text)
    except ValueError:
        raise ValueError(_("続柄を判別できません: %(z)s") % {"z": (text or "").strip()}) from None


def health_insurance_of(person, event_date: date) -> tuple[str, str]:
    if person.elderly_medical:
        return "elderly", _("台帳: 後期高齢者医療")
    if person.nhi:
        return "nhi", _("台帳: 国民健康保険")
    if ages.elderly_medical(person.birth_date, event_date):
        return "elderly", _("75歳以上（後期高齢者医療の年齢）")
    return "employee", _("台帳に国保・後期の資格なし: 被用者保険と推定（要確認）")


def pension_of(person, event_date: date, health_insurance: str = "") -> tuple[str, str]:
    """The 国民年金 category: the register's; else, between 20 and 59 (everyone is
    insured, 国民年金法 7条), a guess coherent with the insurance guess — 被用者保険: the
    head's spouse 第3号 (dependent), anyone else 第2号 — marked 要確認 until confirmed."""
    cat = (person.pension_category or "").strip()
    if cat in ("1", "2", "3"):
        return cat, _("台帳: 国民年金 第%(c)s号") % {"c": cat}
    if ages.pension_age(person.birth_date, event_date):
        if health_insurance == "employee":
            if relationship_of(person.relationship) == "spouse":
                return "3", _("被用者保険の配偶者: 第3号と推定（要確認）")
            return "2", _("被用者保険: 第2号と推定（要確認）")
        return "none", _("台帳に種別なし（20〜59歳: 要確認）")
    return "none", _("年金加入年齢外")


def flags_of(person) -> list[str]:
    raw = [f for f in (person.flags or []) if f in FLAGS]
    if person.child_allowance_recipient:
        raw.append("child_allowance_recipient")
    if person.adult_ward:
        raw.append("adult_ward")
    return [f for f in FLAGS if f in set(raw)]


def register_block(person) -> dict:
    """Register fields used only for printing (documents engine, docs/documents.md)."""
    return {
        "name": person.name,
        "kana": person.name_kana,
        "postal_code": person.postal_code,
        "address": person.address,
        "address_extra": person.katagaki,
        "honseki": person.honseki,
        "hittousha": person.hittousha,
        "former_address": person.former_address,
        "former_postal_code": person.former_postal_code,
        "atena_no": person.atena_no,
        "zokugara": person.relationship,
        **foreign_block(person),
    }


def foreign_block(person) -> dict:
    """The 在留カード data of a foreign resident, as the register (or the pending
    転出証明書情報) holds it through the import mapping; {} for a Japanese national."""
    if (person.nationality or "JP").upper() == "JP":
        return {}
    values = {
        # the list's name for a listed code (printed as the 在留カード writes it), else the
        # register's own text (flagged 要確認 by situation_person)
        "nationality_name": countries.name_of(person.nationality) or person.nationality_name,
        "name_roman": person.name_roman,
        "alt_name": person.alt_name,
        "art30_45_class": person.art30_45_class,
        "residence_status": person.residence_status,
        "residence_period": person.residence_period,
        "residence_expires_on": (
            person.residence_expires_on.isoformat() if person.residence_expires_on else ""
        ),
        "residence_card_no": person.residence_card_no,
    }
    return {k: v for k, v in values.items() if v}


def situation_person(person, event_date: date, pid: str) -> tuple[dict, dict]:
    """Return (situation person, sources: field → where the value came from)."""
    hi, hi_src = health_insurance_of(person, event_date)
    pension, pension_src = pension_of(person, event_date, hi)
    data = {
        "id": pid,
        "relationship": relationship_of(person.relationship),
        "birth_date": person.birth_date.isoformat(),
        "sex": "male" if person.sex == "1" else "female",
        "nationality": (person.nationality or "JP").upper(),
        "health_insurance": hi,
        "pension": pension,
        "flags": flags_of(person),
        "register": register_block(person),
    }
    sources = {
        "relationship": _("台帳の続柄: %(z)s") % {"z": person.relationship},
        "health_insurance": hi_src,
        "pension": pension_src,
        "flags": _("台帳・他業務の情報"),
    }
    if data["nationality"] != "JP" and countries.by_code(data["nationality"]) is None:
        sources["nationality"] = _("国籍・地域が一覧にありません（要確認）")
    return data, sources
