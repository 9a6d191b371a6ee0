"""Field types of the JSON API's bodies that take input as clerks type it.

``WarekiDate``: a date in 和暦 or 西暦 — ``R9.3.29``, ``令和9年3月29日``, ``5090329`` (the
register's 7-digit form, 5 = 令和), ``2027-03-29`` — read by the one parser,
:func:`madoguchi.core.wareki.parse_wareki`. A text it refuses is a validation error of
the field (422, ``errors[0].field`` names it, the message says why). The OpenAPI schema
documents it as a string with the accepted forms.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from .wareki import WarekiError, parse_wareki

WAREKI_EXAMPLES = ["2027-03-29", "R9.3.29", "令和9年3月29日", "5090329"]
WAREKI_DESCRIPTION = (
    "A date as clerks type it: ISO 8601 (2027-03-29), 和暦 (R9.3.29, 令和9年3月29日, "
    "H5.1.1, 平成元年5月1日) or the register's 7-digit form (era code + YYMMDD: "
    "5090329 = 令和9年3月29日; 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和); full-width digits "
    "accepted. A date that does not exist in its era (令和元年4月30日, 2月30日) is refused "
    "with 422 naming the field."
)


def _parse(value):
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("日付は文字列（2027-03-29、R9.3.29、令和9年3月29日、5090329）です")
    text = value.strip()
    if not text:
        return None
    try:
        return parse_wareki(text)
    except WarekiError as exc:
        raise ValueError(str(exc)) from None


WarekiDate = Annotated[
    date | None,
    BeforeValidator(_parse),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": WAREKI_DESCRIPTION,
            "examples": WAREKI_EXAMPLES,
        }
    ),
]
