"""Routing a visit's procedures to departments and working the department queues."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.analytics import services as segments
from madoguchi.audit.services import record

from . import handoff
from .models import Handling, HandOffAttempt, HandOffState, Status, Task, TaskStatus

log = logging.getLogger("madoguchi.tasks")

#: allowed moves of the status history (受付 → 処理中 → 完了, or 差戻し with a reason)
TRANSITIONS = {
    Status.RECEIVED: {Status.IN_PROGRESS, Status.DONE, Status.RETURNED},
    Status.IN_PROGRESS: {Status.DONE, Status.RETURNED},
    Status.RETURNED: {Status.RECEIVED, Status.IN_PROGRESS},
    Status.DONE: set(),
    Status.WITHDRAWN: set(),  # only the counter withdraws (``withdraw``), with a reason
}
RETRY_AFTER = timedelta(seconds=20)


class TaskError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _deadline(value) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def route_visit(visit, procedures: list[dict], actor, at_counter=None):
    """Create one task per determined procedure (idempotent per procedure id).

    ``at_counter``: procedure id -> how it was handled at the counter (同席で対応,
    ``counter.services.set_at_counter``): ``{"status": "done" | "in_progress",
    "staff_id": who did it or is present, "at": ISO time}``. Such a task is created
    already 完了 / 処理中 at the counter (no 受付 row: it is not new work for the
    department). A plain set of ids is the older form: 処理中 at the counter, by ``actor``.
    Must run inside the caller's transaction; hand-offs are attempted after commit.
    """
    marks = at_counter or {}
    if not isinstance(marks, dict):
        marks = {pid: {"status": Status.IN_PROGRESS} for pid in marks}
    created = []
    for proc in procedures:
        mark = marks.get(proc["id"])
        task, new = Task.objects.get_or_create(
            visit=visit,
            procedure_id=proc["id"],
            defaults={
                "municipality_code": visit.municipality_code,
                "name": proc.get("name", proc["id"]),
                "department": proc.get("department", ""),
                "persons": list(proc.get("persons", [])),
                "deadline": _deadline(proc.get("deadline")),
                "handling": Handling.AT_COUNTER if mark else Handling.BACK_OFFICE,
                "status": _counter_status(mark) if mark else Status.RECEIVED,
            },
        )
        if not new:
            continue
        purpose = visit.ticket.purpose if visit.ticket_id else ""
        if mark:
            _handled_at_counter(task, mark, actor, proc.get("department", purpose))
        else:
            TaskStatus.objects.create(task=task, status=Status.RECEIVED, actor=actor)
            segments.start_task_segment(task, purpose=proc.get("department", purpose))
        created.append(task)
    ids = [t.pk for t in created]
    transaction.on_commit(lambda: attempt_handoffs(ids))
    return created


def _counter_status(mark: dict) -> str:
    return Status.DONE if mark.get("status") == Status.DONE else Status.IN_PROGRESS


def _handled_at_counter(task: Task, mark: dict, actor, purpose: str) -> None:
    """The history, segment and audit of a task handled at the counter: one status row
    (完了 or 処理中) by the staff who did it or is present, at the time it happened."""
    from madoguchi.accounts.models import Staff

    at = _when(mark.get("at"))
    staff = Staff.objects.filter(pk=mark.get("staff_id")).first() or actor
    status = _counter_status(mark)
    TaskStatus.objects.create(task=task, status=status, actor=staff, at=at, at_counter=True)
    segments.start_task_segment(task, purpose=purpose, at=at)
    if status == Status.DONE:
        segments.end_task_segment(task, staff=staff, at=at)
    record(
        actor,
        f"task.{status}.at_counter",
        query=f"{task.procedure_id} staff:{staff.pk if staff else ''}",
        person_ids=_atena(task),
    )


def _when(value):
    from datetime import datetime

    try:
        at = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        at = None
    return at if at is not None and at <= timezone.now() else timezone.now()


def attempt_handoff(task: Task) -> HandOffAttempt:
    plugin = handoff.plugin_for(task.department)
    try:
        ref = plugin.send(task)
        attempt = HandOffAttempt.objects.create(
            task=task, plugin=plugin.name, ok=True, reference=ref
        )
        state = HandOffState.SENT
    except handoff.HandOffError as exc:
        attempt = HandOffAttempt.objects.create(
            task=task, plugin=plugin.name, ok=False, error=str(exc)[:300]
        )
        state = HandOffState.FAILED
        log.warning("hand-off failed: task=%s plugin=%s", task.pk, plugin.name)
    Task.objects.filter(pk=task.pk).update(handoff_state=state)
    task.handoff_state = state
    return attempt


def attempt_handoffs(task_ids) -> list[HandOffAttempt]:
    out = []
    for task in Task.objects.filter(pk__in=list(task_ids)):
        with transaction.atomic():
            out.append(attempt_handoff(task))
    return out


def retry_handoffs(force: bool = False) -> dict:
    """Retry every task not yet delivered (failed, or pending after a crash)."""
    cutoff = timezone.now() - RETRY_AFTER
    qs = Task.objects.exclude(handoff_state=HandOffState.SENT)
    if not force:
        qs = qs.exclude(handoffs__at__gt=cutoff).filter(created_at__lt=cutoff)
    ids = list(qs.values_list("pk", flat=True).distinct())
    attempts = attempt_handoffs(ids)
    out = {"retried": len(attempts), "sent": sum(a.ok for a in attempts)}
    for kind, counts in handoff.retry_others(force).items():  # e.g. the 異動 records
        if counts["retried"]:
            out["retried"] += counts["retried"]
            out["sent"] += counts["sent"]
            out[kind] = counts
    return out


def set_status(task_id: int, status: str, actor, reason: str = "") -> Task:
    """Append a status row (the only way a task changes); 差戻し needs a reason."""
    if status not in Status.values:
        raise TaskError(_("状態が不正です: %(s)s") % {"s": status}, "status")
    reason = (reason or "").strip()
    if status == Status.RETURNED and not reason:
        raise TaskError(_("差戻しには理由が必要です"), "reason")
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_id)
        if not may_read_task(actor, task):
            raise PermissionError(_("他課の処理は操作できません"))
        if reopens(task, status):
            if not may_work_on(actor, task.department):  # the department reopens
                raise PermissionError(_("他課の処理は操作できません"))
            if not reason:
                raise TaskError(_("窓口で完了した処理を再開するには理由が必要です"), "reason")
        elif status not in TRANSITIONS[Status(task.status)]:
            raise TaskError(
                _("%(a)s から %(b)s には変更できません")
                % {"a": Status(task.status).label, "b": Status(status).label},
                "status",
            )
        previous, action = task.status, f"task.{status}"
        TaskStatus.objects.create(task=task, status=status, reason=reason[:200], actor=actor)
        task.status = status
        task.save(update_fields=["status"])
        if status == Status.DONE:
            segments.end_task_segment(task, staff=actor)
        elif task.handling == Handling.AT_COUNTER and previous == Status.DONE:
            segments.reopen_task_segment(task)
            action = "task.reopened"
        record(actor, action, query=task.procedure_id, person_ids=_atena(task))
    return task


def counter_rows_prefetch():
    """Prefetch of the status rows written at the counter (``at_counter_row``)."""
    from django.db.models import Prefetch

    return Prefetch(
        "history",
        queryset=TaskStatus.objects.filter(at_counter=True).select_related("actor"),
        to_attr="counter_rows",
    )


def at_counter_row(task: Task) -> dict | None:
    """How a task was handled at the counter (同席): the status, who did it or is present,
    and when; None for a task routed to the department's back office."""
    if task.handling != Handling.AT_COUNTER:
        return None
    rows = getattr(task, "counter_rows", None)
    if rows is None:
        rows = list(task.history.filter(at_counter=True).select_related("actor"))
    if not rows:
        return {"status": "", "staff": "", "at": None}
    row = rows[-1]
    return {
        "status": row.status,
        "staff": row.actor.display_name if row.actor_id else "",
        "at": row.at,
    }


def reopens(task: Task, status: str) -> bool:
    """A department clerk reopens a procedure completed at the counter (完了 → 処理中,
    with a reason): the department checks what the counter did."""
    return (
        task.handling == Handling.AT_COUNTER
        and task.status == Status.DONE
        and status == Status.IN_PROGRESS
    )


def withdraw(visit, actor, reason: str, procedure_ids=None) -> list[Task]:
    """The counter cancelled procedures of a signed visit (``procedure_ids``) or the
    whole visit (None): each of its tasks not yet done is withdrawn from its department,
    with the reason, in the caller's transaction. Done tasks stay done (the department
    reverses its own work)."""
    reason = (reason or "").strip()
    if not reason:
        raise TaskError(_("取下げには理由が必要です"), "reason")
    qs = Task.objects.select_for_update().filter(visit=visit)
    if procedure_ids is not None:
        qs = qs.filter(procedure_id__in=list(procedure_ids))
    out = []
    for task in qs.exclude(status__in=[Status.DONE, Status.WITHDRAWN]):
        TaskStatus.objects.create(
            task=task, status=Status.WITHDRAWN, reason=reason[:200], actor=actor
        )
        task.status = Status.WITHDRAWN
        task.save(update_fields=["status"])
        segments.end_task_segment(task, staff=actor)
        record(actor, "task.withdrawn", query=task.procedure_id, person_ids=_atena(task))
        out.append(task)
    return out


def task_forms_pdf(task: Task, actor) -> bytes:
    """The signed forms of the task's procedure, rendered again from what the visit stored
    when the resident signed (no guide sheet); audited (``task.forms``), flagged when a
    protected person is printed. Call after ``read_task`` (the door)."""
    from madoguchi.documents.services import render_bundle
    from madoguchi.register import services as register

    visit = task.visit
    sits = (visit.state or {}).get("signed_situations")
    procs = [p for p in (visit.result or {}).get("procedures", []) if p["id"] == task.procedure_id]
    if not sits or not procs or not procs[0].get("forms"):
        raise TaskError(_("この手続の届書はありません"), "forms")
    from madoguchi.catalog import versions

    printed = visit.printed_at or visit.signed_at
    bundle = render_bundle(
        sits,
        {**visit.result, "procedures": procs},
        versions.of(visit.catalog_version),  # the version the visit signed
        (),
        notified_on=timezone.localtime(printed).date() if printed else None,
        applicant=(visit.state or {}).get("applicant"),
    )
    atena = _atena(task)
    record(
        actor,
        "task.forms",
        query=f"task:{task.pk}",
        person_ids=atena,
        flagged=bool(register.protected_atena_nos(atena)),
    )
    return bundle.pdf


def queue_names(tasks, user) -> dict[int, list[str]]:
    """Task id -> the names of the persons it concerns, for a department queue: a 支援措置
    person is masked for staff without the permission. One audit row names every person
    shown (flagged when a protected person is shown)."""
    from madoguchi.register import services as register

    tasks = list(tasks)
    atena_of = {t.pk: _atena(t) for t in tasks}
    protected = register.protected_atena_nos({a for v in atena_of.values() for a in v})
    see = register.may_see_protected(user)
    out: dict[int, list[str]] = {}
    shown: set[str] = set()
    for t in tasks:
        pids = set(t.persons)
        names = []
        for vp in t.visit.persons.all():
            if pids and vp.pid not in pids:
                continue
            if vp.atena_no in protected and not see:
                names.append(str(register.MASKED_LABEL))
                continue
            names.append(vp.data.get("register", {}).get("name", "") or "—")
            if vp.atena_no:
                shown.add(vp.atena_no)
        out[t.pk] = names
    if shown:
        record(
            user,
            "tasks.queue",
            person_ids=sorted(shown),
            flagged=bool(shown & protected),
        )
    return out


def _atena(task: Task) -> list[str]:
    pids = set(task.persons)
    return [
        vp.atena_no
        for vp in task.visit.persons.all()
        if vp.atena_no and (not pids or vp.pid in pids)
    ]


def may_work_on(user, department: str) -> bool:
    if user.is_manager:
        return True
    return bool(user.department) and user.department == department


def _check_department(task: Task, actor) -> None:
    if not may_work_on(actor, task.department):
        raise PermissionError(_("他課の処理は操作できません"))


class TaskNotFound(LookupError):
    pass


class TaskForbidden(PermissionError):
    """Refused (HTTP 403); the refusal is already audited as flagged."""


def may_read_task(user, task: Task) -> bool:
    """The department routed (its staff), the clerk who holds the visit, managers, admins."""
    return may_work_on(user, task.department) or (
        getattr(user, "is_counter_staff", False) and task.visit.clerk_id == user.pk
    )


def read_task(task_id: int, user) -> Task:
    """The door of every task URL: the task, or ``TaskNotFound`` / ``TaskForbidden``.

    Another department's task, or a task concerning a protected person (the live register,
    so a same-day hold applies) for staff without ``may_see_protected``, is refused and
    the attempt audited flagged. Call outside the caller's ``transaction.atomic`` so the
    refusal's audit row is committed."""
    from madoguchi.register import services as register

    task = Task.objects.select_related("visit").filter(pk=task_id).first()
    if task is None:
        raise TaskNotFound(_("処理が見つかりません"))
    atena = _atena(task)
    if not may_read_task(user, task):
        refusal, action = _("他課の処理は閲覧できません"), "task.denied"
    elif not register.may_see_protected(user) and register.protected_atena_nos(atena):
        refusal, action = str(register.REFUSAL), "task.protected.denied"
    else:
        return task
    with transaction.atomic():
        record(user, action, query=f"task:{task.pk}", person_ids=atena, flagged=True)
    raise TaskForbidden(refusal)


def department_queue(user, department: str | None = None, include_done: bool = False):
    """The tasks of one department (a department clerk sees only their own)."""
    department = department or user.department
    if not may_work_on(user, department):
        raise PermissionError(_("他課の処理は閲覧できません"))
    qs = Task.objects.filter(department=department).select_related("visit", "visit__ticket")
    if not include_done:
        qs = qs.exclude(status__in=[Status.DONE, Status.WITHDRAWN])
    return qs.order_by("deadline", "id")


def task_facts(task: Task, actor) -> dict:
    """What the department needs of the visit: the persons concerned and the reasons.

    Reads person data, so the read is audited (call inside a transaction, after
    ``read_task``), flagged when a protected person is read.
    """
    pids = set(task.persons)
    persons = []
    for vp in task.visit.persons.all():
        if pids and vp.pid not in pids:
            continue
        reg = vp.data.get("register", {})
        persons.append(
            {
                "pid": vp.pid,
                "atena_no": vp.atena_no,
                "name": reg.get("name", ""),
                "kana": reg.get("kana", ""),
                "birth_date": vp.data.get("birth_date"),
                "relationship": vp.data.get("relationship"),
                "health_insurance": vp.data.get("health_insurance", "none"),
                "pension": vp.data.get("pension", "none"),
                "flags": vp.data.get("flags", []),
                "address": vp.data.get("register", {}).get("address", ""),
            }
        )
    because = []
    for proc in (task.visit.result or {}).get("procedures", []):
        if proc.get("id") == task.procedure_id:
            because = proc.get("because", [])
    from madoguchi.register.services import protected_atena_nos

    atena = [p["atena_no"] for p in persons if p["atena_no"]]
    record(
        actor,
        "task.view",
        query=task.procedure_id,
        person_ids=atena,
        flagged=bool(protected_atena_nos(atena)),
    )
    return {
        "events": [e.event for e in task.visit.events.all()],
        "event_date": task.visit.event_date.isoformat(),
        "persons": persons,
        "because": because,
        "new_address": (task.visit.state or {}).get("new_address", {}),
    }


def history(task: Task) -> list[dict]:
    out, before = [], None
    for h in task.history.select_related("actor"):
        # 完了 → 処理中 is a department reopening what the counter completed
        reopened = before == Status.DONE and h.status == Status.IN_PROGRESS
        out.append(
            {
                "status": h.status,
                "label": _("再開（処理中）") if reopened else Status(h.status).label,
                "reason": h.reason,
                "actor": h.actor.username if h.actor_id else "",
                "actor_name": h.actor.display_name if h.actor_id else "",
                "at": h.at.isoformat(),
                "at_counter": h.at_counter,  # written at the counter (同席で対応)
            }
        )
        before = h.status
    return out
