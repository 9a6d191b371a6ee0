"""Counting a deadline from a catalog entry (民法 140条・143条).

A catalog deadline is ``{days: N}`` (N days after the start; the start day itself not
counted; ``counting: including_event_day`` counts it, as 出生届 does; a negative N is a
day before the start: ``days: -1`` is "the day before departure"), or ``{months: N}`` in
calendar months: the day of the N-th following month with the start's day number, or
the last day of that month when it has no such day or when the start is the last day of
its month (2027-02-01 → 2027-05-01, 2027-11-30 → 2028-02-29, 2027-04-30 → 2027-07-31).
``from: <event detail>`` starts from that date of the situation when it is given
(``planned_move_out_date``), else from ``event_date``.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# event details a deadline may start from (dates of the situation)
DEADLINE_STARTS = ("planned_move_out_date",)
COUNTINGS = ("after_event", "including_event_day")


def add_months(start: date, months: int) -> date:
    """The last day of a period of ``months`` calendar months from ``start`` (民法143条)."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    start_is_last = start.day == calendar.monthrange(start.year, start.month)[1]
    return date(year, month, last if start_is_last or start.day > last else start.day)


def deadline_date(deadline: dict, situation: dict) -> date | None:
    """The last day of ``deadline`` for a validated situation, or None if it gives none."""
    start = situation.get(deadline.get("from") or "") or situation["event_date"]
    if deadline.get("months") is not None:
        return add_months(start, deadline["months"])
    days = deadline.get("days")
    if days is None:
        return None
    if deadline.get("counting") == "including_event_day":
        return start + timedelta(days=days - 1)
    return start + timedelta(days=days)
