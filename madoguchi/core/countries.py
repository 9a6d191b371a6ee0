"""国籍・地域: the one list the counter picks from, the register import maps to and the
forms print from (``core/data/countries.csv``: ISO 3166-1 codes and the Japanese names the
在留カード writes; sources and licences in NOTICE).

- :func:`by_code` — the entry of a stored code (ISO alpha-2, or XC 朝鮮, XS 無国籍, XK
  コソボ); alpha-3 and numeric codes are accepted too.
- :func:`resolve` — the one entry a text names exactly: a code, the Japanese name, its
  reading (hiragana or katakana), an alias (full or former name: アメリカ合衆国, 大韓民国,
  グルジア) or the English name; ``None`` when it names none (the caller keeps the text
  and flags it).
- :func:`search` — the picker's candidates for what a clerk has typed so far, in kana,
  kanji, romaji (IME off: ``betonamu``, ``kankoku``; any spelling, ``core.romaji``),
  English or code, best first.

Pure: no Django, no database.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import romaji
from .text import is_kana, kana_key

DATA = Path(__file__).parent / "data" / "countries.csv"
UNKNOWN = "XX"  # the register's "not known" (a foreign resident whose code is not given)
JAPAN = "JP"
# The nationalities most often met at a Japanese counter (在留外国人統計, largest first): on
# equal matches they are offered first.
COMMON = (
    "CN", "VN", "KR", "PH", "BR", "NP", "ID", "MM", "TW", "US", "LK", "TH", "IN", "BD",
    "PK", "XC", "PE", "KH", "MN", "UZ", "GB", "FR", "CA", "AU", "DE", "RU", "MY", "TR",
)  # fmt: skip


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or XC / XS / XK
    alpha3: str
    numeric: str
    name: str  # 国籍・地域 as the 在留カード writes it: printed
    kana: str  # the reading of a name with kanji ("" when the name is its own reading)
    name_en: str
    aliases: tuple[str, ...]

    @property
    def reading(self) -> str:
        return self.kana or self.name

    @property
    def label(self) -> str:
        """How the picker shows it: 「ベトナム（VN）」."""
        return f"{self.name}（{self.code}）"


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    with DATA.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple(
            Country(
                *(r[k] for k in ("code", "alpha3", "numeric", "name_ja", "kana", "name_en")),
                tuple(a for a in r["aliases"].split("|") if a),
            )
            for r in rows
        )


def _ascii(text: str) -> str:
    """Full-width ASCII made half-width, trimmed."""
    return "".join(
        chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in (text or "")
    ).strip()


@lru_cache(maxsize=1)
def _by_any_code() -> dict[str, Country]:
    out: dict[str, Country] = {}
    for c in countries():
        for key in (c.code, c.alpha3, c.numeric):
            if key:
                out[key.upper()] = c
    return out


def by_code(code: str) -> Country | None:
    """The entry of a code (alpha-2, alpha-3 or numeric; case and width ignored)."""
    key = _ascii(code).upper()
    if key.isdigit():
        key = key.zfill(3)
    return _by_any_code().get(key)


def name_of(code: str) -> str:
    """The 国籍・地域 name of a code; "" when the code is not in the list."""
    c = by_code(code)
    return c.name if c else ""


@lru_cache(maxsize=1)
def _keys() -> list[tuple[Country, dict[str, list[str]]]]:
    """Per entry its match keys: kanji/kana names, folded readings, romaji, English."""
    out = []
    for c in countries():
        names = [c.name, *c.aliases]
        readings = [c.reading, *(a for a in c.aliases if is_kana(a))]
        english = [c.name_en.casefold(), *(a.casefold() for a in c.aliases if a.isascii())]
        out.append(
            (
                c,
                {
                    "name": [n for n in names if not n.isascii()],
                    "kana": [kana_key(r) for r in readings],
                    "romaji": [romaji.reading_key(r) for r in readings],
                    "english": english,
                    "english_words": [w for e in english for w in re.split(r"[^a-z]+", e) if w],
                },
            )
        )
    return out


def resolve(text: str) -> Country | None:
    """The one entry ``text`` names exactly (code, name, reading, alias, English name);
    None when it names none or several."""
    raw = (text or "").strip()
    if not raw:
        return None
    found = by_code(raw) if _ascii(raw).isalnum() and len(_ascii(raw)) <= 3 else None
    if found:
        return found
    hits = {c.code: c for c, _score in _scored(raw) if _score == 0}
    return next(iter(hits.values())) if len(hits) == 1 else None


def _scored(query: str) -> list[tuple[Country, int]]:
    """(entry, score) for every entry the query matches: 0 exact, 1 a name or reading
    begins with it, 2 an English word begins with it, 3 contains it."""
    q = query.strip()
    asc = _ascii(q)
    out: list[tuple[Country, int]] = []
    if not q:
        return out
    kana_q = kana_key(q) if is_kana(q) else ""
    roman_q = romaji.key(asc) if asc.isascii() else ""
    if sum(ch.isalpha() for ch in asc) < 2:  # one letter matches half the list: codes, English
        roman_q = ""
    roman_starts = romaji.typed_keys(asc) if roman_q else ()
    eng_q = asc.casefold() if asc.isascii() else ""
    for c, keys in _keys():
        scores = []
        if asc.upper() in (c.code, c.alpha3) or (asc.isdigit() and asc.zfill(3) == c.numeric):
            scores.append(0)
        for n in keys["name"]:
            scores.append(0 if n == q else 1 if n.startswith(q) else 3 if q in n else 9)
        if kana_q:
            for k in keys["kana"]:
                scores.append(0 if k == kana_q else 1 if k.startswith(kana_q) else 9)
        if roman_q:
            for r in keys["romaji"]:
                starts = any(r.startswith(k) for k in roman_starts)
                scores.append(0 if r == roman_q else 1 if starts else 9)
        if eng_q:
            for e in keys["english"]:
                scores.append(0 if e == eng_q else 1 if e.startswith(eng_q) else 9)
            if len(eng_q) >= 2:
                for w in keys["english_words"]:
                    scores.append(2 if w.startswith(eng_q) else 9)
        best = min(scores, default=9)
        if best < 9:
            out.append((c, best))
    return out


def search(query: str, limit: int = 8) -> list[Country]:
    """The picker's candidates, best first: exact matches, then names and readings that
    begin with the query, then English words, then names containing it; on equal terms
    the nationalities most often met (:data:`COMMON`), then the 50音 order."""
    common = {code: i for i, code in enumerate(COMMON)}
    scored = _scored(query)
    scored.sort(
        key=lambda cs: (cs[1], common.get(cs[0].code, len(common)), kana_key(cs[0].reading))
    )
    return [c for c, _score in scored[:limit]]
