"""Counter screens (thin: every change goes through ``services``).

The visit screen is one page whose sections are re-rendered by htmx after each step;
every form also works as a plain POST (redirect back), so a reload always shows the
saved state. Keyboard: every action button has an accesskey shown next to it.
"""

from __future__ import annotations

import time
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.audit.services import record
from madoguchi.core.templatetags.data_i18n import english_ui, translated

from . import determination, labels, services
from .models import CounterGroup, IdDocument, Ticket, TicketStatus, Visit, VisitStep
from .serialize import task_rows


def counter_staff(view):
    """Counter pages are for counter staff (clerks, managers, admins), not departments."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_counter_staff:
            raise PermissionDenied(_("窓口職員のみ利用できます"))
        return view(request, *args, **kwargs)

    return wrapper


def _timed(view):
    """Add a Server-Timing header (the benchmark reads the server time per step)."""

    def wrapper(request, *args, **kwargs):
        start = time.perf_counter()
        resp = view(request, *args, **kwargs)
        resp["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return resp

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ------------------------------------------------------------------ queue


def _counter_no(request) -> str:
    return request.session.get("counter_no", "1")


def _group(request) -> str:
    g = request.session.get("counter_group", CounterGroup.ONESTOP)
    return g if g in CounterGroup.values else CounterGroup.ONESTOP


def _events():
    from madoguchi.rules.facts import EVENTS

    return [(e, labels.event_name(e)) for e in EVENTS]


def _queue_context(request) -> dict:
    group = _group(request)
    mine = (
        Ticket.objects.filter(
            called_by=request.user,
            status__in=[TicketStatus.CALLED, TicketStatus.IN_SERVICE, TicketStatus.HELD],
        )
        .select_related("visit")
        .order_by("-called_at")
    )
    return {
        "group": group,
        "groups": CounterGroup.choices,
        "counter_no": _counter_no(request),
        "waiting": list(services.waiting(group)[:30]),
        "mine": mine,
        "events": _events(),
        "purpose_names": {**dict(_events()), "certificate": _("証明書の請求")},
    }


@counter_staff
def queue_page(request):
    if request.GET.get("group") in CounterGroup.values:
        request.session["counter_group"] = request.GET["group"]
    if request.GET.get("counter_no", "").strip():
        request.session["counter_no"] = request.GET["counter_no"].strip()[:8]
    return render(request, "counter/queue.html", _queue_context(request))


@counter_staff
def queue_panel(request):
    return render(request, "counter/_queue_panel.html", _queue_context(request))


@require_POST
@counter_staff
def issue(request):
    try:
        t = services.issue_ticket(request.POST.get("purpose", ""), None, request.user)
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    from django.contrib import messages

    messages.success(request, _("受付番号 %(n)s を発券しました") % {"n": t.display_no})
    return redirect("counter:queue")


@_timed
@require_POST
@counter_staff
def call_next(request):
    try:
        t = services.call_next(request.user, _group(request), _counter_no(request))
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    if t is None:
        from django.contrib import messages

        messages.info(request, _("お待ちの方はいません"))
        return redirect("counter:queue")
    t = Ticket.objects.select_related("visit").get(pk=t.pk)
    if hasattr(t, "visit"):
        return redirect("counter:visit", visit_id=t.visit.pk)
    return redirect("counter:queue")


TICKET_ACTIONS = {
    "recall": lambda t, r: services.recall(t, r.user, _counter_no(r)),
    "hold": lambda t, r: services.hold(t, r.user),
    "transfer": lambda t, r: services.transfer(t, r.POST.get("group", ""), r.user),
    "complete": lambda t, r: services.complete_certificate(t, r.user),
}


@require_POST
@counter_staff
def ticket_action(request, ticket_id: int, action: str):
    func = TICKET_ACTIONS.get(action)
    if func is None:
        raise Http404
    try:
        func(ticket_id, request)
    except services.CounterError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/counter/") else reverse("counter:queue"))


@login_not_required
def display(request):
    return render(request, "counter/display.html", {"board": services.display_board()})


@login_not_required
def display_board(request):
    return render(request, "counter/_board.html", {"board": services.display_board()})


# ------------------------------------------------------------------ visit


@require_POST
@counter_staff
def new_visit(request):
    """A visit without a ticket (e.g. a resident brought in by a department)."""
    visit = services.open_visit(request.user)
    return redirect("counter:visit", visit_id=visit.pk)


def _person_rows(visit: Visit) -> list[dict]:
    rows = []
    for vp in visit.persons.all():
        reg = vp.data.get("register", {})
        rows.append(
            {
                "pid": vp.pid,
                "atena_no": vp.atena_no,
                "name": reg.get("name", ""),
                "kana": reg.get("kana", ""),
                "birth_date": vp.data.get("birth_date"),
                "sex": vp.data.get("sex"),
                "relationship": vp.data.get("relationship"),
                "health_insurance": vp.data.get("health_insurance", "none"),
                "health_insurance_before": vp.data.get("health_insurance_before", ""),
                "pension": vp.data.get("pension", "none"),
                "flags": vp.data.get("flags", []),
                "to_check": _to_check(vp),
                "involved": vp.involved,
                "source": vp.source,
                "edits": vp.edits,
            }
        )
    return rows


def _to_check(vp) -> dict[str, str]:
    """Facts the register only suggests (「被用者保険と推定（要確認）」) and nobody has
    confirmed yet by an edit: field → the source text, shown as 要確認 beside the value."""
    edited = {e.get("field") for e in vp.edits}
    return {
        field: _(text)
        for field, text in (vp.data.get("sources") or {}).items()
        if "要確認" in text and field not in edited
    }


def _procedure_rows(visit: Visit, names: dict[str, str]) -> list[dict]:
    try:
        cat = determination.catalog()
    except Exception:
        cat = None
    rows = []
    for p in (visit.result or {}).get("procedures", []):
        dept = p.get("department", "")
        dname, place = dept, ""
        if cat is not None and dept in cat.departments:
            d = cat.department(dept)
            dname, place = translated(d, "name") or dept, translated(d, "place") or ""
        rows.append(
            {
                **p,
                **_procedure_en(cat, p),
                "department_name": dname,
                "place": place,
                "person_names": [names.get(x, x) for x in p.get("persons", [])],
                "because": [labels.because_text(b, names) for b in p.get("because", [])],
            }
        )
    return rows


def _procedure_en(cat, p: dict) -> dict:
    """On an English page: the procedure's name and what to bring from its en: block."""
    versions = (cat.procedures.get(p.get("id")) or []) if cat is not None else []
    if not versions or not english_ui():
        return {}
    en = versions[-1].en
    out = {"name": en["name"]} if en.get("name") else {}
    if en.get("bring") and len(en["bring"]) == len(p.get("bring") or []):
        out["bring"] = en["bring"]
    return out


def _procedure_names(visit: Visit) -> dict[str, str]:
    """Catalog names of the procedures found not applicable (ids only in the result)."""
    try:
        cat = determination.catalog()
    except Exception:
        return {}
    on = visit.event_date
    return {
        n["id"]: cat.procedure(n["id"], on).name
        for n in (visit.result or {}).get("not_applicable", [])
        if n.get("id") in cat.procedures
    }


def visit_context(request, visit: Visit, **extra) -> dict:
    """Everything the visit screen shows; the read of person data is audited."""
    from madoguchi.rules.facts import MOVE_EVENTS
    from madoguchi.rules.situation import EVENT_DETAILS

    persons = _person_rows(visit)
    record(
        request.user,
        "visit.read",
        query=f"visit:{visit.pk}",
        person_ids=[p["atena_no"] for p in persons if p["atena_no"]],
    )
    names = {p["pid"]: p["name"] or p["pid"] for p in persons}
    events = list(visit.events.all())
    chosen = [e.event for e in events]
    state = visit.state or {}
    return {
        "visit": visit,
        "persons": persons,
        "names": names,
        "events": events,
        "chosen_events": chosen,
        "all_events": _events(),
        "event_names": dict(_events()),
        "event_details": {
            e.event: sorted(EVENT_DETAILS[e.event][0] | EVENT_DETAILS[e.event][1]) for e in events
        },
        "has_move": any(e in MOVE_EVENTS for e in chosen),
        "new_address": state.get("new_address"),
        "determine_error": state.get("determine_error"),
        "procedures": _procedure_rows(visit, names),
        "not_applicable": [
            {**n, "because": labels.because_text(n.get("because", ""), names)}
            for n in (visit.result or {}).get("not_applicable", [])
        ],
        "procedure_names": _procedure_names(visit),
        "questions": _grouped(
            determination.questions(visit) if visit.step == VisitStep.INTERVIEW else [], names
        ),
        "tasks": (tasks := task_rows(visit)),
        "remaining": sum(1 for t in tasks if t["status"] != "done"),
        "id_documents": IdDocument.choices,
        "groups": CounterGroup.choices,
        "editable": visit.step in (VisitStep.IDENTIFY, VisitStep.INTERVIEW),
        "relationships": RELATIONSHIP_LABELS,
        "steps": [(s, s.label) for s in VisitStep if s != VisitStep.CANCELLED],
        "insurances": INSURANCE_LABELS,
        "pensions": PENSION_LABELS,
        **extra,
    }


def _question_texts_en() -> dict[str, str]:
    """The catalog questions' en: texts by id (English pages)."""
    try:
        return {q.id: q.en.get("text", "") for q in determination.catalog().questions}
    except Exception:  # catalog not loadable: the Japanese text stays
        return {}


def _grouped(questions: list[dict], names: dict[str, str]) -> list[dict]:
    """One line per question, one checkbox per person it is put to."""
    groups: dict[tuple, dict] = {}
    english = _question_texts_en() if english_ui() and questions else {}
    for q in questions:
        text = english.get(q["id"]) or q["text"]
        g = groups.setdefault((q["id"], q["event"]), {"text": text, "items": []})
        g["items"].append({**q, "name": names.get(q["pid"], "") if q["pid"] else ""})
    return list(groups.values())


RELATIONSHIP_LABELS = labels.choices("relationship")
INSURANCE_LABELS = labels.choices("health_insurance")
PENSION_LABELS = labels.choices("pension")


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


def _result_row(row) -> dict:
    """A register search row for the counter (a masked 支援措置 row has no person)."""
    from madoguchi.core.wareki import format_wareki

    p = row.person
    if p is None:
        return {"masked": True}
    return {
        "masked": False,
        "atena_no": p.atena_no,
        "name": p.name,
        "kana": p.name_kana,
        "birth": format_wareki(p.birth_date),
        "address": f"{p.address}{p.katagaki}",
        "status": p.status,
        "status_class": row.status_class,
        "relationship": p.relationship,
        "head_name": row.head_name,
    }


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
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="visit-{visit_id}.pdf"'
    resp["Cache-Control"] = "no-store"
    return resp
