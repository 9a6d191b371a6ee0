"""The visit as one JSON document (API responses and the counter screens)."""

from __future__ import annotations

from madoguchi.catalog.labels import department_names, department_places  # noqa: F401

from . import determination
from .models import Ticket, Visit
from .services import atcounter


def ticket_dict(t: Ticket) -> dict:
    return {
        "id": t.pk,
        "number": t.display_no,
        "group": t.group,
        "purpose": t.purpose,
        "status": t.status,
        "counter_no": t.counter_no,
        "issued_at": t.issued_at.isoformat() if t.issued_at else None,
        "called_at": t.called_at.isoformat() if t.called_at else None,
        "recall_count": t.recall_count,
        "visit_id": getattr(getattr(t, "visit", None), "pk", None),
    }


def task_rows(visit: Visit) -> list[dict]:
    from madoguchi.tasks.models import Status

    names, places = department_names(), department_places()
    return [
        {
            "id": t.pk,
            "procedure_id": t.procedure_id,
            "name": t.name,
            "department": t.department,
            "department_name": names.get(t.department, t.department),
            "place": places.get(t.department, ""),
            "status": t.status,
            "status_label": Status(t.status).label,
            "handling": t.handling,
            "handoff_state": t.handoff_state,
            "handoff_label": t.get_handoff_state_display(),
        }
        for t in visit.tasks.all()
    ]


def _masked(data: dict) -> dict:
    """A person's data with the 在留カード等番号 masked (printed only on the form)."""
    reg = data.get("register") or {}
    if not reg.get("residence_card_no"):
        return data
    from madoguchi.register.residence_card import mask_card_no

    return {
        **data,
        "register": {**reg, "residence_card_no": mask_card_no(reg["residence_card_no"])},
    }


def visit_dict(visit: Visit, actor, with_questions: bool = True) -> dict:
    """Everything about the visit (call after ``access.read_visit``, which audits it)."""
    from . import safety
    from .households import derive_ties
    from .services import printing

    persons = list(visit.persons.all())
    state = visit.state or {}
    on = safety.notified_on(visit)
    # the 続柄 to the head after the event of each person whose household or head changes:
    # derived from the family ties (known: False for the fallback 縁故者 / 同居人), or the
    # clerk's override (made with a reason)
    ties = derive_ties(determination.situations(visit)) if persons else {}
    return {
        "id": visit.pk,
        "version": visit.version,
        "step": visit.step,
        "event_date": visit.event_date.isoformat(),
        # the checks of the flow (counter.safety): the 届出日 they count from, the
        # warnings (an error stops 確認; a warning until acknowledged), 期限超過
        "notified_on": on.isoformat(),
        "warnings": safety.warnings(visit, on),
        "overdue": safety.overdue(visit, on),
        # dates asked before a deadline can be told (死亡の事実を知った日)
        "asked_dates": safety.asked_dates(visit, on),
        "household_no": visit.household_no,
        "ticket": ticket_dict(visit.ticket) if visit.ticket_id else None,
        "events": [{"event": e.event, "details": e.details} for e in visit.events.all()],
        "persons": [
            {
                "pid": p.pid,
                "atena_no": p.atena_no,
                "involved": p.involved,
                "source": p.source,
                "data": _masked(p.data),
                "edits": p.edits,
                **(
                    {
                        "zokugara_after": p.data.get("zokugara_after") or ties[p.pid].text,
                        "zokugara_derived": ties[p.pid].text,
                        "zokugara_known": ties[p.pid].known,
                    }
                    if p.pid in ties
                    else {}
                ),
            }
            for p in persons
        ],
        "new_address": state.get("new_address"),
        "determine_error": state.get("determine_error"),
        # undo with a reason (counter.services.undo)
        "removed": state.get("removed", []),
        "withdrawn": state.get("withdrawn", {}),
        "cancel_reason": state.get("cancel_reason", ""),
        # procedures handled at the counter (同席で対応), until signing routes them
        "at_counter": atcounter.marks(visit),
        "catalog_version": visit.catalog_version,
        "result": visit.result,
        "questions": determination.questions(visit) if with_questions else [],
        "id_document": visit.id_document,
        "printed_at": visit.printed_at.isoformat() if visit.printed_at else None,
        "signed_at": visit.signed_at.isoformat() if visit.signed_at else None,
        "tasks": task_rows(visit),
        # each print handed to the resident, and the printed documents that no longer
        # match the visit (services.printing: 「案内票を印刷し直してください」)
        "prints": printing.prints(visit),
        "stale": {k: v for k, v in printing.stale(visit).items() if k != "last"},
        # the 異動 record handed to the core system and its reconciliation (docs/ido.md)
        "ido": ido_json(visit, actor),
    }


def ido_json(visit: Visit, actor) -> dict:
    """The visit's 異動 hand-off state (``ido_handoff.visit_state``) with its times in ISO
    8601, local time; ``{}`` before signing."""
    from django.utils import timezone

    from . import ido_handoff
    from .models import VisitStep

    if visit.step not in (VisitStep.DONE, VisitStep.CANCELLED):
        return {}
    state = ido_handoff.visit_state(visit, actor)
    for v in state.get("versions", []):
        for key in ("sent_at", "created_at"):
            if v[key] is not None:
                v[key] = timezone.localtime(v[key]).isoformat(timespec="seconds")
    return state
