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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
) -> object:
    """Enter the newborn of a birth (it is not in the register yet) and its parents.

    The newborn becomes a person of the situation: ``newborn``, ``mother``,
    ``birth_weight_g`` and ``premature_hospitalized`` are the birth event's details,
    ``parents`` the mother and the father of the visit (a father from outside the
    household is printed by name only: he is not a person of this household's situation).
    The 異動日 becomes the birth date. Entered again, the same newborn is corrected.

    Twins, triplets (situation.md, "Several newborns"): ``target="new"`` adds another
    newborn of the same birth (the same birth date; its own 氏名, sex, time, weight …),
    a newborn's pid corrects that one; the birth then lists ``newborns`` with a weight
    and a hospitalisation per newborn.

    A mother living elsewhere (``mother="outside"`` with ``mother_name`` and her birth
    date): she becomes a person from outside every household (situation.md, "Persons
    outside the households"), and the newborn is born into its father's household."""
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
        if not father:
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
    if father and father_name.strip():
        raise CounterError(_("父は世帯の人か世帯外の氏名のどちらかです"), "father_name")
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
            mother = _outside_mother(visit, persons, outside_mother)
        for role, pid in (("mother", mother), ("father", father)):
            if pid and (pid not in persons or persons[pid] is existing):
                raise CounterError(_("父母は案件の世帯の人から選んでください"), role)
        if persons[mother].data.get("outside") and not father:
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
            "father_name": father_name.strip()
            or (persons[father].data.get("register", {}).get("name", "") if father else ""),
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
        if home.data.get("household"):  # born into its mother's (father's) household
            data["household"] = home.data["household"]
        if existing is None:
            pid = _next_pid(visit)
            VisitPerson.objects.create(
                visit=visit,
                pid=pid,
                source=NEWBORN_SOURCE,
                order=visit.persons.count(),
                data={"id": pid, **data},
            )
        else:
            pid = existing.pid
            kept = copy.deepcopy(existing.data)
            edited = {e.get("field") for e in existing.edits}
            if "health_insurance" in edited:  # the clerk's confirmed insurance stays
                data["health_insurance"] = kept.get("health_insurance", hi)
                data["sources"] = {}
            existing.data = {**kept, **data, "id": pid}
            existing.save(update_fields=["data"])
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
        _start_interview(visit, actor)
        _commit(visit, actor, "visit.add_newborn")
    return visit


OUTSIDE_PARENT = "outside"
OUTSIDE_SOURCE = "outside"


def _outside_mother(visit, persons: dict, data: dict) -> str:
    """The visit's person for a mother from outside every household (one per visit):
    created, or corrected when entered again. Returns her pid; ``persons`` is updated."""
    existing = next((p for p in persons.values() if p.source == OUTSIDE_SOURCE), None)
    if existing is not None:
        existing.data = {**existing.data, **data, "id": existing.pid}
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


# ------------------------------------------------------------------ foreign residents

# 住民基本台帳法第30条の45 の区分 (docs/register-codes.md)
ART30_45_CLASSES = (
    gettext_noop("中長期在留者"),
    gettext_noop("特別永住者"),
    gettext_noop("一時庇護許可者"),
    gettext_noop("仮滞在許可者"),
    gettext_noop("経過滞在者"),
)
# 在留資格 (出入国管理及び難民認定法 別表第一・第二), as the 在留カード prints them
RESIDENCE_STATUSES = (
    gettext_noop("永住者"),
    gettext_noop("日本人の配偶者等"),
    gettext_noop("永住者の配偶者等"),
    gettext_noop("定住者"),
    gettext_noop("特別永住者"),
    gettext_noop("技術・人文知識・国際業務"),
    gettext_noop("企業内転勤"),
    gettext_noop("経営・管理"),
    gettext_noop("高度専門職"),
    gettext_noop("特定技能"),
    gettext_noop("技能実習"),
    gettext_noop("育成就労"),
    gettext_noop("技能"),
    gettext_noop("介護"),
    gettext_noop("教授"),
    gettext_noop("研究"),
    gettext_noop("教育"),
    gettext_noop("医療"),
    gettext_noop("留学"),
    gettext_noop("家族滞在"),
    gettext_noop("特定活動"),
    gettext_noop("文化活動"),
    gettext_noop("宗教"),
    gettext_noop("報道"),
    gettext_noop("芸術"),
    gettext_noop("興行"),
    gettext_noop("法律・会計業務"),
    gettext_noop("外交"),
    gettext_noop("公用"),
)
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


def mask_card_no(value: str) -> str:
    """The 在留カード等番号 as screens show it (AB********CD): the full number is printed
    only on the 住民異動届, where 住民基本台帳法第30条の45 requires it."""
    v = str(value or "")
    return v if len(v) < 4 else f"{v[:2]}{'*' * (len(v) - 4)}{v[-2:]}"


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
