"""JSON API of the department queues."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from madoguchi.core.apierrors import errors, respond

from . import services
from .models import HandOffAttempt, Task

router = Router(tags=["tasks"])


class StatusIn(Schema):
    status: str
    reason: str = ""


def with_handoffs(qs):
    """Annotate the hand-off attempts (count, last error) in the same query (no N+1)."""
    last_error = HandOffAttempt.objects.filter(task=OuterRef("pk")).order_by("-id")
    return qs.annotate(
        n_attempts=Count("handoffs"),
        last_ok=Subquery(last_error.values("ok")[:1]),
        last_error=Subquery(last_error.values("error")[:1]),
    )


def task_dict(task: Task) -> dict:
    if not hasattr(task, "n_attempts"):
        task = with_handoffs(Task.objects.filter(pk=task.pk)).get()
    return {
        "id": task.pk,
        "visit_id": task.visit_id,
        "procedure_id": task.procedure_id,
        "name": task.name,
        "department": task.department,
        "persons": task.persons,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "handling": task.handling,
        "status": task.status,
        "handoff_state": task.handoff_state,
        "handoff_attempts": task.n_attempts,
        "handoff_error": task.last_error if task.last_ok is False else "",
        "at_counter": _at_counter(task),
    }


def _at_counter(task: Task) -> dict | None:
    """Handled at the counter (同席): status, who did it or is present, when."""
    row = services.at_counter_row(task)
    if row is None:
        return None
    return {**row, "at": row["at"].isoformat() if row["at"] else None}


@router.get("/", response={200: list[dict], **errors(403)})
def queue(
    request,
    department: str = "",
    include_done: bool = False,
    limit: int = Query(200, ge=1, le=1000),  # noqa: B008 - ninja's parameter declaration
):
    try:
        qs = services.department_queue(request.user, department or None, include_done)
    except PermissionError as exc:
        return respond(403, str(exc))
    qs = with_handoffs(qs).prefetch_related(services.counter_rows_prefetch())
    return Status(200, [task_dict(t) for t in qs[:limit]])


def _door(request, task_id: int):
    """(task, None) or (None, the 404/403 response); see ``services.read_task``."""
    try:
        return services.read_task(task_id, request.user), None
    except services.TaskNotFound as exc:
        return None, respond(404, str(exc), "task_id")
    except services.TaskForbidden as exc:
        return None, respond(403, str(exc))


@router.get("/{task_id}", response={200: dict, **errors(403, 404)})
def detail(request, task_id: int):
    task, refused = _door(request, task_id)
    if refused is not None:
        return refused
    with transaction.atomic():
        out = task_dict(task)
        out["facts"] = services.task_facts(task, request.user)
        out["history"] = services.history(task)
    return Status(200, out)


@router.post("/{task_id}/status", response={200: dict, **errors(400, 403, 404)})
def set_status(request, task_id: int, payload: StatusIn):
    _task, refused = _door(request, task_id)
    if refused is not None:
        return refused
    try:
        task = services.set_status(task_id, payload.status, request.user, payload.reason)
    except Task.DoesNotExist:
        return respond(404, _("処理が見つかりません"), "task_id")
    except services.TaskError as exc:
        return respond(400, str(exc), exc.field)
    except PermissionError as exc:
        return respond(403, str(exc))
    out = task_dict(task)
    out["history"] = services.history(task)
    return Status(200, out)


@router.post("/handoffs/retry", response=dict)
def retry(request, force: bool = False):
    return services.retry_handoffs(force=force)
