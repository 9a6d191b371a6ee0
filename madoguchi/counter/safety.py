"""Safety of the flow: what the counter warns about before a visit is confirmed.

``warnings(visit)`` lists, for the visit screen and the API (``visit_dict``):

- ``resident_move_in`` — a 転入 is built for a person who already lives in the city (the
  register's current status 住民; a pending move-in or a former resident who left is
  not one). The clerk changes the event (転居 is offered) or acknowledges it with a
  reason.
- ``event_date_ahead`` — the 異動日 lies further ahead of the notification date (届出日)
  than the catalog allows (``rules.deadlines.advance_notice``): an error naming 異動日 when
  the event must have happened (転入, 転居, 出生 …), a warning to acknowledge when it
  may be notified ahead but not that far (転出: about 14 days, the event's
  ``advance_window_days`` in the catalog).
- ``notification_late`` — the notification's own deadline (住民基本台帳法・戸籍法) has
  passed: the city accepts it, but a 届出期間経過通知書 to the 簡易裁判所 may be needed;
  the reason for the delay is recorded with the acknowledgement.
- ``unconfirmed_facts`` — a person of the visit still has a fact the register or the entry
  only suggests (``sources`` text with 要確認: 被用者保険と推定, 第3号と推定, a foreign
  resident's insurance, a nationality not in the list) and nobody confirmed or changed it
  (``unconfirmed``). The clerk asks and confirms them all in one key (Alt+C,
  ``services.confirm_facts``), changes a wrong one with its reason, or goes on for a
  recorded reason (the resident does not know yet: an override, acknowledged like any
  warning and shown on the visit).

``asked_dates(visit)`` is what the counter must ask before it can tell whether a deadline
passed: 「死亡の事実を知った日」 when the death date is already past the 死亡届's 7 days
(the answer, default the death date, starts the deadline: ``rules.deadlines``).

``overdue(visit)`` names every procedure whose deadline has passed on the notification
date (期限超過 next to it, on the screen and on the guide sheet). ``blocking(visit)`` is
what stops 確認: an error, or a warning not acknowledged. The deadlines, the advance
window and the closing days are the rules' (``madoguchi.rules.deadlines``); the guide
sheet asks the same functions.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core.clock import pinned
from madoguchi.core.wareki import format_wareki
from madoguchi.rules import deadlines
from madoguchi.rules.facts import MOVE_IN_EVENTS

from . import labels
from .models import VisitStep

ERROR, WARNING = "error", "warning"
# the steps in which the visit can still change (before 確認)
OPEN_STEPS = (VisitStep.IDENTIFY, VisitStep.INTERVIEW)


def expects_move_in(visit) -> bool:
    """A move-in ticket (or a visit whose event is 転入): the search puts the pending
    move-ins (転出証明書情報) first."""
    if any(e.event == "move_in" for e in visit.events.all()):
        return True
    return bool(visit.ticket_id and visit.ticket.purpose == "move_in")


def notified_on(visit) -> date:
    """The notification date (届出日) the checks count from: the pinned business date
    (``core.clock``), else the day the bundle was first printed, else today."""
    pin = pinned(visit.event_date)
    if pin is not None:
        return pin
    if visit.printed_at:
        return timezone.localtime(visit.printed_at).date()
    return timezone.localdate()


def _procedure(cat, proc_id: str, on: date):
    try:
        return cat.procedure(proc_id, on)
    except (KeyError, LookupError):
        return None


def overdue(visit, on: date | None = None) -> list[str]:
    """Ids of the procedures whose deadline has passed on the notification date."""
    on = on or notified_on(visit)
    procs = (visit.result or {}).get("procedures", [])
    return [p["id"] for p in procs if deadlines.overdue(p.get("deadline"), on)]


def _names(visit) -> dict[str, str]:
    return {p.pid: (p.data.get("register") or {}).get("name") or p.pid for p in visit.persons.all()}


def _resident_move_in(visit, events: list[str]) -> list[dict]:
    from madoguchi.register.models import ResidentStatus
    from madoguchi.register.services import resident_statuses

    moving_in = [e for e in events if e in MOVE_IN_EVENTS]
    if not moving_in:
        return []
    persons = [p for p in visit.persons.all() if p.involved and p.atena_no]
    status = resident_statuses(p.atena_no for p in persons)
    residents = [p for p in persons if status.get(p.atena_no) == ResidentStatus.RESIDENT]
    if not residents:
        return []
    names = _names(visit)
    pids = [p.pid for p in residents]
    event = moving_in[0]
    who = "、".join(names[p] for p in pids)
    return [
        {
            "code": "resident_move_in",
            "severity": WARNING,
            "field": "events",
            "key": f"resident_move_in:{event}:{','.join(pids)}",
            "event": event,
            "persons": pids,
            "procedures": [],
            "suggested_event": "move_within" if event == "move_in" else None,
            "message": _(
                "%(who)s は現在この市の住民です（住民基本台帳）。%(event)sではなく転居の"
                "届出ではありませんか。転入のまま進めるには理由を記録してください。"
            )
            % {"who": who, "event": labels.event_name(event)},
            "message_en": (
                f"{who}: already a resident of this city in the register. A move within "
                "the city rather than a move-in? To go on with the move-in, record why."
            ),
        }
    ]


# the marker of a suggested fact in a ``sources`` text (prefill, entry, nationality)
TO_CONFIRM = "要確認"


def unconfirmed(vp) -> dict[str, str]:
    """The facts of a visit person still to confirm: field → the source text, for those
    whose source says 要確認 and that no edit (a confirmation 本人に確認 or a change with
    its reason) has touched yet. The one test the screen's badges, Alt+C and 確認 use."""
    edited = {e.get("field") for e in vp.edits}
    return {
        field: text
        for field, text in (vp.data.get("sources") or {}).items()
        if TO_CONFIRM in text and field not in edited
    }


def _unconfirmed_facts(visit) -> list[dict]:
    left = []
    for p in visit.persons.all():
        if p.involved and (fields := unconfirmed(p)):
            left.append((p, sorted(fields)))
    if not left:
        return []
    names = {p.pid: (p.data.get("register") or {}).get("name") or p.pid for p, _f in left}
    who = "、".join(
        _("%(name)s（%(facts)s）")
        % {"name": names[p.pid], "facts": "・".join(labels.field_label(f) for f in fields)}
        for p, fields in left
    )
    who_en = "; ".join(f"{names[p.pid]} ({', '.join(fields)})" for p, fields in left)
    return [
        {
            "code": "unconfirmed_facts",
            "severity": WARNING,
            "field": "facts",
            "key": "unconfirmed_facts:"
            + ",".join(f"{p.pid}.{f}" for p, fields in left for f in fields),
            "event": "",
            "persons": [p.pid for p, _fields in left],
            "facts": {p.pid: fields for p, fields in left},
            "procedures": [],
            "suggested_event": None,
            "message": _(
                "要確認が残っています: %(who)s。本人に確かめて Alt+C で確認するか、違うものは"
                "「台帳の内容を変更」で直してください。確かめられないまま進めるには理由を記録"
                "してください。"
            )
            % {"who": who},
            "message_en": (
                f"Facts still to confirm: {who_en}. Ask the resident and confirm them "
                "(Alt+C), correct a wrong one, or record why to go on without."
            ),
        }
    ]


def _event_date_ahead(visit, events: list[str], on: date) -> list[dict]:
    from .determination import catalog_of

    cat = catalog_of(visit)  # the advance window is the catalog's (events.yaml)
    out = []
    for event in events:
        found = deadlines.advance_notice(cat, event, visit.event_date, on)
        if found is None:
            continue
        allowed = found["allowed_days"]
        values = {
            "date": format_wareki(visit.event_date),
            "on": format_wareki(on),
            "days": found["days_ahead"],
            "allowed": allowed,
            "event": labels.event_name(event),
        }
        if allowed == 0:
            message = (
                _(
                    "異動日: %(date)s は届出日 %(on)s より後です。%(event)sの届出は"
                    "その日が来てからしか受け付けられません。異動日を確かめてください。"
                )
                % values
            )
            message_en = (
                f"Event date {visit.event_date} is after the notification date {on}: this "
                "event can only be notified once it has happened. Check the date."
            )
        else:
            message = (
                _(
                    "異動日: %(date)s は届出日 %(on)s の %(days)s 日後です。%(event)sの届出は"
                    "異動日のおおむね %(allowed)s 日前から受け付けます。このまま受け付けるには"
                    "理由を記録してください。"
                )
                % values
            )
            message_en = (
                f"Event date {visit.event_date} is {found['days_ahead']} days after the "
                f"notification date {on}; it is notified from about {allowed} days ahead. "
                "Record why to accept it now."
            )
        out.append(
            {
                "code": "event_date_ahead",
                "severity": ERROR if allowed == 0 else WARNING,
                "field": "event_date",
                "key": f"event_date_ahead:{event}:{visit.event_date.isoformat()}",
                "event": event,
                "persons": [],
                "procedures": [],
                "suggested_event": None,
                "message": message,
                "message_en": message_en,
            }
        )
    return out


def _notification_late(visit, on: date) -> list[dict]:
    from .determination import catalog

    cat = catalog()
    late = []
    for p in (visit.result or {}).get("procedures", []):
        if not deadlines.overdue(p.get("deadline"), on):
            continue
        proc = _procedure(cat, p["id"], visit.event_date)
        if proc is not None and deadlines.court_notice(proc.legal_basis):
            late.append(p)
    if not late:
        return []
    listed = "、".join(
        _("%(name)s（期限 %(d)s）")
        % {"name": p.get("name", p["id"]), "d": format_wareki(date.fromisoformat(p["deadline"]))}
        for p in late
    )
    return [
        {
            "code": "notification_late",
            "severity": WARNING,
            "field": "event_date",
            "key": "notification_late:"
            + visit.event_date.isoformat()
            + ":"
            + ",".join(p["id"] for p in late),
            "event": "",
            "persons": [],
            "procedures": [p["id"] for p in late],
            "suggested_event": None,
            "message": _(
                "期限超過: %(list)s。届出期間を過ぎていますが受理します。正当な理由がないときは"
                "簡易裁判所への届出期間経過通知書が必要です。遅れた理由を記録してください。"
            )
            % {"list": listed},
            "message_en": (
                "Past the notification period: "
                + ", ".join(f"{p['id']} (deadline {p['deadline']})" for p in late)
                + ". It is accepted; without a good reason a notice to the summary court "
                "(届出期間経過通知書) is needed. Record the reason for the delay."
            ),
        }
    ]


def warnings(visit, on: date | None = None) -> list[dict]:
    """The visit's warnings, each with ``acknowledged`` (the clerk's reason, or None)."""
    if not visit.persons.exists() and not visit.events.exists():
        return []
    on = on or notified_on(visit)
    events = [e.event for e in visit.events.all()]
    found = [
        *_resident_move_in(visit, events),
        *_event_date_ahead(visit, events, on),
        *_notification_late(visit, on),
        *_unconfirmed_facts(visit),
    ]
    acks = (visit.state or {}).get("acknowledged") or {}
    for w in found:
        w["acknowledged"] = acks.get(w["key"]) if w["severity"] == WARNING else None
        w["needs_acknowledgement"] = w["severity"] == WARNING and not w["acknowledged"]
    if visit.step not in OPEN_STEPS:
        # after 確認 the facts are what was printed: only an override stays to be seen
        # (a visit confirmed before this check existed is not flagged afterwards)
        found = [w for w in found if w["code"] != "unconfirmed_facts" or w["acknowledged"]]
    return found


def blocking(visit) -> dict | None:
    """The first warning that stops 確認: an error, or a warning not acknowledged."""
    for w in warnings(visit):
        if w["severity"] == ERROR or w["needs_acknowledgement"]:
            return w
    return None


def asked_dates(visit, on: date | None = None) -> list[dict]:
    """The dates the counter asks because a deadline counted from the event date alone
    has passed on the 届出日 (``rules.deadlines.asked_start``): 「死亡の事実を知った日」
    when the death date is more than the 死亡届's 7 days before it. Each: the event
    detail, its event, the procedure, the days, the value (the answer, default the event
    date) and whether it was answered."""
    from madoguchi.rules.situation import EVENT_DETAILS

    from .determination import catalog_of

    on = on or notified_on(visit)
    cat = catalog_of(visit)
    events = {e.event: e for e in visit.events.all()}
    out: dict[str, dict] = {}
    for p in (visit.result or {}).get("procedures", []):
        proc = _procedure(cat, p["id"], visit.event_date)
        start = deadlines.asked_start(proc.deadline if proc else {}, visit.event_date, on)
        event = next((e for e in events if start and start in EVENT_DETAILS[e][1]), None)
        if event is None or start in out:
            continue
        given = (events[event].details or {}).get(start)
        out[start] = {
            "detail": start,
            "event": event,
            "procedure": p["id"],
            "procedure_name": p.get("name", p["id"]),
            "days": proc.deadline.get("days"),
            "value": given or visit.event_date.isoformat(),
            "answered": bool(given),
        }
    return list(out.values())


def screen(visit) -> dict:
    """What the visit screen shows of the checks (``viewmodels.visit_context``)."""
    on = notified_on(visit)
    found = warnings(visit, on)
    asked = asked_dates(visit, on)
    events = [e.event for e in visit.events.all()]
    switch = [("move_within" if e == "move_in" else e) for e in events]
    return {
        "warnings": found,
        "overdue": overdue(visit, on),
        "notified_on": on,
        "asked_dates": asked,
        "asked_details": [a["detail"] for a in asked],
        "switch_events": list(dict.fromkeys(switch)) if switch != events else [],
        "event_date_invalid": any(
            w["severity"] == ERROR and w["field"] == "event_date" for w in found
        ),
    }
