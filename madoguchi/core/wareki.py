"""Strict 和暦 (Japanese era dates): formatting and parsing.

Eras (see docs/register-codes.md):

====  ====  ====  ==========  ==========
元号  code  abbr  first day   last day
====  ====  ====  ==========  ==========
明治  1     M     1868-01-25  1912-07-30
大正  2     T     1912-07-30  1926-12-25
昭和  3     S     1926-12-25  1989-01-07
平成  4     H     1989-01-08  2019-04-30
令和  5     R     2019-05-01  —
====  ====  ====  ==========  ==========

On the two shared days (1912-07-30, 1926-12-25) both eras are valid when *parsing*;
formatting always prints the new era. Year 1 prints as 元年. A date that does not exist
in the era named (平成31年5月1日, 令和元年4月30日, 昭和64年1月8日, 2月30日) is rejected
with :class:`WarekiError`, never rolled over.

Accepted input forms (:func:`parse_wareki`), full-width digits and letters allowed:

* ``4050101`` — 7 digits: era code + YY + MM + DD (平成5年1月1日)
* ``19930101`` — 8 western digits; ``1993-01-01`` / ``1993/1/1`` / ``1993.1.1``
* ``H5.1.1``, ``R1.5.1``, ``h5.1.1``, ``H05/01/01``, ``H5-1-1``
* ``平成5年1月1日``, ``令和元年5月1日``, ``平成５年１月１日``, ``1993年1月1日``
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

__all__ = [
    "ERAS",
    "Era",
    "WarekiError",
    "era_by_code",
    "format_wareki",
    "parse_wareki",
    "parse_wareki_period",
    "to_wareki",
    "wareki_candidates",
]


class WarekiError(ValueError):
    """A date text that is not a valid date (in its era). The message is in the active
    UI language (Japanese unless a page asked for another)."""


def _year_min(text: str, era: str) -> WarekiError:
    return WarekiError(_("「%(t)s」: %(era)sの年は1以上です") % {"t": text, "era": era})


def _month_range(text: str, month: int) -> WarekiError:
    return WarekiError(_("「%(t)s」: 月は1〜12です（%(m)s月）") % {"t": text, "m": month})


@dataclass(frozen=True)
class Era:
    name: str  # 平成
    code: int  # 4
    letter: str  # H
    first: date
    last: date | None  # None: the current era

    def contains(self, d: date) -> bool:
        return self.first <= d and (self.last is None or d <= self.last)

    @property
    def max_year(self) -> int | None:
        return None if self.last is None else self.last.year - self.first.year + 1


ERAS: tuple[Era, ...] = (
    Era("明治", 1, "M", date(1868, 1, 25), date(1912, 7, 30)),
    Era("大正", 2, "T", date(1912, 7, 30), date(1926, 12, 25)),
    Era("昭和", 3, "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", 4, "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", 5, "R", date(2019, 5, 1), None),
)
_BY_CODE = {e.code: e for e in ERAS}
_BY_LETTER = {e.letter: e for e in ERAS}
_BY_NAME = {e.name: e for e in ERAS}
# Single-character era ligatures (U+337B–U+337E, U+32FF) some systems emit.
_LIGATURES = {"㍾": "明治", "㍽": "大正", "㍼": "昭和", "㍻": "平成", "㋿": "令和"}

FIRST_DATE = ERAS[0].first


def era_by_code(code: int | str) -> Era:
    try:
        return _BY_CODE[int(code)]
    except (KeyError, ValueError):
        raise WarekiError(
            _("元号コード「%(code)s」は不正です（1 明治, 2 大正, 3 昭和, 4 平成, 5 令和）")
            % {"code": code}
        ) from None


def _era_of(d: date) -> Era:
    """The era printed for ``d``: the newest era containing it."""
    if d < FIRST_DATE:
        raise WarekiError(_("%(d)s は明治以前のため和暦で表せません") % {"d": d.isoformat()})
    for era in reversed(ERAS):
        if era.contains(d):
            return era
    raise WarekiError(_("%(d)s は和暦で表せません") % {"d": d.isoformat()})  # pragma: no cover


def to_wareki(d: date) -> tuple[str, int, int, int]:
    """``date(2019, 5, 1)`` → ``("令和", 1, 5, 1)`` (the new era on a shared day)."""
    if isinstance(d, datetime):
        d = d.date()
    era = _era_of(d)
    return era.name, d.year - era.first.year + 1, d.month, d.day


def format_wareki(d: date, *, era_style: str = "kanji") -> str:
    """Format a date in 和暦.

    ``era_style``: ``"kanji"`` → 令和元年5月1日; ``"letter"`` → R1.5.1;
    ``"code"`` → 5010501 (the 7-digit entry form).
    """
    name, year, month, day = to_wareki(d)
    era = _BY_NAME[name]
    if era_style == "kanji":
        return f"{name}{'元' if year == 1 else year}年{month}月{day}日"
    if era_style == "letter":
        return f"{era.letter}{year}.{month}.{day}"
    if era_style == "code":
        return f"{era.code}{year:02d}{month:02d}{day:02d}"
    raise ValueError(f"unknown era_style {era_style!r} (kanji, letter, code)")


def _normalise_input(text: str) -> str:
    """Full-width digits/letters/punctuation → ASCII, ligatures expanded, spaces removed.

    Only ever applied to date input, never to names.
    """
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII block
            ch = chr(o - 0xFEE0)
        elif ch in _LIGATURES:
            ch = _LIGATURES[ch]
        elif ch in " \u3000\t":
            continue
        out.append(ch)
    s = "".join(out)
    return s.replace("／", "/").replace("－", "-").replace("．", ".")


def _label(era: Era, d: date) -> str:
    year = d.year - era.first.year + 1
    return f"{era.name}{'元' if year == 1 else year}年{d.month}月{d.day}日"


def _make(era: Era | None, year: int, month: int, day: int, original: str) -> date:
    """Build the date, strictly inside ``era`` when given."""
    if era is not None:
        if year < 1:
            raise _year_min(original, era.name)
        western = era.first.year + year - 1
        label = f"{era.name}{'元' if year == 1 else year}年{month}月{day}日"
    else:
        western = year
        label = f"{year}年{month}月{day}日"
    if not 1 <= month <= 12:
        raise _month_range(original, month)
    try:
        d = date(western, month, day)
    except ValueError:
        raise WarekiError(
            _("「%(t)s」: %(label)s は存在しない日付です") % {"t": original, "label": label}
        ) from None
    if era is not None and not era.contains(d):
        span = f"{_label(era, era.first)}〜{'' if era.last is None else _label(era, era.last)}"
        raise WarekiError(
            _("「%(t)s」: %(label)s は%(era)sの期間（%(span)s）にない日付です")
            % {"t": original, "label": label, "era": era.name, "span": span}
        )
    return d


_KANJI_RE = re.compile(
    r"^(明治|大正|昭和|平成|令和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日?$",
)
_WESTERN_KANJI_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_LETTER_RE = re.compile(r"^([MTSHRmtshr])(\d{1,2})[./\-](\d{1,2})[./\-](\d{1,2})$")
_WESTERN_SEP_RE = re.compile(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})$")


def parse_wareki(text: str) -> date:
    """Parse a date typed by staff (any accepted form), strictly. Raises WarekiError."""
    if text is None:
        raise WarekiError(_("日付が入力されていません"))
    original = str(text).strip()
    s = _normalise_input(original)
    if not s:
        raise WarekiError(_("日付が入力されていません"))
    if s.isdigit() and s.isascii():
        if len(s) == 7:
            era = era_by_code(s[0])
            return _make(era, int(s[1:3]), int(s[3:5]), int(s[5:7]), original)
        if len(s) == 8:
            return _check_range(_make(None, int(s[:4]), int(s[4:6]), int(s[6:8]), original))
        raise WarekiError(
            _("「%(t)s」は日付として読めません（7桁: 元号コード+年月日、8桁: 西暦年月日）")
            % {"t": original}
        )
    m = _KANJI_RE.match(s)
    if m:
        era = _BY_NAME[m.group(1)]
        year = 1 if m.group(2) == "元" else int(m.group(2))
        return _make(era, year, int(m.group(3)), int(m.group(4)), original)
    m = _LETTER_RE.match(s)
    if m:
        era = _BY_LETTER[m.group(1).upper()]
        return _make(era, int(m.group(2)), int(m.group(3)), int(m.group(4)), original)
    m = _WESTERN_SEP_RE.match(s) or _WESTERN_KANJI_RE.match(s)
    if m:
        return _check_range(
            _make(None, int(m.group(1)), int(m.group(2)), int(m.group(3)), original)
        )
    raise WarekiError(
        _(
            "「%(t)s」は日付として読めません"
            "（例: 4050101, 19930101, H5.1.1, 平成5年1月1日, 令和元年5月1日）"
        )
        % {"t": original}
    )


def _check_range(d: date) -> date:
    if d < FIRST_DATE:
        raise WarekiError(_("%(d)s は明治以前の日付です") % {"d": d.isoformat()})
    return d


_KANJI_PERIOD_RE = re.compile(r"^(明治|大正|昭和|平成|令和)(元|\d{1,2})年(?:(\d{1,2})月)?$")
_LETTER_PERIOD_RE = re.compile(r"^([MTSHRmtshr])(\d{1,2})(?:[./\-](\d{1,2}))?$")
_WESTERN_PERIOD_RE = re.compile(r"^(\d{4})年(?:(\d{1,2})月)?$")


def _period_match(s: str):
    m = _KANJI_PERIOD_RE.match(s)
    if m:
        year = 1 if m.group(2) == "元" else int(m.group(2))
        return _BY_NAME[m.group(1)], year, m.group(3)
    m = _LETTER_PERIOD_RE.match(s)
    if m:
        return _BY_LETTER[m.group(1).upper()], int(m.group(2)), m.group(3)
    m = _WESTERN_PERIOD_RE.match(s)
    if m:
        return None, int(m.group(1)), m.group(2)
    return None


def parse_wareki_period(text: str) -> tuple[date, date]:
    """A year or a month typed without the day — ``S58``, ``昭和58年``, ``H5.1``,
    ``平成5年1月``, ``1983年`` — as (first day, last day), clipped to the era. Strict:
    a year the era never had (平成32年, 昭和65年) is a WarekiError. Used to search
    persons by birth year, including those whose birth date is 不詳 (年月日不詳, 頃)."""
    original = str(text or "").strip()
    found = _period_match(_normalise_input(original))
    if found is None:
        raise WarekiError(
            _("「%(t)s」は年・年月として読めません（例: S58, 昭和58年, H5.1）") % {"t": original}
        )
    era, year, month_text = found
    western = (era.first.year + year - 1) if era else year
    if era is not None and year < 1:
        raise _year_min(original, era.name)
    if month_text is None:
        first, last = date(western, 1, 1), date(western, 12, 31)
    else:
        month = int(month_text)
        if not 1 <= month <= 12:
            raise _month_range(original, month)
        first = date(western, month, 1)
        last = date(western + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    if era is not None:
        era_last = era.last or date.max
        first, last = max(first, era.first), min(last, era_last)
        if first > last:
            raise WarekiError(
                _("「%(t)s」は%(era)sの期間にありません") % {"t": original, "era": era.name}
            )
    elif last < FIRST_DATE:
        raise WarekiError(_("「%(t)s」は明治以前です") % {"t": original})
    return first, last


def looks_like_period(text: str) -> bool:
    """True when ``text`` has the shape of a year or year-month entry (S58, 昭和58年)."""
    return _period_match(_normalise_input(text or "")) is not None


def looks_like_date(text: str) -> bool:
    """True when ``text`` has the shape of a date entry (valid or not)."""
    s = _normalise_input(text or "")
    if s.isdigit() and s.isascii():
        return len(s) in (7, 8)
    return bool(
        _KANJI_RE.match(s)
        or _LETTER_RE.match(s)
        or _WESTERN_SEP_RE.match(s)
        or _WESTERN_KANJI_RE.match(s)
    )


def wareki_candidates(d: date) -> list[tuple[str, int]]:
    """All (era name, year) readings of ``d`` (two on a shared boundary day)."""
    return [(e.name, d.year - e.first.year + 1) for e in ERAS if e.contains(d)]


def display_date(value: date | None, *, western: bool = False) -> str:
    """和暦 (西暦) for a date; 西暦 first when ``western`` (foreign residents)."""
    if value is None:
        return ""
    iso = f"{value.year}年{value.month}月{value.day}日"
    try:
        wareki = format_wareki(value)
    except WarekiError:
        return iso
    return f"{iso}（{wareki}）" if western else f"{wareki}（{value.year}年）"
