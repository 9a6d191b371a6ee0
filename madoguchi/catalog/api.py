"""Catalog API (read-only): the catalog in force on a date, its procedures and questions."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from madoguchi.core.apierrors import errors, respond

router = Router(tags=["catalog"])


class DepartmentOut(Schema):
    id: str
    name: str
    place: str
    en: dict


class CatalogProcedureOut(Schema):
    id: str
    name: str
    department: str
    scope: str
    forms: list[str]
    no_form: str | None
    bring: list[str]
    deadline: dict
    legal_basis: str
    counter_completion: bool  # the counter may complete it (同席・窓口で完了)
    valid_from: date
    valid_to: date | None
    events: list[str]
    en: dict


class CatalogOut(Schema):
    municipality: str
    name: str
    code: str
    version: str
    label: str  # the published version (YYYY-MM-DD.N.digest8); "" before a publication
    on: date
    events: dict[str, str]
    departments: list[DepartmentOut]


class CatalogQuestionOut(Schema):
    id: str
    events: list[str]
    asks: str
    persons: str
    text: str
    en: dict


def _cat():
    from .loader import current_catalog

    return current_catalog()


def _proc(p) -> dict:
    events = sorted({e for t in p.triggers for e in (t.events or ("all",))})
    return {
        **{k: getattr(p, k) for k in CatalogProcedureOut.model_fields if k != "events"},
        "events": events,
    }


@router.get("/", response=CatalogOut, summary="カタログ（基準日に有効な版）")
def catalog_info(request, on: date | None = None):
    cat = _cat()
    on = on or date.today()
    return {
        "municipality": cat.municipality,
        "name": cat.name,
        "code": cat.code,
        "version": cat.at(on).version,
        "label": cat.label,
        "on": on,
        "events": {e.id: e.name for e in cat.events.values()},
        "departments": [
            {"id": d.id, "name": d.name, "place": d.place, "en": d.en}
            for d in cat.departments.values()
        ],
    }


@router.get("/procedures", response=list[CatalogProcedureOut], summary="手続の一覧")
def procedures(
    request, on: date | None = None, event: str | None = None, department: str | None = None
):
    view = _cat().at(on or date.today())
    return [
        _proc(p)
        for p in view.procedures
        if (event is None or any(t.for_event(event) for t in p.triggers))
        and (department is None or p.department == department)
    ]


@router.get(
    "/procedures/{proc_id}",
    response={200: CatalogProcedureOut, **errors(404)},
    summary="手続の詳細",
)
def procedure(request, proc_id: str, on: date | None = None):
    cat = _cat()
    if proc_id not in cat.procedures:
        return respond(404, _("手続 %(id)s はカタログにありません") % {"id": proc_id}, "proc_id")
    return Status(200, _proc(cat.procedure(proc_id, on)))


@router.get("/questions", response=list[CatalogQuestionOut], summary="聞き取りの質問")
def questions(request, event: str | None = None):
    return [
        {
            "id": q.id,
            "events": list(q.events),
            "asks": q.asks,
            "persons": q.persons,
            "text": q.text,
            "en": q.en,
        }
        for q in _cat().questions
        if event is None or event in q.events
    ]
