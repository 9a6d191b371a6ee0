"""Counting a deadline from a catalog entry (民法 140条・143条).

A catalog deadline is ``{days: N}`` (N days after the start; the start day itself not
counted; ``counting: including_event_day`` counts it, as 出生届 does; a negative N is a
day before the start: ``days: -1`` is "the day before departure"), or ``{months: N}`` in
calendar months: the day of the N-th following month with the start's day number, or
the last day of that month when it has no such day or when the start is the last day of
its month (2027-02-01 → 2027-05-01, 2027-11-30 → 2028-02-29, 2027-04-30 → 2027-07-31).
``from: <event detail>`` starts from that date of the situation when it is given
(``planned_move_out_date``, ``death_known_date``), else from ``event_date``.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# event details a deadline may start from (dates of the situation)
DEADLINE_STARTS = ("planned_move_out_date", "death_known_date")
# Of those, the starts the register cannot know and the counter asks — only when the
# deadline counted from the event date itself has passed (asked_start below): the day the
# 届出人 learned of a death (戸籍法 86条1項「死亡の事実を知った日から7日以内」).
ASKED_STARTS = ("death_known_date",)
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


# ---------------------------------------------------------------- the notification date
#
# The counter checks the 異動日 against the day the notification is made (届出日): how
# far ahead an event may be notified, and which deadlines the notification already
# missed. One place for both, so the counter screen, the API, the guide sheet and the
# department queue agree.

# How many days before the event its notification may be made is the catalog's, dated
# data the departments own: an event's ``advance_window_days`` in events.yaml (転出 is
# notified before the move, 住民基本台帳法 24条「あらかじめ」, from about 14 days ahead in
# practice, 住民基本台帳事務処理要領). An event without it is notified after it happened:
# a 転入, 転居 or 世帯変更 from the day of the move or change (22・23・25条), a birth or a
# death after the fact. ``advance_window_days`` below is the one reader.

# Late notifications under these laws may be fined (過料: 住民基本台帳法 52条2項, 戸籍法
# 137条) and the municipality reports them to the 簡易裁判所 (届出期間経過通知書); a
# procedure is under one of them when its legal basis starts with the law's name.
COURT_NOTICE_LAWS = ("住民基本台帳法", "戸籍法")


def municipal_holiday(day: date) -> bool:
    """The municipality's closing days (地方自治法 4条の2, the city's 休日条例): Saturday,
    Sunday, national holidays and 12月29日〜1月3日."""
    import jpholiday

    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return True
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def effective_deadline(deadline: date) -> date:
    """The last day a notification is in time: a deadline on a closing day moves to the
    next open day (地方自治法 4条の2第4項; 民法 142条)."""
    day = deadline
    while municipal_holiday(day):
        day += timedelta(days=1)
    return day


def overdue(deadline: date | str | None, on: date) -> bool:
    """Whether a notification made on ``on`` misses ``deadline`` (期限超過): the department
    queue, the counter screen and the guide sheet all ask this."""
    if not deadline:
        return False
    if isinstance(deadline, str):
        deadline = date.fromisoformat(deadline)
    return on > effective_deadline(deadline)


def advance_window_days(catalog, event: str, on: date) -> int:
    """How many days before the event a notification made on ``on`` may be: the
    catalog's ``advance_window_days`` of the event in force on that 届出日 (0 when the
    catalog gives none: the event must have happened)."""
    found = getattr(catalog, "events", {}).get(event) if catalog is not None else None
    for window in getattr(found, "advance_windows", ()) or ():
        if window.in_force(on):
            return window.days
    return 0


def advance_notice(catalog, event: str, event_date: date, notified_on: date) -> dict | None:
    """The 異動日 is further ahead of the notification than the catalog allows: ``None``
    when it is not, else ``{"event", "days_ahead", "allowed_days"}`` (``allowed_days`` 0:
    the event must have happened; more: it may be notified that many days ahead)."""
    ahead = (event_date - notified_on).days
    allowed = advance_window_days(catalog, event, notified_on)
    if ahead <= allowed:
        return None
    return {"event": event, "days_ahead": ahead, "allowed_days": allowed}


def asked_start(deadline: dict, event_date: date, on: date) -> str | None:
    """The event detail the counter must ask for this deadline on the 届出日 ``on``: a
    start the register cannot know (``ASKED_STARTS``: the day a death became known) when
    the deadline counted from the event date alone has passed, closing days included
    (a death on the 1st, notified after the 7th's open day: 「死亡の事実を知った日」 is
    asked; its answer, default the death date, starts the deadline). None otherwise."""
    start = (deadline or {}).get("from")
    if start not in ASKED_STARTS:
        return None
    if not overdue(deadline_date(deadline, {"event_date": event_date}), on):
        return None
    return start


def court_notice(legal_basis: str) -> bool:
    """A late notification under this legal basis is reported to the 簡易裁判所."""
    return (legal_basis or "").startswith(COURT_NOTICE_LAWS)
