"""Undo at the counter, each with a reason kept in the visit and in the audit trail:
remove a person added by mistake (the last one: the identification is undone), withdraw
a procedure the resident does not want now (and restore it), cancel a signed visit
(its tasks are withdrawn from the departments)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit.services import record

from .. import access, ido_handoff
from ..models import Visit, VisitStep
from .entry import NEWBORN_SOURCE, _forget_outside_parents, without_newborn
from .errors import CounterError, VisitConflict
from .queue import finish_ticket
from .visit import _commit, _lock


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CounterError(_("理由を入力してください"), "reason")
    return reason


def _note(actor, reason: str, **what) -> dict:
    return {
        **what,
        "reason": reason,
        "by": getattr(actor, "username", ""),
        "at": timezone.now().isoformat(timespec="seconds"),
    }


def _forget(value, pid: str):
    """An event detail without ``pid`` (None when nothing is left)."""
    if isinstance(value, list):
        kept = [v for v in value if v != pid]
        return kept or None
    return None if value == pid else value


def remove_person(visit_id: int, version: int, actor, pid: str, reason: str) -> Visit:
    """Take a person out of the visit (added by mistake, the wrong resident identified):
    every reference to them goes too (parents, event details, the person at the
    counter). Removing the last person undoes the identification."""
    reason = _reason(reason)
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        vp = visit.persons.filter(pid=pid).first()
        if vp is None:
            raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
        atena = vp.atena_no
        vp.delete()
        for other in visit.persons.all():
            data = dict(other.data)
            if pid in data.get("parents", []):
                kept = [x for x in data["parents"] if x != pid]
                if kept:
                    data["parents"] = kept
                else:
                    data.pop("parents")
                other.data = data
                other.save(update_fields=["data"])
        for ev in visit.events.all():
            if ev.event == "birth" and vp.source == NEWBORN_SOURCE:  # twins keep their order
                ev.details = without_newborn(ev.details, pid)
                ev.save(update_fields=["details"])
                continue
            details = {}
            for key, value in ev.details.items():
                value = _forget(value, pid)
                if value is not None:
                    details[key] = value
            if details != ev.details:
                ev.details = details
                ev.save(update_fields=["details"])
        if vp.source == NEWBORN_SOURCE:
            _forget_outside_parents(visit)  # a father from outside named by it alone
        state = dict(visit.state or {})
        if (state.get("applicant") or {}).get("person") == pid:
            state.pop("applicant")
            state.pop("applicant_from", None)
        state["removed"] = [*state.get("removed", []), _note(actor, reason, pid=pid)]
        if not visit.persons.exists():
            visit.household_no = ""  # the identification is undone
            if vp.source == "pending":  # the address came from the wrong 転出証明書情報
                state.pop("new_address", None)
            if state.get("contact_phone_source"):  # the wrong person's phone, prefilled
                state.pop("contact_phone", None)
                state.pop("contact_phone_source")
        visit.state = state
        _commit(visit, actor, "visit.remove_person", person_ids=[atena] if atena else [])
    return visit


def withdraw_procedure(visit_id: int, version: int, actor, procedure: str, reason: str):
    """The resident does not want a procedure now: it leaves the list (not printed, not
    routed). On a signed visit its task is withdrawn from the department."""
    reason = _reason(reason)
    with transaction.atomic():
        visit = _lock_any(visit_id, version, actor)
        known = {p["id"] for p in (visit.result or {}).get("procedures", [])}
        state = dict(visit.state or {})
        withdrawn = dict(state.get("withdrawn") or {})
        if procedure not in known and procedure not in withdrawn:
            raise CounterError(_("この案件にない手続です: %(p)s") % {"p": procedure}, "procedure")
        withdrawn[procedure] = _note(actor, reason)
        state["withdrawn"] = withdrawn
        visit.state = state
        if visit.step == VisitStep.DONE:
            from madoguchi.tasks.services import withdraw

            withdraw(visit, actor, reason, [procedure])
            _save(visit, actor, "visit.withdraw_procedure")
            ido_handoff.sync(visit)  # a withdrawn move: a new version of the 異動 record
        else:
            _commit(visit, actor, "visit.withdraw_procedure")
    return visit


def restore_procedure(visit_id: int, version: int, actor, procedure: str) -> Visit:
    """Undo a withdrawal before signing: the procedure is determined again."""
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        state = dict(visit.state or {})
        withdrawn = dict(state.get("withdrawn") or {})
        if withdrawn.pop(procedure, None) is None:
            raise CounterError(
                _("取り下げた手続ではありません: %(p)s") % {"p": procedure}, "procedure"
            )
        state["withdrawn"] = withdrawn
        visit.state = state
        _commit(visit, actor, "visit.restore_procedure")
    return visit


def cancel_signed_visit(visit_id: int, version: int, actor, reason: str) -> Visit:
    """Cancel a visit already signed (the resident withdrew the notification, the wrong
    household was processed): every task not yet done is withdrawn from its department."""
    from madoguchi.tasks.services import withdraw

    reason = _reason(reason)
    with transaction.atomic():
        visit = _lock_any(visit_id, version, actor)
        if visit.step != VisitStep.DONE:
            raise CounterError(_("署名済みの案件ではありません"), "step")
        withdraw(visit, actor, reason)
        visit.step = VisitStep.CANCELLED
        visit.state = {**visit.state, "cancel_reason": reason}
        _save(visit, actor, "visit.cancel_signed")
        ido_handoff.sync(visit)  # the core system gets a cancellation record
    return visit


def _lock_any(visit_id: int, version: int, actor) -> Visit:
    """The visit, locked, also when signed (``_lock`` refuses a done visit)."""
    try:
        visit = Visit.objects.select_for_update().get(pk=visit_id)
    except Visit.DoesNotExist:
        raise CounterError(_("案件が見つかりません"), "visit") from None
    access.check(actor, visit)
    if int(version) != visit.version:
        raise VisitConflict(visit, int(version))
    if visit.step == VisitStep.CANCELLED:
        raise CounterError(_("取り消した案件は変更できません"), "step")
    return visit


def _save(visit: Visit, actor, action: str) -> None:
    """Save a signed visit (its determination stays as signed)."""
    visit.version += 1
    visit.save()
    record(actor, action, query=f"visit:{visit.pk}")
    if visit.ticket_id and visit.ticket.status not in ("done", "cancelled"):
        finish_ticket(visit.ticket, actor)
