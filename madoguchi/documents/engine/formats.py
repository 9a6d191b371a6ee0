"""Values and formats: dates, 和暦, postal codes, the code → Japanese labels, widths and
the handwriting count; ``DocumentError`` for bad form data."""

from __future__ import annotations

import datetime as dt
import unicodedata

from madoguchi.core.wareki import format_wareki as core_format_wareki

SEX_JA = {"male": "男", "female": "女"}
INSURANCE_JA = {
    "nhi": "国民健康保険",
    "employee": "被用者保険",
    "elderly": "後期高齢者医療",
    "assistance": "生活保護",
    "none": "なし",
}
EVENT_JA = {
    "move_in": "転入",
    "move_in_from_abroad": "国外からの転入",
    "move_out": "転出",
    "move_out_abroad": "国外への転出",
    "move_within": "転居",
    "birth": "出生",
    "death": "死亡",
    "marriage": "婚姻",
    "divorce": "離婚",
}


class DocumentError(ValueError):
    """Bad form data or bad register block; ``field`` names where."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DocumentError("date", f"not a date: {value!r}") from exc


def format_wareki(value) -> str:
    d = as_date(value)
    return "" if d is None else core_format_wareki(d)


def format_postal(value) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    digits = unicodedata.normalize("NFKC", digits)  # digits only: full-width → half-width
    if len(digits) != 7:
        return str(value or "")
    return f"〒{digits[:3]}-{digits[3:]}"


def format_postal_digits(value) -> str:
    digits = unicodedata.normalize("NFKC", "".join(ch for ch in str(value or "") if ch.isdigit()))
    return digits


def format_western(value) -> str:
    """2027年3月29日: the 西暦 a form asks for (在留カード dates, foreign residents)."""
    d = as_date(value)
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


FORMATS = {
    "western": format_western,
    "wareki": format_wareki,
    "postal": format_postal,
    "postal_digits": format_postal_digits,
    "sex": lambda v: SEX_JA.get(v, v or ""),
    "insurance": lambda v: INSURANCE_JA.get(v, v or ""),
    "text": lambda v: "" if v is None else str(v),
    "event": lambda v: EVENT_JA.get(v, v or ""),
}


def em_width(text: str) -> float:
    """Width of ``text`` in em at the nominal size: wide characters 1, others ½,
    variation selectors and combining marks 0."""
    width = 0.0
    for ch in text:
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or unicodedata.combining(ch):
            continue
        width += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5
    return width


def written_chars(text: str) -> int:
    """Characters a resident would write by hand for ``text``: every character except
    spaces and variation selectors (an IVS glyph is one written character)."""
    return sum(
        1
        for ch in text
        if not ch.isspace() and not (0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF)
    )
