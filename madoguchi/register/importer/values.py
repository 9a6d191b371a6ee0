"""Reading one value of a register export: digits, dates (西暦 and 和暦), codes, 続柄."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from madoguchi.rules import zokugara

FULLWIDTH_DIGITS = str.maketrans(
    "０１２３４５６７８９－／．　", "0123456789-/. "
)  # digits and the separators of dates and codes; used on numeric/date/code fields only


def fold_digits(text: str) -> str:
    return text.translate(FULLWIDTH_DIGITS).strip()


UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes surrogateescape could not decode
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """ISO (YYYY-MM-DD), YYYY/MM/DD, YYYYMMDD or a 和暦 date; full-width digits allowed."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass  # reported below with the generic message
    value = fold_digits(text)
    m = _DATE_RE.match(value)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if len(value) == 8 and value.isdigit():
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise ValueError("存在しない日付です") from exc
    from madoguchi.core.wareki import parse_wareki

    try:
        return parse_wareki(value)
    except Exception as exc:
        raise ValueError("日付として読めません（YYYY-MM-DD・YYYYMMDD・和暦）") from exc


@lru_cache(maxsize=1)
def _eras_by_name() -> dict:
    from madoguchi.core.wareki import ERAS

    return {e.name: e for e in ERAS}


def date_in_era(date: dt.date, era: str) -> bool:
    """True when ``date`` lies in ``era`` (both eras count on a day they share)."""
    e = _eras_by_name().get(era)
    return e is not None and e.contains(date)


@lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    from madoguchi.core.text import name_key

    return name_key(name)


@lru_cache(maxsize=65536)
def _kana_key(kana: str) -> str:
    from madoguchi.core.text import kana_key

    return kana_key(kana)


def relationship_role(text: str) -> str:
    """The situation contract's relationship for a 続柄 (子の妻 → relative), by
    ``rules.zokugara``; ValueError names a 続柄 it cannot classify."""
    return zokugara.relationship_of(text)


def _norm_code(value: str) -> str:
    """Code comparison ignores leading zeros of numeric codes (2 == 02)."""
    v = fold_digits(value)
    return v.lstrip("0") or ("0" if v else "") if v.isdigit() else v
