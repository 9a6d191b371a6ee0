"""Person-level entry at the counter: a newborn, a foreign resident's 在留カード data, and
the fields captured once per visit (電話番号, 口座, 喪主 …) that the printed forms ask for.

Each is one visit step (``counter/inputs.py``), one transaction with its audit row. Dates
are typed as clerks type them (R9.3.29, 令和9年3月29日, 5090329, 2027-03-29) and read by
the one strict era module (``madoguchi.core.wareki``); a bad value is a ``CounterError``
naming the field.
"""

from __future__ import annotations

import copy
import re
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.register.residence_card import ART30_45_CLASSES, RESIDENCE_STATUSES

from ..models import VisitEvent, VisitPerson
from .errors import CounterError
from .visit import _commit, _lock, _next_pid, _start_interview

# ------------------------------------------------------------------ dates


def counter_date(text, field: str, label: str) -> date | None:
    """A date as typed at the counter (和暦 or 西暦, ``core.wareki.parse_wareki``); None
    when empty. The error names the field: 「出生日: 「R9.2.30」: 令和9年2月30日 は存在しない日付です」."""
    from madoguchi.core.wareki import WarekiError, parse_wareki

    if isinstance(text, date):
        return text
    raw = str(text or "").strip()
    if not raw:
        return None
    try:
        return parse_wareki(raw)
    except WarekiError as exc:
        raise CounterError(f"{label}: {exc}", field) from None


def counter_country(text, field: str, label: str):
    """The 国籍・地域 a clerk picked or typed (a code, the name, its reading, a former or
    full name: ``core.countries.resolve``) as the list's entry; the error names the field
    and offers the candidates of what was typed: 「国籍・地域「ベト」は一覧にありません（候補:
    ベトナム）」."""
    from madoguchi.core import countries

    raw = str(text or "").strip()
    if not raw:
        raise CounterError(_("%(l)s: 国籍・地域を一覧から選んでください") % {"l": label}, field)
    found = countries.resolve(raw)
    if found is None:
        near = "、".join(c.name for c in countries.search(raw, 4))
        message = _("%(l)s: 国籍・地域「%(t)s」は一覧にありません") % {"l": label, "t": raw}
        if near:
            message += _("（候補: %(c)s）") % {"c": near}
        raise CounterError(message, field)
    return found


# ------------------------------------------------------------------ kana

_KANA_RE = re.compile(r"^[\u30A1-\u30FA\u30FC\u3000 ]+$")


def katakana(text: str, field: str, label: str) -> str:
    """フリガナ as the register keeps it: full-width katakana (hiragana typed through the
    IME is turned into katakana; this is the reading, never the name itself)."""
    raw = (text or "").strip()
    out = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in raw)
    if out and not _KANA_RE.match(out):
        raise CounterError(
            _("%(l)s はカタカナ（またはひらがな）で入力してください") % {"l": label}, field
        )
    return out.replace(" ", "\u3000")


# ------------------------------------------------------------------ the newborn

NEWBORN_SOURCE = "newborn"
# The birth event's details the newborn entry sets (not the generic details form).
NEWBORN_DETAILS = frozenset(
    {"newborn", "newborns", "mother", "birth_weight_g", "premature_hospitalized"}
)
_TIME_RE = re.compile(r"^(\d{1,2})[:：時](\d{1,2})分?$")


def _birth_time(text: str) -> str:
    raw = (text or "").strip()
    if not raw:
        return ""
    m = _TIME_RE.match(raw.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise CounterError(_("出生の時刻は 14:05 のように入力してください"), "birth_time")
    return f"{int(m.group(1)):02d}:{int(m.group(2)):02d}"


def _weight(value) -> int:
    raw = str(value if value is not None else "").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789")).removesuffix("g")
    if not raw.isdigit() or not 100 <= int(raw) <= 9999:
        raise CounterError(_("出生体重はグラムの整数（例: 2300）で入力してください"), "weight_g")
    return int(raw)


def _newborn_insurance(parents: list[VisitPerson]) -> tuple[str, str]:
    """The newborn's health insurance follows a parent's (the primary earner's first);
    it is a guess until the clerk confirms it (要確認)."""
    ordered = sorted(parents, key=lambda p: "primary_earner" not in p.data.get("flags", []))
    for p in ordered:
        hi = p.data.get("health_insurance")
        if hi in ("nhi", "employee", "assistance"):
            return hi, _("親の健康保険から推定（要確認）")
        if hi == "elderly":  # a parent of 75 or over: the child joins 国保
            return "nhi", _("親の健康保険から推定（要確認）")
    return "nhi", _("親の健康保険が不明: 国保と推定（要確認）")


OUTSIDE_PARENT = "outside"
OUTSIDE_SOURCE = "outside"
# where an outside father lives: an address (Japan), 住所不定, or abroad (the address as
# written there)
FATHER_ADDRESS_KINDS = ("", "unfixed", "abroad")
# the newborn's own fields: a change on correction is kept as an edit (訂正)
_CORRECTED = ("name", "kana", "sex", "birth_time", "birth_place")
# an outside parent's register keys the newborn entry gives (the rest is captured later)
_OUTSIDE_ENTRY_KEYS = frozenset(
    {"name", "kana", "honseki", "hittousha", "address", "address_kind", "nationality_name"}
)


def _outside_father(
    name: str,
    kana: str,
    birth_date,
    honseki: str,
    hittousha: str,
    address: str,
    address_kind: str,
    nationality: str,
) -> dict:
    """The data of a father from outside every household (situation.md, "Persons outside
    the households"): 氏名, ふりがな, 生年月日, 本籍・筆頭者, 住所 (or 住所不定 / 国外) and
    国籍・地域 where not Japanese, each checked and named by its field."""
    if not name.strip():
        raise CounterError(_("世帯外の父の氏名を入力してください"), "father_name")
    reading = katakana(kana, "father_kana", _("父のふりがな"))
    born = counter_date(birth_date, "father_birth_date", _("父の生年月日"))
    if address_kind not in FATHER_ADDRESS_KINDS:
        raise CounterError(_("父の住所の種類が不正です"), "father_address_kind")
    where = (address or "").strip()
    if address_kind == "unfixed":
        where = _("住所不定")
    elif address_kind == "abroad" and not where:
        raise CounterError(_("国外の父の住所（国・地域から）を入力してください"), "father_address")
    code, country_name = "JP", ""
    if (nationality or "").strip():
        country = counter_country(nationality, "father_nationality", _("父の国籍・地域"))
        code, country_name = country.code, ("" if country.code == "JP" else country.name)
    register = {
        "name": name.strip(),  # as written: never normalised
        "kana": reading,
        "honseki": (honseki or "").strip(),
        "hittousha": (hittousha or "").strip(),
        "address": where,
        "address_kind": address_kind,
        "nationality_name": country_name,
    }
    return {
        "outside": True,
        "sex": "male",
        "nationality": code,
        "register": {k: v for k, v in register.items() if v},
        **({"birth_date": born.isoformat()} if born else {}),
    }


def _count(text, field: str) -> int | None:
    raw = str(text if text is not None else "").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789")).removesuffix("人")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 20:
        raise CounterError(_("これまでの子の人数は 0〜20 の整数で入力してください"), field)
    return int(raw)


def add_newborn(
    visit_id: int,
    version: int,
    actor,
    name: str,
    kana: str,
    sex: str,
    birth_date,
    birth_time: str = "",
    birth_place: str = "",
    weight_g=None,
    premature_hospitalized: bool = False,
    mother: str = "",
    father: str = "",
    father_name: str = "",
    target: str = "",
    mother_name: str = "",
    mother_birth_date="",
    father_kana: str = "",
    father_birth_date="",
    father_honseki: str = "",
    father_hittousha: str = "",
    father_address: str = "",
    father_address_kind: str = "",
    father_nationality: str = "",
    prior_male=None,
    prior_female=None,
    prior_reason: str = "",
) -> object:
    """Enter the newborn of a birth (it is not in the register yet) and its parents.

    The newborn becomes a person of the situation: ``newborn``, ``mother``,
    ``birth_weight_g`` and ``premature_hospitalized`` are the birth event's details,
    ``parents`` the mother and the father. The 異動日 becomes the birth date. Entered
    again, the same newborn is corrected (each changed field kept as an edit, 訂正).

    Twins, triplets (situation.md, "Several newborns"): ``target="new"`` adds another
    newborn of the same birth (the same birth date; its own 氏名, sex, time, weight …),
    a newborn's pid corrects that one; the birth then lists ``newborns`` with a weight
    and a hospitalisation per newborn.

    Parents from outside every household (situation.md, "Persons outside the
    households"): a mother living elsewhere (``mother="outside"`` with ``mother_name``
    and her birth date; the newborn is born into its father's household), or a father
    living elsewhere (``father="outside"``, or ``father_name`` alone, with his ふりがな,
    birth date, 本籍・筆頭者, address or 住所不定/国外 and nationality): each is one person
    of the visit, entered once, in ``parents``, never a member. No father (``father=""``
    and no name): a child born outside marriage whose father has not acknowledged it
    (認知) — the 出生届 leaves 父 blank.

    ``prior_male`` / ``prior_female``: the earlier children of the same parents by sex as
    the parents tell it (``rules.birth.prior_children`` counts only those the register
    knows); a count other than the register's needs ``prior_reason`` and is kept as an
    edit of the newborn entered, and holds for every newborn of the birth. None:
    unchanged; both blank: the register's."""
    if not (name or "").strip():
        raise CounterError(_("生まれた子の氏名を入力してください"), "name")
    reading = katakana(kana, "kana", _("ふりがな"))
    if not reading:
        raise CounterError(_("生まれた子のふりがなを入力してください"), "kana")
    if sex not in ("male", "female"):
        raise CounterError(_("生まれた子の性別を選んでください"), "sex")
    born = counter_date(birth_date, "birth_date", _("出生日"))
    if born is None:
        raise CounterError(_("出生日を入力してください"), "birth_date")
    when = _birth_time(birth_time)
    grams = _weight(weight_g)
    if not mother:
        raise CounterError(_("母（出産した人）を選んでください"), "mother")
    outside_mother = None
    if mother == OUTSIDE_PARENT:
        if not mother_name.strip():
            raise CounterError(_("世帯外の母の氏名を入力してください"), "mother_name")
        if not father or father == OUTSIDE_PARENT:
            raise CounterError(_("母が世帯外のときは、子と同じ世帯の父を選んでください"), "father")
        mother_born = counter_date(mother_birth_date, "mother_birth_date", _("母の生年月日"))
        outside_mother = {
            "outside": True,
            "sex": "female",
            "register": {"name": mother_name.strip()},  # as written: never normalised
            **({"birth_date": mother_born.isoformat()} if mother_born else {}),
        }
    elif mother_name.strip():
        raise CounterError(_("母は世帯の人か世帯外の氏名のどちらかです"), "mother_name")
    if father and father == mother:
        raise CounterError(_("父と母に同じ人は選べません"), "father")
    if father_name.strip() and father not in ("", OUTSIDE_PARENT):
        raise CounterError(_("父は世帯の人か世帯外の氏名のどちらかです"), "father_name")
    outside_father = None
    if father == OUTSIDE_PARENT or (not father and father_name.strip()):
        outside_father = _outside_father(
            father_name,
            father_kana,
            father_birth_date,
            father_honseki,
            father_hittousha,
            father_address,
            father_address_kind,
            father_nationality,
        )
    males, females = _count(prior_male, "prior_male"), _count(prior_female, "prior_female")
    told = None if prior_male is None and prior_female is None else (males, females)
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        persons = {p.pid: p for p in visit.persons.all()}
        born_ones = [p for p in persons.values() if p.source == NEWBORN_SOURCE]
        if target == "new":
            existing = None
        elif target:
            existing = next((p for p in born_ones if p.pid == target), None)
            if existing is None:
                raise CounterError(_("訂正する生まれた子が見つかりません"), "target")
        else:
            existing = born_ones[0] if born_ones else None
        if outside_mother is not None:
            mother = _outside_parent(visit, persons, outside_mother)
        if outside_father is not None:
            father = _outside_parent(visit, persons, outside_father)
        for role, pid in (("mother", mother), ("father", father)):
            if pid and (pid not in persons or persons[pid] is existing):
                raise CounterError(_("父母は案件の世帯の人から選んでください"), role)
        if persons[mother].data.get("outside") and (
            not father or persons[father].data.get("outside")
        ):
            raise CounterError(_("母が世帯外のときは、子と同じ世帯の父を選んでください"), "father")
        parents = [persons[p] for p in (mother, father) if p]
        home = persons[father] if persons[mother].data.get("outside") else persons[mother]
        rel = (
            "child"
            if any(p.data.get("relationship") in ("head", "spouse") for p in parents)
            else "relative"  # a grandchild: a kid through its parents (``parents``)
        )
        hi, hi_source = _newborn_insurance([p for p in parents if not p.data.get("outside")])
        nationalities = [p.data.get("nationality", "JP") for p in parents]
        mreg = persons[mother].data.get("register", {})
        hreg = home.data.get("register", {})
        register = {
            "name": name.strip(),  # as the 出生届 writes it: never normalised
            "kana": reading,
            "birth_time": when,
            "birth_place": birth_place.strip(),
            "mother_name": mreg.get("name", ""),
            "father_name": persons[father].data.get("register", {}).get("name", "")
            if father
            else "",
        }
        for key in ("postal_code", "address", "address_extra", "honseki", "hittousha"):
            if hreg.get(key):  # the newborn lives with its mother (else its father)
                register[key] = hreg[key]
        data = {
            "relationship": rel,
            "birth_date": born.isoformat(),
            "sex": sex,
            "nationality": "JP" if "JP" in nationalities else nationalities[0],
            "health_insurance": hi,
            "pension": "none",
            "flags": [],
            "parents": [p.pid for p in parents],
            "register": {k: v for k, v in register.items() if v},
            "sources": {"health_insurance": hi_source},
        }
        if born_ones and existing is None:  # twins: born on the same day
            first_born = born_ones[0].data.get("birth_date")
            if first_born and first_born != born.isoformat():
                raise CounterError(
                    _("双子・三つ子は同じ日に生まれた子です（別の日の出生は別の届出です）"),
                    "birth_date",
                )
            told_before = born_ones[0].data.get("register", {}).get("prior_children")
            if told_before:  # the parents' count is the birth's: the twin shares it
                data["register"]["prior_children"] = told_before
        if home.data.get("household"):  # born into its mother's (father's) household
            data["household"] = home.data["household"]
        if existing is None:
            pid = _next_pid(visit)
            newborn = VisitPerson.objects.create(
                visit=visit,
                pid=pid,
                source=NEWBORN_SOURCE,
                order=visit.persons.count(),
                data={"id": pid, **data},
            )
        else:
            pid, newborn = existing.pid, existing
            kept = copy.deepcopy(existing.data)
            edited = {e.get("field") for e in existing.edits}
            if "health_insurance" in edited:  # the clerk's confirmed insurance stays
                data["health_insurance"] = kept.get("health_insurance", hi)
                data["sources"] = {}
            if kept.get("register", {}).get("prior_children"):
                data["register"]["prior_children"] = kept["register"]["prior_children"]
            _corrections(existing, kept, data, actor)
            existing.data = {**kept, **data, "id": pid}
            existing.save(update_fields=["data", "edits"])
        _forget_outside_parents(visit)
        visit.event_date = born
        ev = visit.events.filter(event="birth").first()
        if ev is None:
            ev = VisitEvent.objects.create(visit=visit, event="birth", order=visit.events.count())
        details = _twins_details(
            dict(ev.details), [p.pid for p in born_ones], pid, grams, premature_hospitalized
        )
        details["mother"] = mother
        ev.details = details
        ev.save(update_fields=["details"])
        if told is not None:
            newborn.refresh_from_db()
            _prior_children(visit, newborn, told, prior_reason, actor)
        _start_interview(visit, actor)
        _commit(visit, actor, "visit.correct_newborn" if existing else "visit.add_newborn")
    return visit


def _corrections(vp: VisitPerson, before: dict, after: dict, actor) -> None:
    """Each of the newborn's own fields the clerk changed, kept as an edit (訂正)."""
    edits = list(vp.edits)
    for key in _CORRECTED:
        old = before.get(key) if key == "sex" else before.get("register", {}).get(key)
        new = after.get(key) if key == "sex" else after.get("register", {}).get(key)
        if (old or "") != (new or ""):
            edits.append(
                {
                    "field": key if key == "sex" else f"register.{key}",
                    "before": old,
                    "after": new,
                    "reason": _("訂正"),
                    "by": getattr(actor, "username", ""),
                    "at": timezone.now().isoformat(timespec="seconds"),
                }
            )
    vp.edits = edits


def register_prior_children(visit, pid: str) -> dict[str, int] | None:
    """The earlier children of the same parents the register and the visit know
    (``rules.birth.prior_children``) for newborn ``pid`` of the visit's birth; None when
    the birth cannot be determined yet."""
    from madoguchi.rules.birth import prior_children
    from madoguchi.rules.family import kin_of
    from madoguchi.rules.situation import SituationError, validate

    from .. import determination

    sit = next((s for s in determination.situations(visit) if s["event"] == "birth"), None)
    if sit is None:
        return None
    try:
        s = validate(sit)
    except SituationError:
        return None
    return prior_children(pid, kin_of(s), s["mother"], tuple(s["newborns"]))


def _prior_children(visit, newborn: VisitPerson, told: tuple, reason: str, actor) -> None:
    """The parents' count of their earlier children (男・女) for the 出生届's 続き柄: the
    register's count is the default; another count needs a reason and is kept on every
    newborn of the birth (the edit on the newborn entered)."""
    males, females = told
    now = newborn.data.get("register", {}).get("prior_children")
    if males is None and females is None and not now:
        return  # left blank: the register's count, as it was
    counted = register_prior_children(visit, newborn.pid)
    if counted is None:
        raise CounterError(_("これまでの子の人数は生まれた子を入力してから"), "prior_male")
    want = None
    if males is not None or females is not None:
        want = {"male": males or 0, "female": females or 0}
        if want == counted:
            want = None  # the register's count: no override
    if want == now:
        return
    if want is not None and not (reason or "").strip():
        raise CounterError(
            _("住民記録と違う人数にする理由を入力してください（例: 別に住む子がいる）"),
            "prior_reason",
        )
    for vp in visit.persons.filter(source=NEWBORN_SOURCE):
        data = copy.deepcopy(vp.data)
        reg = data.setdefault("register", {})
        if want is None:
            reg.pop("prior_children", None)
        else:
            reg["prior_children"] = want
        vp.data = data
        if vp.pid == newborn.pid:
            vp.edits = [
                *vp.edits,
                {
                    "field": "prior_children",
                    "before": now or counted,
                    "after": want or counted,
                    "reason": (reason or "").strip() or _("住民記録のとおり"),
                    "by": getattr(actor, "username", ""),
                    "at": timezone.now().isoformat(timespec="seconds"),
                },
            ]
        vp.save(update_fields=["data", "edits"])


def _outside_parent(visit, persons: dict, data: dict) -> str:
    """The visit's person for a parent from outside every household (one mother, one
    father per visit, told apart by sex): created, or corrected when entered again.
    Returns the pid; ``persons`` is updated."""
    existing = next(
        (
            p
            for p in persons.values()
            if p.source == OUTSIDE_SOURCE and p.data.get("sex") == data["sex"]
        ),
        None,
    )
    if existing is not None:
        # what the entry gives is replaced; what was captured since (職業 …) stays
        kept = {
            k: v
            for k, v in (existing.data.get("register") or {}).items()
            if k not in _OUTSIDE_ENTRY_KEYS
        }
        register = {**kept, **data.get("register", {})}
        existing.data = {**existing.data, **data, "register": register, "id": existing.pid}
        if "birth_date" not in data:
            existing.data.pop("birth_date", None)
        existing.save(update_fields=["data"])
        return existing.pid
    pid = _next_pid(visit)
    persons[pid] = VisitPerson.objects.create(
        visit=visit,
        pid=pid,
        source=OUTSIDE_SOURCE,
        involved=False,
        order=visit.persons.count(),
        data={"id": pid, **data},
    )
    return pid


def _forget_outside_parents(visit) -> None:
    """A parent from outside no newborn names any more (the clerk chose another father,
    or none) leaves the visit: they were there only as the newborn's parent."""
    persons = list(visit.persons.all())
    named = {p for vp in persons if vp.source == NEWBORN_SOURCE for p in vp.data.get("parents", [])}
    for vp in persons:
        if vp.source == OUTSIDE_SOURCE and vp.pid not in named:
            vp.delete()


def _twins_details(details: dict, before: list[str], pid: str, grams: int, premature: bool):
    """The birth's details with newborn ``pid`` set: one newborn → ``newborn``,
    ``birth_weight_g`` (grams), ``premature_hospitalized`` (true or absent); twins and
    more → also ``newborns`` in the order entered, a weight per newborn and the list of
    those hospitalised (situation.md, "Several newborns")."""
    order = before if pid in before else [*before, pid]
    old_weights = details.get("birth_weight_g")
    weights = dict(old_weights) if isinstance(old_weights, dict) else {}
    if isinstance(old_weights, int) and before:
        weights[before[0]] = old_weights
    weights[pid] = grams
    old_premature = details.get("premature_hospitalized", False)
    hospitalised = (
        set(old_premature)
        if isinstance(old_premature, list)
        else ({before[0]} if old_premature is True and before else set())
    )
    hospitalised.discard(pid)
    if premature:
        hospitalised.add(pid)
    for key in ("newborns", "birth_weight_g", "premature_hospitalized"):
        details.pop(key, None)
    details["newborn"] = order[0]
    if len(order) == 1:
        details["birth_weight_g"] = grams
        if premature:
            details["premature_hospitalized"] = True
        return details
    details["newborns"] = order
    details["birth_weight_g"] = {p: weights[p] for p in order if p in weights}
    chosen = [p for p in order if p in hospitalised]
    if chosen:
        details["premature_hospitalized"] = chosen
    return details


def without_newborn(details: dict, pid: str) -> dict:
    """The birth's details once newborn ``pid`` is removed (entered by mistake): the
    others keep their order, weights and hospitalisation; one left is a single birth
    again (``newborn``, an integer weight), none leaves no newborn detail."""
    order = list(
        details.get("newborns") or ([details["newborn"]] if details.get("newborn") else [])
    )
    weights = details.get("birth_weight_g")
    premature = details.get("premature_hospitalized", False)
    if not isinstance(weights, dict):
        weights = {order[0]: weights} if order and weights is not None else {}
    if not isinstance(premature, list):
        premature = [order[0]] if order and premature is True else []
    out = {k: v for k, v in details.items() if k not in _BIRTH_ORDER_KEYS}
    rest = [p for p in order if p != pid]
    if not rest:
        return out
    out["newborn"] = rest[0]
    if len(rest) == 1:
        if rest[0] in weights:
            out["birth_weight_g"] = weights[rest[0]]
        if rest[0] in premature:
            out["premature_hospitalized"] = True
        return out
    out["newborns"] = rest
    out["birth_weight_g"] = {p: weights[p] for p in rest if p in weights}
    chosen = [p for p in rest if p in premature]
    if chosen:
        out["premature_hospitalized"] = chosen
    return out


_BIRTH_ORDER_KEYS = ("newborn", "newborns", "birth_weight_g", "premature_hospitalized")


# ------------------------------------------------------------------ foreign residents

# 30条45区分 and 在留資格: ART30_45_CLASSES, RESIDENCE_STATUSES (register/residence_card.py),
# the lists the counter offers and the imports check.
# 在留カード等番号: 2 letters, 8 digits, 2 letters (在留カード・特別永住者証明書)
_CARD_RE = re.compile(r"^[A-Z]{2}\d{8}[A-Z]{2}$")
FOREIGN_KEYS = (
    "nationality_name",
    "name_roman",
    "alt_name",
    "art30_45_class",
    "residence_status",
    "residence_period",
    "residence_expires_on",
    "residence_card_no",
)


def _put(mapping: dict, values: dict) -> None:
    """Set each value; an empty one removes the key (a blank box, not an empty string)."""
    for key, value in values.items():
        if value:
            mapping[key] = value
        else:
            mapping.pop(key, None)


def _ascii_upper(text: str) -> str:
    table = {c: chr(ord(c) - 0xFEE0) for c in map(chr, range(0xFF01, 0xFF5F))}
    return "".join(table.get(c, c) for c in (text or "").strip()).upper()


def set_foreign_resident(
    visit_id: int,
    version: int,
    actor,
    pid: str,
    nationality: str,
    nationality_name: str = "",
    name_roman: str = "",
    alt_name: str = "",
    art30_45_class: str = "",
    residence_status: str = "",
    residence_period: str = "",
    residence_expires_on="",
    residence_card_no: str = "",
):
    """The 在留カード data of one person, entered once: nationality (drives the rules:
    住居地の届出 applies, the insurance is asked, not guessed), and the 外国人住民 fields
    the 住民異動届 prints. 在留カード等番号 is kept for that form only and masked on
    screens. ``nationality`` is picked from the list (``core.countries``: a code, a name
    or its reading), stored as the code; the name printed is the list's
    (``nationality_name`` is no longer read: kept for callers of the older API)."""
    country = counter_country(nationality, "nationality", _("国籍・地域"))
    code = country.code
    if code == "JP":
        raise CounterError(_("日本国籍の方には在留カードの情報は入力しません"), "nationality")
    if art30_45_class not in ART30_45_CLASSES:
        raise CounterError(_("30条45区分を選んでください"), "art30_45_class")
    special = art30_45_class == "特別永住者"
    if not special and residence_status not in RESIDENCE_STATUSES:
        raise CounterError(_("在留資格を選んでください"), "residence_status")
    expires = counter_date(residence_expires_on, "residence_expires_on", _("在留期間の満了日"))
    if art30_45_class == "中長期在留者":
        if not (residence_period or "").strip():
            raise CounterError(_("在留期間（例: 3年）を入力してください"), "residence_period")
        if expires is None and residence_status != "永住者":
            raise CounterError(_("在留期間の満了日を入力してください"), "residence_expires_on")
    card = _ascii_upper(residence_card_no).replace(" ", "")
    if art30_45_class in ("中長期在留者", "特別永住者") and not _CARD_RE.match(card):
        raise CounterError(
            _("在留カード等番号は英字2桁・数字8桁・英字2桁（例: AB12345678CD）です"),
            "residence_card_no",
        )
    roman = " ".join((name_roman or "").split()).upper()
    if roman and not re.match(r"^[A-Z ,.'\-]+$", roman):
        raise CounterError(_("ローマ字氏名は英字で入力してください"), "name_roman")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        vp = visit.persons.filter(pid=pid).first()
        if vp is None:
            raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
        data = copy.deepcopy(vp.data)
        reg = dict(data.get("register") or {})
        values = {
            "nationality_name": country.name,  # the list's name: printed on every form
            "name_roman": roman,
            "alt_name": (alt_name or "").strip(),  # 通称: as written, never normalised
            "art30_45_class": art30_45_class,
            "residence_status": "" if special else residence_status,
            "residence_period": (residence_period or "").strip(),
            "residence_expires_on": expires.isoformat() if expires else "",
            "residence_card_no": card,
        }
        _put(reg, values)
        data["register"] = reg
        data["nationality"] = code
        # The register cannot say a foreign resident's insurance or pension: asked, not
        # guessed, until the clerk confirms them (「台帳の内容を変更」).
        edited = {e.get("field") for e in vp.edits}
        sources = dict(data.get("sources") or {})
        sources.pop("nationality", None)  # picked from the list now: nothing left to check
        for field in ("health_insurance", "pension"):
            if field not in edited:
                sources[field] = _("外国人住民: 加入状況を本人に確認（要確認）")
        data["sources"] = sources
        vp.data = data
        vp.save(update_fields=["data"])
        _commit(
            visit,
            actor,
            "visit.set_foreign_resident",
            person_ids=[vp.atena_no] if vp.atena_no else [],
        )
    return visit


# ------------------------------------------------------------------ captured once


def _job_from_household_work(cleaned: dict, persons: dict, result: dict) -> None:
    """One answer, two forms: the 出生届's 世帯のおもな仕事 is the job of the household's
    main earner — the 生計中心者, who is also the 児童手当 claimant (the parent with the
    higher income, procedures.md) — so that person's 職業 left blank is taken from it where
    the category says it (``capture.JOB_OF_HOUSEHOLD_WORK``)."""
    from .. import capture as cap

    work = next((a["household_work"] for a in cleaned.values() if a.get("household_work")), "")
    job = cap.JOB_OF_HOUSEHOLD_WORK.get(work)
    if not job:
        return
    earners = [p for p, vp in persons.items() if "primary_earner" in vp.data.get("flags", [])]
    claimants = [
        pid
        for proc in (result or {}).get("procedures", [])
        if proc["id"] in ("child_allowance.claim", "child_allowance.amount_revision")
        for pid in proc.get("persons", [])
    ]
    for pid in earners or claimants[:1]:
        vp = persons.get(pid)
        if vp is None:
            continue
        given = cleaned.get(pid, {}).get("occupation")
        if not given and not (vp.data.get("register") or {}).get("occupation"):
            cleaned.setdefault(pid, {})["occupation"] = job


def capture(visit_id: int, version: int, actor, values: dict[str, dict[str, str]]):
    """Fields the forms ask for, answered once (``counter.capture``): ``{"visit":
    {"phone": "0157-12-3456"}, "p1": {"bank_account_no": …}, "outside": {…}}``. The contact
    phone is the visit's (every form's 電話番号); the rest is kept in the person's register
    block (the outside applicant's account in the applicant), all checked first: one bad
    value writes nothing and names its person and field."""
    from .. import capture as cap

    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        persons = {p.pid: p for p in visit.persons.all()}
        applicant = dict((visit.state or {}).get("applicant") or {})
        cleaned: dict[str, dict[str, str]] = {}
        for pid, answers in values.items():
            if pid == cap.VISIT:
                who = ""
            elif pid == cap.OUTSIDE:
                if not applicant.get("name"):
                    raise CounterError(_("世帯外の届出人がいません"), "outside")
                who = applicant["name"]
            elif pid in persons:
                who = persons[pid].data.get("register", {}).get("name") or pid
            else:
                raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
            for key, raw in answers.items():
                if (
                    key not in cap.BY_KEY
                    or (pid == cap.OUTSIDE and key not in cap.OUTSIDE_KEYS)
                    or ((pid == cap.VISIT) != (key == "phone"))
                ):
                    raise CounterError(_("不明な項目: %(f)s") % {"f": key}, key)
                cleaned.setdefault(pid, {})[key] = cap.clean(key, raw, f"{pid}.{key}", who)
        _job_from_household_work(cleaned, persons, visit.result)
        for pid, answers in cleaned.items():
            if pid == cap.VISIT:
                state = dict(visit.state or {})
                if answers.get("phone") != state.get("contact_phone"):
                    state.pop("contact_phone_source", None)  # typed: no longer prefilled
                if answers.get("phone"):
                    state["contact_phone"] = answers["phone"]
                else:
                    state.pop("contact_phone", None)
                visit.state = state
                continue
            if pid == cap.OUTSIDE:
                _put(applicant, answers)
                visit.state = {**visit.state, "applicant": applicant}
                continue
            vp = persons[pid]
            data = copy.deepcopy(vp.data)
            reg = dict(data.get("register") or {})
            _put(reg, answers)
            data["register"] = reg
            vp.data = data
            vp.save(update_fields=["data"])
        _commit(visit, actor, "visit.capture")
    return visit
