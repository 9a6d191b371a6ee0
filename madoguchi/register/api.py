"""Register API: search, person, household, same-day protection. Every call goes through
the register's front door (:mod:`madoguchi.register.services`) and is audited like the
pages; dates are ISO 8601 with a 和暦 companion. Department staff are let in only where
their department is granted register reads.

Identifier-free routes (``POST /persons/lookup``, ``POST /households/lookup``) stand
beside the deprecated ``GET /persons/{atena_no}`` and ``GET /households/{household_no}``
(see docs/api-deprecations.md)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth

from madoguchi.core.apierrors import errors
from madoguchi.core.wareki import WarekiError, format_wareki

from . import refs
from . import services as svc
from .models import Person
from .residence_card import mask_card_no


class RegisterReaderAuth(SessionAuth):
    """A logged-in member of staff who may read the register (CSRF checked like the API's
    session auth): counter staff, and department staff of a granted department."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and svc.may_read_register(user) else None


router = Router(tags=["register"], auth=RegisterReaderAuth())


class PersonLookupIn(Schema):
    atena_no: str


class HouseholdLookupIn(Schema):
    household_no: str


class HoldIn(Schema):
    atena_no: str
    reason: str


_DETAIL_FIELDS = [
    f.name
    for f in Person._meta.concrete_fields
    if f.name not in {"id", "household", "name_key", "kana_key", "alt_name_key", "import_digest"}
]


class SearchIn(Schema):
    q: str
    limit: int = svc.DEFAULT_LIMIT
    # a move-in at the counter: pending move-ins (転出証明書情報) that match come first
    pending_first: bool = False


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
    # masked like every screen (register/residence_card.py); the person page's 「表示」
    # shows it in full, audited
    out["residence_card_no"] = mask_card_no(p.residence_card_no)
    out["household_no"] = p.household.household_no
    out["address"] = p.address
    out["status_label"] = p.get_status_display()
    return out


@router.post("/search", response={200: dict, **errors(400)})
def search(request: HttpRequest, payload: SearchIn):
    limit = max(1, min(payload.limit, 200))
    with transaction.atomic():
        result = svc.search(
            payload.q, request.user, limit=limit, pending_first=payload.pending_first
        )
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


@router.post("/persons/lookup", response={200: dict, **errors(403, 404)})
def person_lookup(request: HttpRequest, payload: PersonLookupIn):
    """A person by 宛名番号 given in the body (no identifier in the URL)."""
    return _person(request, payload.atena_no)


def _person(request: HttpRequest, atena_no: str):
    with transaction.atomic():
        try:
            return _detail(svc.read_person(atena_no, request.user))
        except svc.NotFound as exc:
            error = HttpError(404, str(exc))
        except svc.Protected:
            error = HttpError(403, str(svc.MASKED_LABEL))
    # Raised after the block: the denial's audit row is committed, not rolled back.
    raise error


@router.post("/households/lookup", response={200: dict, **errors(404)})
def household_lookup(request: HttpRequest, payload: HouseholdLookupIn):
    """A household by 世帯番号 given in the body (no identifier in the URL)."""
    return _household(request, payload.household_no)


@router.post("/protection-holds", response={201: dict, **errors(403, 404, 422)})
def protection_hold(request: HttpRequest, payload: HoldIn):
    """Same-day 支援措置 (staff with ``may_see_protected``; the reason is required)."""
    from django.core.exceptions import PermissionDenied

    try:
        hold = svc.set_protection_hold(payload.atena_no, request.user, payload.reason)
    except svc.NotFound as exc:
        raise HttpError(404, str(exc)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, {"atena_no": hold.atena_no, "set_at": hold.set_at.isoformat()})


def _household(request: HttpRequest, household_no: str):
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


# The deprecated routes come last: /persons/{atena_no} would otherwise take /persons/lookup.


@router.get("/persons/{atena_no}", deprecated=True, response={200: dict, **errors(403, 404)})
def person(request: HttpRequest, response: HttpResponse, atena_no: str):
    """Deprecated: the 宛名番号 is in the URL (proxies log it). Use ``POST /persons/lookup``."""
    refs.announce_sunset(response, "/api/register/persons/lookup")
    return _person(request, atena_no)


@router.get("/households/{household_no}", deprecated=True, response={200: dict, **errors(404)})
def household(request: HttpRequest, response: HttpResponse, household_no: str):
    """Deprecated: the 世帯番号 is in the URL. Use ``POST /households/lookup``."""
    refs.announce_sunset(response, "/api/register/households/lookup")
    return _household(request, household_no)
