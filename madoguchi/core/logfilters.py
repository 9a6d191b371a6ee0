"""Logging filters that keep personal data out of log lines.

An exception's message can carry personal data (a database error quoting the values of a
row, a ValueError naming what was typed), and so can a query string. Django's
``django.request`` logger writes both for a 500 error. :class:`RedactRequestErrors`
keeps the traceback's frames (file, line, function, source line: code, not data) and the
exception's type, and withholds the exception's message and any query string.
"""

from __future__ import annotations

import logging
import re
import traceback

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
