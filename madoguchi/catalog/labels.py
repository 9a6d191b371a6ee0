"""Labels several apps show (the counter, the department task pages, the dashboard):
life events and departments by their catalog names (English on English pages), and a
rule's explanation as a clerk reads it. They live with the catalog they read."""

from __future__ import annotations

import re
from datetime import date

_PID = re.compile(r"\bp\d+\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _wareki_of(m: re.Match) -> str:
    from madoguchi.core.wareki import WarekiError, format_wareki

    try:
        return format_wareki(date(int(m[1]), int(m[2]), int(m[3])))
    except (ValueError, WarekiError):
        return m[0]


def because_text(text: str, names: dict[str, str]) -> str:
    """A rule's explanation as the clerk reads it: 「p1: … 1985-06-01 生まれ」 becomes
    「星野　健一: … 昭和60年6月1日 生まれ」 (the rules speak in person ids and ISO dates)."""
    from madoguchi.rules.facts import EVENTS

    parts = []
    for piece in text.split(" ／ "):  # a merged visit: 「marriage: … ／ move_within: …」
        head, sep, rest = piece.partition(": ")
        ids = head.split(", ")
        if sep and all(i in names for i in ids):
            piece = "、".join(names[i] for i in ids) + f": {because_text(rest, names)}"
        elif sep and head in EVENTS:
            piece = f"{event_name(head)}: {because_text(rest, names)}"
        parts.append(piece)
    text = _PID.sub(lambda m: names.get(m[0], m[0]), " ／ ".join(parts))
    return _ISO_DATE.sub(_wareki_of, text)


def event_name(event: str) -> str:
    """A life event's name from the catalog (「転入（国内の他市区町村から）」)."""
    from madoguchi.catalog.loader import current_catalog
    from madoguchi.catalog.templatetags.data_i18n import translated  # en: on English pages

    events = current_catalog().events
    return translated(events[event], "name") if event in events else event


def department_names() -> dict[str, str]:
    """Department id → its name in the page's language."""
    from madoguchi.catalog.loader import current_catalog
    from madoguchi.catalog.templatetags.data_i18n import translated

    return {k: translated(d, "name") for k, d in current_catalog().departments.items()}


def department_places() -> dict[str, str]:
    """Department id → where its counter is, in the page's language."""
    from madoguchi.catalog.loader import current_catalog
    from madoguchi.catalog.templatetags.data_i18n import translated

    return {k: translated(d, "place") or "" for k, d in current_catalog().departments.items()}
