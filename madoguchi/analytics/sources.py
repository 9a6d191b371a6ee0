"""The interface through which analytics reads the counter's visits.

The counter and the tasks it routes sit above analytics in the layer order (they stamp
its time segments), so analytics neither imports them nor reads their tables by name.
Analytics owns this interface; the counter registers its provider when the app starts
(``CounterConfig.ready``): the figures of a range of days, the first day with a visit,
and the counter groups. Without a provider (the counter not installed) there are no
visits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class VisitSource:
    #: (first, last) → {day: {(group, dim, key): rollups.Acc}} for every day in the range
    day_tables: Callable[[date, date], dict]
    #: the first day a ticket was issued (None: no visit yet)
    first_day: Callable[[], date | None]
    #: the counter groups, as (value, label) choices
    groups: Callable[[], list[tuple[str, str]]]


NO_VISITS = VisitSource(day_tables=lambda first, last: {}, first_day=lambda: None,
                        groups=lambda: [])  # fmt: skip

_registered: VisitSource | None = None


def register(source: VisitSource) -> None:
    global _registered
    _registered = source


def visits() -> VisitSource:
    return _registered or NO_VISITS
