"""Visit screens (thin: every change goes through ``services``).

The visit screen is one page whose sections are re-rendered by htmx after each step;
every form also works as a plain POST (redirect back), so a reload always shows the
saved state. Keyboard: every action button has an accesskey shown next to it.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.documents.views import pdf_response

from .. import labels, services
from ..models import Visit
from ..serialize import task_rows
from ..viewmodels import result_row as _result_row
from ..viewmodels import visit_context
from .common import counter_staff
from .common import timed as _timed


@require_POST
@counter_staff
def new_visit(request):
    """A visit without a ticket (e.g. a resident brought in by a department)."""
    visit = services.open_visit(request.user)
    return redirect("counter:visit", visit_id=visit.pk)


def _render_visit(request, visit: Visit, status: int = 200, **extra):
    with transaction.atomic():
        ctx = visit_context(request, visit, **extra)
        template = "counter/_visit.html" if request.htmx else "counter/visit.html"
        return render(request, template, ctx, status=status)


@counter_staff
def visit_page(request, visit_id: int):
    visit = get_object_or_404(Visit, pk=visit_id)
    return _render_visit(request, visit)


@counter_staff
def visit_tasks(request, visit_id: int):
    visit = get_object_or_404(Visit, pk=visit_id)
    rows = task_rows(visit)
    remaining = sum(1 for t in rows if t["status"] != "done")
    return render(
        request, "counter/_tasks.html", {"visit": visit, "tasks": rows, "remaining": remaining}
    )


def _detail_value(key: str, post) -> object:
    from madoguchi.rules.situation import BOOL_DETAILS, ID_DETAILS, ID_LIST_DETAILS

    if key in BOOL_DETAILS:
        return post.get(key) == "on"
    if key in ID_LIST_DETAILS:
        return post.getlist(key)
    if key in ID_DETAILS:
        return post.get(key, "")
    if key == "birth_weight_g":
        raw = post.get(key, "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise services.CounterError(_("出生体重は整数（グラム）で入力してください"), key)
        return int(raw)
    if key == "planned_move_out_date":  # a date of the 転出証明書; determine checks it
        return post.get(key, "").strip() or None
    return post.get(key)


def _details(visit_id, version, user, post):
    from madoguchi.rules.situation import EVENT_DETAILS

    event = post.get("event", "")
    if event not in EVENT_DETAILS:
        raise services.CounterError(_("ライフイベントが不正です"), "event")
    req, opt = EVENT_DETAILS[event]
    details = {k: _detail_value(k, post) for k in (req | opt) if k in post or k in _bool_keys()}
    return services.set_event_details(visit_id, version, user, event, details)


def _bool_keys():
    from madoguchi.rules.situation import BOOL_DETAILS

    return BOOL_DETAILS


def _answer(visit_id, version, user, post):
    if post.get("event"):
        key = post.get("detail", "")
        return services.set_event_details(
            visit_id, version, user, post["event"], {key: post.get("value") == "on"}
        )
    return services.answer(
        visit_id,
        version,
        user,
        {post.get("pid", ""): {post.get("flag", ""): post.get("value") == "on"}},
    )


def _paper(visit_id, version, user, post):
    persons = []
    for i in range(1, 7):
        if not post.get(f"name_{i}", "").strip():
            continue
        persons.append(
            {
                "name": post.get(f"name_{i}", ""),
                "kana": post.get(f"kana_{i}", ""),
                "birth_date": post.get(f"birth_{i}", ""),
                "sex": post.get(f"sex_{i}", ""),
                "relationship": post.get(f"rel_{i}", ""),
                "nationality": post.get(f"nat_{i}", "") or "JP",
            }
        )
    former = {
        "address": post.get("former_address", ""),
        "postal_code": post.get("former_postal", ""),
    }
    return services.add_paper_persons(visit_id, version, user, persons, former)


VISIT_ACTIONS = {
    "identify": lambda v, n, u, p: services.identify(v, n, u, p.get("atena_no", "")),
    "add_person": lambda v, n, u, p: services.add_person(
        v, n, u, p.get("atena_no", ""), p.get("relationship", ""), p.get("reason", "")
    ),
    "paper": _paper,
    "involved": lambda v, n, u, p: services.set_involved(v, n, u, p.getlist("pids")),
    "parents": lambda v, n, u, p: services.set_parents(
        v, n, u, p.get("pid", ""), p.getlist("parents")
    ),
    "applicant": lambda v, n, u, p: services.set_applicant(
        v,
        n,
        u,
        p.get("applicant", ""),
        p.get("applicant_name", ""),
        p.get("applicant_relationship", ""),
        p.get("applicant_address", ""),
    ),
    "events": lambda v, n, u, p: services.set_events(
        v, n, u, p.getlist("events"), p.get("event_date") or None
    ),
    "details": _details,
    "address": lambda v, n, u, p: services.set_address(
        v,
        n,
        u,
        p.get("postal_code", ""),
        int(p.get("town_index") or 0),
        p.get("banchi", ""),
        p.get("katagaki", ""),
    ),
    "fact": lambda v, n, u, p: services.edit_fact(
        v, n, u, p.get("pid", ""), p.get("field", ""), p.get("value", ""), p.get("reason", "")
    ),
    "answer": _answer,
    "confirm": lambda v, n, u, p: services.confirm(v, n, u),
    "guide_language": lambda v, n, u, p: services.set_guide_english(
        v, n, u, p.get("english") == "1"
    ),
    "sign": lambda v, n, u, p: services.mark_signed(
        v, n, u, p.get("id_document", ""), p.getlist("at_counter")
    ),
    "cancel": lambda v, n, u, p: services.cancel_visit(v, n, u, p.get("reason", "")),
}


@counter_staff
def visit_step(request, visit_id: int):
    """The visit's step only (no personal data): polled after the bundle opens."""
    visit = get_object_or_404(Visit.objects.only("step", "version"), pk=visit_id)
    return HttpResponse(visit.step, content_type="text/plain")


@_timed
@require_POST
@counter_staff
def visit_action(request, visit_id: int, action: str):
    func = VISIT_ACTIONS.get(action)
    if func is None:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest("version")
    try:
        func(visit_id, version, request.user, request.POST)
    except services.VisitConflict as exc:
        visit = get_object_or_404(Visit, pk=visit_id)
        # The clerk's input is kept: the banner offers to apply it again on the new version.
        kept = [
            (k, v)
            for k in request.POST
            for v in request.POST.getlist(k)
            if k not in ("version", "csrfmiddlewaretoken")
        ]
        names = {
            p.pid: p.data.get("register", {}).get("name") or p.pid for p in visit.persons.all()
        }
        return _render_visit(
            request,
            visit,
            409,
            conflict=exc.message,
            kept=kept,
            kept_text=labels.input_text(kept, names),
            kept_action=action,
        )
    except services.CounterError as exc:
        visit = get_object_or_404(Visit, pk=visit_id)
        return _render_visit(request, visit, 400, error=exc.message, error_field=exc.field)
    visit = get_object_or_404(Visit, pk=visit_id)
    if not request.htmx:
        return redirect("counter:visit", visit_id=visit_id)
    return _render_visit(request, visit, focus=request.POST.get("focus", ""))


@_timed
@require_POST
@counter_staff
def search(request, visit_id: int):
    """Register search from the visit (POST: the query never lands in access logs)."""
    from madoguchi.register.search import search as register_search

    visit = get_object_or_404(Visit, pk=visit_id)
    query = request.POST.get("q", "").strip()
    result, rows = None, []
    if query:
        result = register_search(query, request.user, limit=20)
        rows = [_result_row(r) for r in result.rows]
    return render(
        request,
        "counter/_search_results.html",
        {
            "visit": visit,
            "result": result,
            "results": rows,
            "q": query,
            "mode": "add_person" if request.POST.get("mode") == "add_person" else "identify",
        },
    )


@counter_staff
def postal(request, visit_id: int):
    code = request.GET.get("postal_code") or request.GET.get("former_postal") or ""
    try:
        candidates = services.postal_candidates(code)
        error = "" if candidates else _("郵便番号が見つかりません")
    except services.CounterError as exc:
        candidates, error = [], exc.message
    template = "counter/_postal_former.html" if request.GET.get("for") == "former" else None
    return render(
        request,
        template or "counter/_postal.html",
        {"candidates": candidates, "error": error, "postal_code": code},
    )


@_timed
@counter_staff
def bundle(request, visit_id: int):
    try:
        pdf = services.bundle_pdf(visit_id, request.user)
    except Visit.DoesNotExist:
        raise Http404(_("案件が見つかりません")) from None
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    # Framed by the product's print page (documents/print), nowhere else.
    return pdf_response(pdf, f"visit-{visit_id}.pdf")
