"""Register API: search, person, household. Every call is audited like the pages
(see :mod:`madoguchi.register.search`); dates are ISO 8601 with a 和暦 companion."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from madoguchi.core.wareki import WarekiError, format_wareki

from . import search as svc
from .models import Person

router = Router(tags=["register"])

_DETAIL_FIELDS = [
    f.name
    for f in Person._meta.concrete_fields
    if f.name not in {"id", "household", "name_key", "kana_key", "alt_name_key", "import_digest"}
]


class SearchIn(Schema):
    q: str
    limit: int = svc.DEFAULT_LIMIT


def _wareki(value: date | None) -> str:
    if value is None:
        return ""
    try:
        return format_wareki(value)
    except WarekiError:
        return ""


def _summary(p: Person) -> dict:
    return {
        "atena_no": p.atena_no,
        "household_no": p.household.household_no,
        "name": p.name,
        "name_kana": p.name_kana,
        "alt_name": p.alt_name,
        "birth_date": p.birth_date.isoformat(),
        "birth_date_wareki": _wareki(p.birth_date),
        "birth_date_uncertain": p.birth_date_uncertain,
        "birth_date_text": p.birth_date_text,
        "sex": p.sex,
        "relationship": p.relationship,
        "status": p.status,
        "status_label": p.get_status_display(),
        "removed": p.is_removed,
        "pending": p.status == "P",
        "address": p.address,
        "katagaki": p.katagaki,
        "support_measure": p.support_measure,
    }


def _masked() -> dict:
    return {"masked": True, "label": str(svc.MASKED_LABEL)}


def _row(row: svc.Row) -> dict:
    return _masked() if row.masked else {"masked": False, **_summary(row.person)}


def _detail(p: Person) -> dict:
    out = {}
    for name in _DETAIL_FIELDS:
        value = getattr(p, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, date):
            out[f"{name}_wareki"] = _wareki(value)
            value = value.isoformat()
        out[name] = value
    out["household_no"] = p.household.household_no
    out["address"] = p.address
    out["status_label"] = p.get_status_display()
    return out


@router.post("/search")
def search(request: HttpRequest, payload: SearchIn):
    limit = max(1, min(payload.limit, 200))
    with transaction.atomic():
        result = svc.search(payload.q, request.user, limit=limit)
        body = {
            "interpretation": result.interpretation,
            "capped": result.capped,
            "count": result.count,
            "message": result.message,
            "results": [_row(r) for r in result.rows],
        }
    if result.error:  # raised after commit: the attempted search stays audited
        raise HttpError(400, result.error)
    return body


@router.get("/persons/{atena_no}")
def person(request: HttpRequest, atena_no: str):
    with transaction.atomic():
        try:
            return _detail(svc.read_person(atena_no, request.user))
        except svc.NotFound as exc:
            error = HttpError(404, str(exc))
        except svc.Protected:
            error = HttpError(403, str(svc.MASKED_LABEL))
    # Raised after the block: the denial's audit row is committed, not rolled back.
    raise error


@router.get("/households/{household_no}")
def household(request: HttpRequest, household_no: str):
    with transaction.atomic():
        try:
            view = svc.read_household(household_no, request.user)
        except svc.NotFound as exc:
            raise HttpError(404, str(exc)) from None
        return {
            "household_no": view.household.household_no,
            "is_pending": view.household.is_pending,
            "flagged": view.flagged,
            "members": [_row(r) for r in view.rows],
        }
