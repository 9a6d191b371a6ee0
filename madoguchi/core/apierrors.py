"""One error shape for the whole JSON API (docs/api.md, "Errors").

Every 4xx/5xx answer under ``/api/`` is::

    {"detail": "<what went wrong, for a person>",
     "errors": [{"field": "<the input at fault>", "message": "<why>"}, ...]}

``errors`` names the fields at fault (empty when the error concerns no input: not logged
in, no permission, service unavailable). A few answers carry one documented extra:
``current_version`` (409, a visit changed by someone else), ``message_en`` (the English
message of a situation error), ``error`` (``"service unavailable"``, 503) and ``issues``
(503, the catalog's files and lines). The same body comes from the views (:func:`respond`,
:class:`ApiProblem`), ninja's own errors (validation, authentication, CSRF: the handlers
of :func:`install`) and the middleware answering before any view (not logged in,
database down, a lone surrogate).

:func:`document` declares these responses on every operation of the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError, ValidationError


class FieldError(Schema):
    field: str
    message: str


class ApiError(Schema):
    """The body of every error answer of the API."""

    detail: str
    errors: list[FieldError]
    current_version: int | None = None
    message_en: str | None = None
    error: str | None = None
    issues: list[dict[str, Any]] | None = None


def body(message: str, field: str = "", *, errors: list[dict] | None = None, **extra) -> dict:
    """The error body: ``field`` (if any) becomes the one entry of ``errors``."""
    if errors is None:
        errors = [{"field": field, "message": message}] if field else []
    return {"detail": str(message), "errors": errors, **extra}


def respond(status: int, message: str, field: str = "", **extra) -> JsonResponse:
    return JsonResponse(body(message, field, **extra), status=status)


def situation_error(exc, status: int = 422) -> JsonResponse:
    """A situation's error (``field``, ``message``, ``message_en``: rules.SituationError,
    documents.BundleRequestError) in the one shape."""
    return respond(status, exc.message, exc.field, message_en=exc.message_en)


class ApiProblem(Exception):
    """Raised in an API view: answered as ``status`` with the error body."""

    def __init__(self, status: int, message: str, field: str = "", **extra):
        super().__init__(message)
        self.status, self.message, self.field, self.extra = status, str(message), field, extra


def _field(loc) -> str:
    # ninja's locations: ("body", "<parameter>", ...), ("query", name), ("path", name).
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts[:1] in (["query"], ["path"], ["header"], ["cookie"], ["form"]):
        parts = parts[1:]
    return ".".join(parts)


def install(api) -> None:
    """ninja's own errors answer the same shape (its defaults are ``{"detail": …}`` with a
    list for validation errors)."""

    def problem(request, exc: ApiProblem):
        return respond(exc.status, exc.message, exc.field, **exc.extra)

    def http_error(request, exc: HttpError):
        if exc.status_code == 401:
            return respond(401, _("ログインが必要です"))
        return respond(exc.status_code, str(exc))

    def not_found(request, exc: Http404):
        return respond(404, str(exc) or _("見つかりません"))

    def invalid(request, exc: ValidationError):
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))}
            for e in exc.errors
        ]
        return JsonResponse(body(_("入力が正しくありません"), errors=errors), status=422)

    api.add_exception_handler(ApiProblem, problem)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ValidationError, invalid)


def errors(*statuses: int) -> dict[int, type[ApiError]]:
    """``response=`` entries for an operation's own error statuses."""
    return dict.fromkeys(statuses, ApiError)


_REF = "#/components/schemas/ApiError"
_DESCRIPTIONS = {
    400: "Bad request (a value the product cannot take, e.g. a lone surrogate)",
    401: "Not logged in, or not allowed to use this part of the API",
    403: "Forbidden: no permission, a protected person (支援措置), CSRF, password change due",
    404: "Not found",
    409: "Conflict",
    422: "Invalid input: the fields at fault in errors",
    503: "Service unavailable (database or catalog)",
}


def document(schema: dict) -> dict:
    """Declare the error responses every operation can give, with the one error body:
    401/403 (login, permission, CSRF), 400/422 (input) where the operation takes any,
    404 where it has path parameters, 503 everywhere; and point every error response an
    operation declares itself at the same schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(_component_schemas())
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            params = op.get("parameters", [])
            takes_input = bool(params) or "requestBody" in op
            statuses = [401, 403, 503]
            if takes_input:
                statuses += [400, 422]
            if any(p.get("in") == "path" for p in params):
                statuses.append(404)
            for status in statuses:
                responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = {"application/json": {"schema": {"$ref": _REF}}}
                    response.setdefault("description", _DESCRIPTIONS.get(int(status), "Error"))
    return schema


def _component_schemas() -> dict:
    from ninja.openapi.schema import REF_TEMPLATE

    generated = ApiError.model_json_schema(ref_template=REF_TEMPLATE)
    defs = generated.pop("$defs", {})
    return {"ApiError": generated, **defs}
