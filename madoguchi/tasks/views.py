"""Department queue screens (only the department's own tasks)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.catalog import labels
from madoguchi.rules.deadlines import overdue

from . import services
from .models import Status


def _department(request) -> str:
    dept = request.GET.get("department", "") or request.user.department
    if not services.may_work_on(request.user, dept):
        raise PermissionDenied
    return dept


def _rows(request, dept: str):
    include_done = request.GET.get("done") == "1"
    try:
        qs = services.department_queue(request.user, dept, include_done)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    return list(
        qs.prefetch_related("visit__events", "visit__persons", services.counter_rows_prefetch())
    )


def _context(request):
    dept = _department(request)
    rows = []
    tasks = _rows(request, dept)[:200]
    today = timezone.localdate()
    with transaction.atomic():
        names = services.queue_names(tasks, request.user)  # audited, 支援措置 masked
    for t in tasks:
        rows.append(
            {
                "task": t,
                "events": [labels.event_name(e.event) for e in t.visit.events.all()],
                "ticket": t.visit.ticket.display_no if t.visit.ticket_id else "",
                "names": names.get(t.pk, []),
                "n_persons": len(names.get(t.pk, [])),
                "overdue": overdue(t.deadline, today)
                and t.status not in (Status.DONE, Status.WITHDRAWN),
                # handled at the counter (同席): who did it or is present, and when
                "at_counter": services.at_counter_row(t),
            }
        )
    from madoguchi.catalog.labels import department_names

    return {
        "department": dept,
        "department_name": department_names().get(dept, dept),
        "rows": rows,
        "done": request.GET.get("done") == "1",
    }


def queue_page(request):
    return render(request, "tasks/queue.html", _context(request))


def queue_table(request):
    # Each poll of a queue also retries hand-offs that failed a while ago.
    services.retry_handoffs()
    return render(request, "tasks/_table.html", _context(request))


@require_POST
def retry(request):
    res = services.retry_handoffs(force=True)
    messages.info(
        request,
        _("再送 %(n)s 件（成功 %(ok)s 件）") % {"n": res["retried"], "ok": res["sent"]},
    )
    # Back to the page that asked, if it is one of ours; never to another site.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "tasks:queue"
    return redirect(target)


def _door(request, task_id: int):
    """(task, None) or (None, the refusal page); see ``services.read_task``."""
    try:
        return services.read_task(task_id, request.user), None
    except services.TaskNotFound as exc:
        raise Http404(str(exc)) from None
    except services.TaskForbidden as exc:
        return None, render(request, "refused.html", {"message": str(exc)}, status=403)


def task_page(request, task_id: int):
    task, refused = _door(request, task_id)
    if refused is not None:
        return refused
    with transaction.atomic():
        facts = services.task_facts(task, request.user)
        names = {p["pid"]: p["name"] or p["pid"] for p in facts["persons"]}
        facts["because"] = [labels.because_text(b, names) for b in facts["because"]]
        facts["event_names"] = [labels.event_name(e) for e in facts["events"]]
        ctx = {
            "task": task,
            "facts": facts,
            "overdue": overdue(task.deadline, timezone.localdate())
            and task.status not in (Status.DONE, Status.WITHDRAWN),
            "has_forms": any(
                p["id"] == task.procedure_id and p.get("forms")
                for p in (task.visit.result or {}).get("procedures", [])
            )
            and bool((task.visit.state or {}).get("signed_situations")),
            "history": [
                {**h, "when": datetime.fromisoformat(h["at"])} for h in services.history(task)
            ],
            "attempts": list(task.handoffs.all()),
            "statuses": Status.choices,
            "may_reopen": services.reopens(task, Status.IN_PROGRESS),
        }
        return render(request, "tasks/task.html", ctx)


def task_forms(request, task_id: int):
    """The signed forms of the task's procedure as a PDF (rendered again, audited)."""
    task, refused = _door(request, task_id)
    if refused is not None:
        return refused
    try:
        pdf = services.task_forms_pdf(task, request.user)
    except services.TaskError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="task-{task.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def status(request, task_id: int):
    _task, refused = _door(request, task_id)
    if refused is not None:
        return refused
    try:
        services.set_status(
            task_id, request.POST.get("status", ""), request.user, request.POST.get("reason", "")
        )
    except services.TaskError as exc:
        messages.error(request, str(exc))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect("tasks:task", task_id=task_id)
