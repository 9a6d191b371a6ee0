"""The schools a pupil may come from (``<catalog>/schools.yaml``), for the type-ahead
picker of 在籍校（前の学校）.

City data like the counter places and the parameters: a dated list in the catalog (each
school ``valid_from`` / ``valid_to``, inclusive, so a closed or merged school leaves the
list on its day), published and versioned with it. A city lists its own schools and
those of the municipalities its movers come from — the 文部科学省 学校コード list (as of
1 May each year) has every school of the country; the demo ships a small 見本 excerpt.

The picker ranks the pupil's former municipality first (the 転出証明書's former address),
then the school stage of the pupil's age on the visit's date (``rules.ages``), and
matches what the clerk types — romaji with the IME off (``sakura``: one key a letter, no
conversion; any spelling, ``core.romaji``), kana or kanji — against the school's reading
and name. A school not in the
list is typed as before: the field keeps free text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from madoguchi.catalog.yamlio import load_text
from madoguchi.core import romaji

FILE = "schools.yaml"
KINDS = {"小学校": "elementary", "中学校": "junior_high", "義務教育学校": "compulsory"}
KEYS = {"id", "name", "kana", "kind", "municipality", "valid_from", "valid_to"}


@dataclass(frozen=True)
class School:
    id: str
    name: str
    kana: str  # the reading of the name after the municipality's prefix (さくらまち…)
    kind: str  # 小学校 | 中学校 | 義務教育学校
    municipality: str  # 都道府県 + 市区町村, as the former address starts
    valid_from: date
    valid_to: date | None

    def in_force(self, d: date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)


class SchoolListError(ValueError):
    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__("\n".join(f"{FILE}:{line}: {msg}" for line, msg in problems))
        self.problems = problems


def _date(value, line: int, key: str, problems) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append((line, f"{key}: 日付（YYYY-MM-DD）ではありません: {value}"))
        return None


def parse(root: Path) -> tuple[School, ...]:
    """Read and check ``root/schools.yaml`` (absent: no list, the field stays free
    text); every problem names its line."""
    path = Path(root) / FILE
    try:
        data = load_text(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except yaml.YAMLError as exc:
        raise SchoolListError([(0, f"YAML の誤り: {exc}")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("schools"), list):
        raise SchoolListError([(getattr(data, "line", 1), "schools: の一覧がありません")])
    problems: list[tuple[int, str]] = []
    for key in sorted(set(data) - {"as_of", "source", "schools"}):
        problems.append((data.line, f"不明な項目: {key}（使える項目: as_of, source, schools）"))
    out: list[School] = []
    seen: dict[str, list[School]] = {}
    for raw in data["schools"]:
        line = getattr(raw, "line", 0)
        if not isinstance(raw, dict):
            problems.append((line, "学校は「項目: 値」の形で書いてください"))
            continue
        unknown = sorted(set(raw) - KEYS)
        if unknown:
            problems.append((line, f"不明な項目: {', '.join(unknown)}"))
        missing = [k for k in ("id", "name", "kana", "kind", "municipality", "valid_from")
                   if not raw.get(k)]  # fmt: skip
        if missing:
            problems.append((line, f"{raw.get('id', '?')}: {', '.join(missing)} がありません"))
            continue
        if raw["kind"] not in KINDS:
            problems.append((line, f"{raw['id']}: kind は {'・'.join(KINDS)} のどれかです"))
        kana = str(raw["kana"])
        if not all("\u3041" <= ch <= "\u309f" or ch == "ー" for ch in kana):
            problems.append((line, f"{raw['id']}: kana はひらがなで書いてください: {kana}"))
        start = _date(raw["valid_from"], line, "valid_from", problems)
        end = _date(raw["valid_to"], line, "valid_to", problems) if raw.get("valid_to") else None
        if start is None:
            continue
        if end is not None and end < start:
            problems.append((line, f"{raw['id']}: valid_to が valid_from より前です"))
        school = School(
            str(raw["id"]), str(raw["name"]), kana, str(raw["kind"]),
            str(raw["municipality"]), start, end,
        )  # fmt: skip
        for other in seen.get(school.id, []):
            if school.valid_from <= (other.valid_to or date.max) and other.valid_from <= (
                school.valid_to or date.max
            ):
                problems.append((line, f"{school.id}: 同じ学校の版の期間が重なっています"))
        seen.setdefault(school.id, []).append(school)
        out.append(school)
    if problems:
        raise SchoolListError(problems)
    return tuple(out)


def check(root: Path) -> list[tuple[int, str]]:
    """The problems of ``root/schools.yaml`` (``catalog check`` reports them)."""
    try:
        parse(root)
    except SchoolListError as exc:
        return exc.problems
    return []


@functools.lru_cache(maxsize=8)
def _cached(root: str) -> tuple[School, ...]:
    return parse(Path(root))


def schools_of(catalog) -> tuple[School, ...]:
    """The schools of a loaded catalog (a published version's unpacked folder)."""
    return _cached(str(catalog.path))


# ------------------------------------------------------------------ matching

_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def matches(school: School, typed: str) -> bool:
    typed = typed.strip()
    if not typed:
        return True
    if typed.translate(_HALF_WIDTH).isascii():  # romaji, IME off (full-width too)
        return romaji.starts(school.kana, typed)
    kana = _hiragana(typed)
    return school.kana.startswith(kana) or typed in school.name


def candidates(
    catalog, typed: str, on: date, former_address: str = "", stage: str | None = None,
    limit: int = 8,
) -> list[School]:  # fmt: skip
    """Schools in force on ``on`` matching ``typed``: the pupil's former municipality
    first, then the school stage of their age, then by reading."""
    wanted = {"elementary": ("小学校", "義務教育学校"), "junior_high": ("中学校", "義務教育学校")}
    found = [s for s in schools_of(catalog) if s.in_force(on) and matches(s, typed)]

    def rank(s: School):
        here = bool(former_address) and former_address.startswith(s.municipality)
        fits = stage is None or s.kind in wanted.get(stage, ())
        return (not here, not fits, s.kana)

    return sorted(found, key=rank)[:limit]
