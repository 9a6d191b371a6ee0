"""Errors that are not the product's fault become clear answers, never a bare 500.

* a record that does not exist (``ObjectDoesNotExist`` escaping a view) → 404;
* the database down, read-only or without its tables → 503 "service unavailable", with
  the cause in the server log (exception type, SQLSTATE, the driver's first line — which
  names the server or the table, never a row) and nothing written half-way (every
  action runs in one transaction).

HTML pages get a page (``core/error.html``, rendered without the request so that it
needs no database), ``/api/`` gets the API's error body (``core/apierrors.py``). ``handler500`` (urls.py) sees
every exception, including those raised by middleware (e.g. saving the session while
the database is down); the API's own handlers answer the same for ninja views.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from . import apierrors

log = logging.getLogger("madoguchi.errors")

# SQLSTATEs that mean "the database cannot serve", not "the query is wrong":
# 25006 read-only transaction, 42P01 undefined table, 57P0x shutdown, 53xxx resources,
# 08xxx connection.
_UNAVAILABLE_STATES = ("25006", "42P01", "57P01", "57P02", "57P03", "53", "08")
_UNAVAILABLE_SQLITE = ("readonly", "no such table", "unable to open", "disk i/o", "locked")


def _sqlstate(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    return str(getattr(cause, "sqlstate", "") or getattr(cause, "pgcode", "") or "")


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError | OperationalError):
        return True
    if isinstance(exc, DatabaseError):
        state = _sqlstate(exc)
        text = str(exc).lower()
        return state.startswith(_UNAVAILABLE_STATES) or any(s in text for s in _UNAVAILABLE_SQLITE)
    return False


def _log_unavailable(exc: BaseException) -> None:
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    if not isinstance(exc, InterfaceError | OperationalError):
        first = ""  # other driver errors may quote a statement's values
    log.error("database unavailable: %s sqlstate=%s %s", type(exc).__name__, _sqlstate(exc), first)


def classify(exc: BaseException | None) -> tuple[int, str] | None:
    if exc is None:
        return None
    if isinstance(exc, ObjectDoesNotExist):
        return 404, _("見つかりません")
    if database_unavailable(exc):
        _log_unavailable(exc)
        return 503, _("サービスを一時的に利用できません（データベースに接続できません）")
    return None


def respond(request, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        extra = {"error": "service unavailable"} if status == 503 else {}
        response = apierrors.respond(status, message, **extra)
    else:
        html = loader.render_to_string("core/error.html", {"status": status, "message": message})
        response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def server_error(request):
    """handler500: the exception being handled decides between 404, 503 and 500."""
    found = classify(sys.exc_info()[1])
    if found:
        return respond(request, *found)
    return respond(request, 500, _("サーバーでエラーが発生しました。管理者に連絡してください。"))


def install_api_handlers(api) -> None:
    def handler(request, exc):
        found = classify(exc)
        if found is None:
            raise exc
        return respond(request, *found)

    api.add_exception_handler(ObjectDoesNotExist, handler)
    api.add_exception_handler(DatabaseError, handler)


class ErrorMiddleware:
    """A view's missing record or unavailable database answered as 404/503 right away
    (handler500 catches what escapes elsewhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        found = classify(exc)
        return respond(request, *found) if found else None
