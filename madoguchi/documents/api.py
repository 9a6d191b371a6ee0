"""``POST /api/documents/bundle``: a situation (JSON body, as in situation.md, persons
with optional ``register:`` blocks; or the list of a visit's situations) → the bundle
PDF. ``determine`` runs against the catalog in force; the guide sheet is Japanese,
``?lang=ja,en`` adds the English one; ``?date=`` the 届出日. Errors answer 422 with the field at fault."""

import datetime as dt
import json

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router

from madoguchi.core.apierrors import errors, respond, situation_error

from .services import BundleRequestError, audit_bundle, bundle_for_situation
from .views import pdf_response

router = Router(tags=["documents"])

_PDF = {"200": {"content": {"application/pdf": {}}, "description": "the bundle PDF"}}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
        "description": "a situation (situation.md), persons may carry register: blocks",
    }
}


@router.post("/bundle", openapi_extra={"responses": _PDF, **_BODY}, response=errors(422))
def bundle(request, lang: str = "ja", date: str | None = None):
    try:
        situation = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        return respond(422, _("JSON ではありません: %(error)s") % {"error": exc}, "body")
    try:
        notified_on = dt.date.fromisoformat(date) if date else None
    except ValueError:
        return respond(
            422, _("日付（YYYY-MM-DD）ではありません: %(date)s") % {"date": date}, "date"
        )
    try:
        with transaction.atomic():
            result = bundle_for_situation(
                situation, languages=tuple(x for x in lang.split(",") if x), notified_on=notified_on
            )
            audit_bundle(request.user, situation, result, "api")
    except BundleRequestError as exc:
        return situation_error(exc)
    response = pdf_response(result.pdf)
    response["X-Handwritten-Chars"] = str(result.handwritten_chars)
    response["X-Overflow-Count"] = str(len(result.overflow))
    response["X-Pages"] = str(result.pages)
    return response
