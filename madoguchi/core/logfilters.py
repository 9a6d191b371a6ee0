"""Logging filters that keep personal data out of log lines.

An exception's message can carry personal data (a database error quoting the values of a
row, a ValueError naming what was typed), and so can a query string. Django's
``django.request`` logger writes both for a 500 error. :class:`RedactRequestErrors`
keeps the traceback's frames (file, line, function, source line: code, not data) and the
exception's type, and withholds the exception's message and any query string.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import traceback
import uuid
from datetime import UTC, datetime

_QUERY = re.compile(r"\?\S*")
WITHHELD = "(message withheld: it may contain personal data)"


class RedactRequestErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = _QUERY.sub("?…", record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            etype, _exc, tb = record.exc_info
            frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
            message = (
                f"{message}\nTraceback (most recent call last):\n{frames}"
                f"{etype.__module__}.{etype.__qualname__}: {WITHHELD}"
            )
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message, ()
        return True


# --- One line per event: time, level, logger, request id, user id ------------------------

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_user_id: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="-")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def bind_request(request_id: str | None, user_id: str | None = None):
    """Set the request's context for every log line written while it runs."""
    return _request_id.set(request_id or "-"), _user_id.set(user_id or "-")


def bind_user(user_id) -> None:
    _user_id.set(str(user_id) if user_id else "-")


def unbind_request(tokens) -> None:
    _request_id.reset(tokens[0])
    _user_id.reset(tokens[1])


def clean_request_id(value: str | None) -> str:
    """The proxy's X-Request-ID when it is a plain token, else a new one."""
    if value and _REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestContext(logging.Filter):
    """Adds ``request_id`` and ``user_id`` (the staff's numeric id, never a name)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.user_id = _user_id.get()
        return True


class LineFormatter(logging.Formatter):
    """``time level logger rid=… user=… message [key=value …]`` — or one JSON object per
    line with ``MADOGUCHI_LOG_FORMAT=json``. Extra fields come from ``extra={"fields": …}``.
    """

    def __init__(self, json_lines: bool = False):
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        fields = dict(getattr(record, "fields", {}) or {})
        message = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            message += "\n" + self.formatException(record.exc_info)
        base = {
            "time": when,
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", "-"),
            "message": message,
        }
        if self.json_lines:
            return json.dumps({**base, **fields}, ensure_ascii=False)
        extra = "".join(f" {k}={v}" for k, v in fields.items())
        text = message.replace("\n", "\n    ")
        return (
            f"{when} {record.levelname} {record.name} rid={base['request_id']} "
            f"user={base['user_id']} {text}{extra}"
        )
