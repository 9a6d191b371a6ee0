"""Catalog browser (read-only): by event, by department, by procedure."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from madoguchi.catalog.templatetags.data_i18n import translated

from . import browse
from .loader import current_catalog


def _on(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return date.today()


def _context(request, **kw):
    from .services import published_version

    catalog = current_catalog()
    on = _on(request)
    return {
        "catalog": catalog,
        "on": on,
        "version": catalog.at(on).version,
        "published": published_version(catalog.municipality),
        **kw,
    }


def index(request):
    ctx = _context(request)
    ctx["events"] = [
        (e, len(browse.procedure_rows(ctx["catalog"], ctx["on"], event=e.id)))
        for e in ctx["catalog"].events.values()
    ]
    ctx["rows"] = browse.procedure_rows(ctx["catalog"], ctx["on"])
    from .models import CatalogVersion

    ctx["loaded"] = CatalogVersion.objects.all()[:10]
    return render(request, "catalog/index.html", ctx)


def event(request, event_id: str):
    ctx = _context(request)
    ev = ctx["catalog"].events.get(event_id)
    if ev is None:
        raise Http404
    ctx.update(event=ev, rows=browse.procedure_rows(ctx["catalog"], ctx["on"], event=event_id))
    return render(
        request,
        "catalog/list.html",
        ctx | {"title": _("届出: %(name)s") % {"name": translated(ev, "name")}},
    )


def department(request, dept_id: str):
    ctx = _context(request)
    dept = ctx["catalog"].departments.get(dept_id)
    if dept is None:
        raise Http404
    ctx.update(rows=browse.procedure_rows(ctx["catalog"], ctx["on"], department=dept_id))
    return render(
        request,
        "catalog/list.html",
        ctx
        | {
            "title": _("課: %(name)s（%(place)s）")
            % {"name": translated(dept, "name"), "place": translated(dept, "place")}
        },
    )


def procedure(request, proc_id: str):
    ctx = _context(request)
    catalog = ctx["catalog"]
    if proc_id not in catalog.procedures:
        raise Http404
    rows = [r for r in browse.procedure_rows(catalog, ctx["on"]) if r["proc"].id == proc_id]
    ctx.update(
        row=rows[0] if rows else None,
        versions=catalog.procedures[proc_id],
        samples=browse.triggering_situations(catalog, proc_id),
        proc_id=proc_id,
    )
    return render(request, "catalog/procedure.html", ctx)
