"""Visit screens (thin: every change goes through ``services``).

The visit screen is one page whose sections are re-rendered by htmx after each step;
every form also works as a plain POST (redirect back), so a reload always shows the
saved state. Keyboard: every action button has an accesskey shown next to it.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.documents.views import pdf_response

from .. import inputs, labels, safety, services
from ..models import Visit
from ..serialize import task_rows
from ..viewmodels import result_row as _result_row
from ..viewmodels import visit_context
from .common import counter_staff, refused, visit_door
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
@visit_door()
def visit_page(request, visit: Visit):
    return _render_visit(request, visit)


@counter_staff
@visit_door(audit_read=False)  # task names and statuses only
def visit_tasks(request, visit: Visit):
    rows = task_rows(visit)
    remaining = sum(1 for t in rows if t["status"] != "done")
    return render(
        request, "counter/_tasks.html", {"visit": visit, "tasks": rows, "remaining": remaining}
    )


@counter_staff
@visit_door(audit_read=False)
def visit_step(request, visit: Visit):
    """The visit's step only (no personal data): polled after the bundle opens; with
    ``?prints=1`` also the number of prints recorded (``printed:3``), polled after a
    reprint."""
    if request.GET.get("prints"):
        count = len((visit.state or {}).get("prints") or [])
        return HttpResponse(f"{visit.step}:{count}", content_type="text/plain")
    return HttpResponse(visit.step, content_type="text/plain")


@_timed
@require_POST
@counter_staff
@visit_door()
def visit_action(request, visit: Visit, action: str):
    visit_id = visit.pk
    if action not in inputs.BY_ACTION:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest("version")
    try:
        step, payload = inputs.from_form(action, version, request.POST)
        step.run(visit_id, payload, request.user)
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
@visit_door(audit_read=False)  # the search is audited by the register
def search(request, visit: Visit):
    """Register search from the visit (POST: the query never lands in access logs)."""
    from madoguchi.register.services import search as register_search

    query = request.POST.get("q", "").strip()
    result, rows = None, []
    if query:
        # on a move-in ticket the family's 転出証明書情報 is what the clerk looks for
        result = register_search(
            query, request.user, limit=20, pending_first=safety.expects_move_in(visit)
        )
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
@visit_door(audit_read=False)  # postal codes only
def postal(request, visit: Visit):
    code = request.GET.get("postal_code") or request.GET.get("former_postal") or ""
    if code.strip() and not re.fullmatch(r"[0-9０-９\-－〒 ]+", code.strip()):
        code = ""  # a 町名 typed for the address picker: the picker answers, not this
    template = "counter/_postal_former.html" if request.GET.get("for") == "former" else None
    if not code.strip() and template is None:
        return render(request, "counter/_postal.html", {"candidates": [], "error": ""})
    try:
        candidates = services.postal_candidates(code)
        error = "" if candidates else _("郵便番号が見つかりません")
    except services.CounterError as exc:
        candidates, error = [], exc.message
    return render(
        request,
        template or "counter/_postal.html",
        {"candidates": candidates, "error": error, "postal_code": code},
    )


@counter_staff
@visit_door(audit_read=False)  # addresses only: no person, no protected person's address
def addresses(request, visit: Visit):
    """The new-address picker's candidates (counter/addresses.py): 町域 for a postal code,
    kana, romaji or kanji (``q``); with ``town`` chosen, the 番地・方書 the register holds
    there; for an empty ``q``, the addresses the visit names (a new 本籍 in the city)."""
    from madoguchi.documents.services import municipality_of

    from .. import addresses as addr
    from ..determination import catalog_of

    code = municipality_of(catalog_of(visit))["code"]
    q = request.GET.get("q", "")[:40]
    town = request.GET.get("town", "")[:80]
    ctx = {"q": q.strip(), "towns": [], "banchi": [], "visit_addresses": []}
    if request.GET.get("field") == "banchi":
        city = next((t.city for t in addr.towns(code)), "")
        ctx["banchi"] = addr.search_banchi(city, town, q)
    elif q.strip():
        ctx["towns"] = addr.search_towns(code, q)
    else:
        ctx["visit_addresses"] = addr.visit_addresses(visit, code)
    return render(request, "counter/_addresses.html", ctx)


@counter_staff
@visit_door(audit_read=False)  # the list of 国籍・地域 only: no personal data
def countries(request, visit: Visit):
    """The 国籍・地域 picker's candidates for what the clerk has typed (kana, kanji,
    romaji, English or code; ``core.countries.search``)."""
    from madoguchi.core.countries import search

    q = request.GET.get("q", "")[:40]
    return render(request, "counter/_countries.html", {"candidates": search(q), "q": q.strip()})


@counter_staff
@visit_door(audit_read=False)  # school names only (the open visit's read was audited)
def schools(request, visit: Visit, pid: str):
    """The type-ahead list of 在籍校（前の学校） for a pupil of the visit."""
    from .. import schools as school_list
    from ..determination import catalog_of

    vp = visit.persons.filter(pid=pid).first()  # unknown: the list, not ranked for anyone
    data = vp.data if vp is not None else {}
    typed = request.GET.get(f"cap.{pid}.school", request.GET.get("q", ""))
    found = []
    if typed.strip():
        from datetime import date

        from madoguchi.rules import ages

        birth = data.get("birth_date")
        stage = ages.school_stage(date.fromisoformat(birth), visit.event_date) if birth else None
        former = (data.get("register") or {}).get("former_address", "")
        found = school_list.candidates(
            catalog_of(visit), typed, visit.event_date, former_address=former, stage=stage
        )
    return render(request, "counter/_schools.html", {"schools": found, "typed": typed, "pid": pid})


@_timed
@counter_staff
@visit_door(audit_read=False)  # the print is audited (visit.print)
def bundle(request, visit: Visit):
    visit_id = visit.pk
    try:
        pdf = services.bundle_pdf(visit_id, request.user)
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    # Framed by the product's print page (documents/print), nowhere else.
    return pdf_response(pdf, f"visit-{visit_id}.pdf")


@_timed
@counter_staff
@visit_door(audit_read=False)  # the reprint is audited (visit.reprint_guide)
def guide(request, visit: Visit):
    """The guide sheet alone, rendered again from the visit's stored data (after a 同席
    mark or another change that alters only it; ``services.printing``)."""
    try:
        pdf = services.guide_pdf(visit.pk, request.user)
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    return pdf_response(pdf, f"visit-{visit.pk}-guide.pdf")


@require_POST
@counter_staff
@visit_door()
def visit_ido_retry(request, visit: Visit):
    """「再送」 on a signed visit: its 異動 record versions not delivered yet, now (audited
    ``ido.resend``; the visit's door keeps a protected visit from staff without the
    permission)."""
    from .. import ido_handoff

    ido_handoff.retry_visit(visit, request.user)
    if not request.htmx:
        return redirect("counter:visit", visit_id=visit.pk)
    return _render_visit(request, get_object_or_404(Visit, pk=visit.pk))


@require_POST
@counter_staff
def take_over(request, visit_id: int):
    """A supervisor takes over another clerk's open visit (audited); clerks get 403."""
    from .. import access

    try:
        access.take_over(visit_id, request.user, request.POST.get("to", ""))
    except access.VisitNotFound as exc:
        raise Http404(exc.message) from None
    except access.VisitForbidden as exc:
        access.audit_refusal(request.user, visit_id, exc)
        return refused(request, exc.message)
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    return redirect("counter:visit", visit_id=visit_id)
