"""Rollups: the counter figures of each closed day and month, built from the visits.

A closed day is rolled up once (``build_days``) from its tickets, visits, time segments,
tasks and printed bundles; a closed week or month is the sum of its days (``build_span``).
``collect`` answers any period from month rows where whole months fit, week rows where
whole weeks fit among the days left, day rows for the rest and today's figures computed
live (``plan``), so the dashboard reads a few thousand rows whatever the number of
visits. The rows hold no personal data.

Cancelled visits (and tickets that never reached the end) count in ``cancelled`` only.
"""

from __future__ import annotations

import calendar
import json
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Grain, Rollup, RollupMark, SegmentKind
from .sources import visits

HIST_CAP = 240  # buckets: whole minutes (hours for task turnaround); the last holds the rest
COUNTER_SEGMENTS = (
    SegmentKind.WAITING,
    SegmentKind.CALLED,
    SegmentKind.INTERVIEW,
    SegmentKind.PRINTING,
)
VISIT_DIMS = ("total", "hour", "weekday_hour", "purpose", "counter", "clerk", "procedures")
SUM_FIELDS = (
    "n",
    "cancelled",
    "done",
    "procedures",
    "forms",
    "chars",
    "one_counter",
    "left_open",
    "at_counter",
    "wait_seconds",
    "service_seconds",
)


def municipality_code() -> str:
    return Rollup._meta.get_field("municipality_code").default


# ------------------------------------------------------------------ histograms


def hist_add(hist: list[int], value: float, count: int = 1) -> None:
    b = min(HIST_CAP, max(0, int(value)))
    if len(hist) <= b:
        hist.extend([0] * (b + 1 - len(hist)))
    hist[b] += count


def hist_merge(into: list[int], other: list[int]) -> None:
    n = len(other)
    if len(into) < n:
        into.extend([0] * (n - len(into)))
    into[:n] = map(operator.add, into[:n], other)


def hist_quantile(hist: list[int], q: float) -> float | None:
    """The q-quantile, linear within the bucket ([b, b+1) units); None when empty."""
    total = sum(hist)
    if not total:
        return None
    target = q * total
    seen = 0
    for b, c in enumerate(hist):
        if c and seen + c >= target:
            return b + (target - seen) / c
        seen += c
    return float(len(hist))


# ------------------------------------------------------------------ accumulation


@dataclass
class Acc:
    n: int = 0
    cancelled: int = 0
    done: int = 0
    procedures: int = 0
    forms: int = 0
    chars: int = 0
    one_counter: int = 0
    left_open: int = 0
    at_counter: int = 0  # procedures handled at the counter (同席・窓口で完了)
    wait_seconds: int = 0
    service_seconds: int = 0
    hist_wait: list[int] = field(default_factory=list)
    hist_service: list[int] = field(default_factory=list)

    def merge(self, other) -> None:
        for f in SUM_FIELDS:
            setattr(self, f, getattr(self, f) + getattr(other, f))
        hist_merge(self.hist_wait, other.hist_wait)
        hist_merge(self.hist_service, other.hist_service)


Table = dict[tuple[str, str, str], Acc]  # (group, dim, key) → figures


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    return start, datetime.combine(last, time.min, tzinfo=tz) + timedelta(days=1)


def day_table(day: date) -> Table:
    """Every figure of one day, computed from the visits (today's live figures)."""
    return day_tables(day, day).get(day, defaultdict(Acc))


def day_tables(first: date, last: date) -> dict[date, Table]:
    """Every figure of each day in [first, last], computed from the visits (read through
    the provider the counter registers: it sits above analytics)."""
    return visits().day_tables(first, last)


def _save(grain: str, tables: dict[date, Table]) -> None:
    from .bulk import Writer

    code = municipality_code()
    with transaction.atomic():
        periods = list(tables)
        Rollup.objects.filter(municipality_code=code, grain=grain, period__in=periods).delete()
        RollupMark.objects.filter(municipality_code=code, grain=grain, period__in=periods).delete()
        w = Writer(Rollup, RollupMark)
        now = timezone.now()
        for period, table in tables.items():
            for (group, dim, key), a in table.items():
                w.add(
                    Rollup,
                    municipality_code=code,
                    grain=grain,
                    period=period,
                    group=group,
                    dim=dim,
                    key=key,
                    hist_wait=a.hist_wait,
                    hist_service=a.hist_service,
                    **{f: getattr(a, f) for f in SUM_FIELDS},
                )
            w.add(RollupMark, municipality_code=code, grain=grain, period=period, built_at=now)
        w.flush()
        w.reset_sequences()


def build_days(first: date, last: date) -> None:
    """Roll up every day in [first, last] (a day without visits gets its mark only)."""
    tables = dict(day_tables(first, last))
    day = first
    while day <= last:
        tables.setdefault(day, {})
        day += timedelta(days=1)
    _save(Grain.DAY, tables)


def build_day(day: date) -> None:
    build_days(day, day)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def build_span(grain: str, first: date, last: date) -> None:
    """Sum the day rows of [first, last] (build them first) into rows of ``grain``."""
    table: Table = defaultdict(Acc)
    for values in Rollup.objects.filter(
        grain=Grain.DAY, period__gte=first, period__lte=last
    ).values_list(*ROW_FIELDS):
        table[(values[0], values[1], values[2])].merge(_acc(values))
    _save(grain, {first: table})


def build_month(first: date) -> None:
    build_span(Grain.MONTH, first, _month_end(first))


def first_day() -> date | None:
    return visits().first_day()


def _quarter_end(first: date) -> date:
    return _month_end(first.replace(month=first.month + 2))


def _whole(start: date, end: date, today: date, first_of, end_of) -> list[date]:
    """First days of the closed spans (``first_of`` the span of a day, ``end_of`` its
    last day) that lie wholly inside [start, end]."""
    out = []
    span = first_of(start)
    while span <= end:
        last = end_of(span)
        if span >= start and last <= end and last < today:
            out.append(span)
        span = last + timedelta(days=1)
    return out


def _span_days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


@dataclass
class Plan:
    quarters: list[date]
    months: list[date]
    weeks: list[date]
    days: list[date]

    def spans(self):
        """(grain, first days, last day of a span) of the summed grains."""
        return (
            (Grain.QUARTER, self.quarters, _quarter_end),
            (Grain.MONTH, self.months, _month_end),
            (Grain.WEEK, self.weeks, lambda d: d + timedelta(days=6)),
        )


def plan(start: date, end: date, today: date) -> Plan:
    """How [start, end] is read: whole closed calendar quarters, then whole closed months
    among the days left, then whole closed weeks (Monday to Sunday), then single closed
    days — each closed day once, in the fewest rows. Today is computed live."""
    quarters = _whole(
        start, end, today, lambda d: d.replace(month=d.month - (d.month - 1) % 3, day=1),
        _quarter_end,
    )  # fmt: skip
    covered = set().union(*(_span_days(q, _quarter_end(q)) for q in quarters))
    months = [
        m
        for m in _whole(start, end, today, lambda d: d.replace(day=1), _month_end)
        if m not in covered
    ]
    covered |= set().union(*(_span_days(m, _month_end(m)) for m in months))
    left = []
    day = start
    while day <= min(end, today - timedelta(days=1)):
        if day not in covered:
            left.append(day)
        day += timedelta(days=1)
    free = set(left)
    weeks = [
        d for d in left
        if d.weekday() == 0 and all(d + timedelta(days=i) in free for i in range(7))
    ]  # fmt: skip
    in_weeks = {w + timedelta(days=i) for w in weeks for i in range(7)}
    return Plan(quarters, months, weeks, [d for d in left if d not in in_weeks])


def ensure(start: date, end: date, today: date | None = None) -> int:
    """Build the missing rollups of the closed days, weeks, months and quarters that
    [start, end] is read from."""
    today = today or timezone.localdate()
    first = first_day()
    if first is None:
        return 0
    lo, hi = max(start, first), min(end, today - timedelta(days=1))
    built = 0
    if lo <= hi:
        marks = set(
            RollupMark.objects.filter(grain=Grain.DAY, period__gte=lo, period__lte=hi)
            .values_list("period", flat=True)
        )  # fmt: skip
        missing = []
        day = lo
        while day <= hi:
            if day not in marks:
                missing.append(day)
            day += timedelta(days=1)
        # consecutive missing days are built together, a month at most per pass
        while missing:
            run = [missing.pop(0)]
            while missing and missing[0] == run[-1] + timedelta(days=1) and len(run) < 31:
                run.append(missing.pop(0))
            build_days(run[0], run[-1])
            built += len(run)
    for grain, firsts, last_of in plan(start, end, today).spans():
        marked = set(
            RollupMark.objects.filter(grain=grain, period__in=firsts)
            .values_list("period", flat=True)
        )  # fmt: skip
        for first_ in firsts:
            if first_ not in marked:
                build_span(grain, first_, last_of(first_))
    return built


# ------------------------------------------------------------------ reading


@dataclass
class Collected:
    table: Table  # (dim, key) across the chosen groups → figures
    per_day: dict[date, Acc]  # dim "total" per day


ROW_FIELDS = ("group", "dim", "key", *SUM_FIELDS, "hist_wait", "hist_service")
COUNT_ONLY_DIMS = ("weekday_hour", "procedures")  # the dashboard shows no time for these


def _acc(values) -> Acc:
    acc = Acc(*values[3 : 3 + len(SUM_FIELDS)])
    acc.hist_wait, acc.hist_service = values[-2] or [], values[-1] or []
    return acc


def _hist(value) -> list[int]:
    """A histogram column as read by a raw cursor: JSON text (or already a list)."""
    if not value:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def _read(qs, fields, into: dict) -> None:
    """Sum the rows of ``qs`` into ``into`` ((dim, key) → [sums…, hist_wait,
    hist_service]). The rows are read with a plain cursor and the sums added as lists:
    a year is a few thousand rows, and the ORM's per-row conversion was most of the
    dashboard's time."""
    try:
        sql, params = qs.values_list(*fields).query.sql_with_params()
    except EmptyResultSet:  # no closed span in the period (today only)
        return
    width = len(SUM_FIELDS)
    with_hists = len(fields) > 3 + width
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            key = (row[1], row[2])
            acc = into.get(key)
            sums = row[3 : 3 + width]
            if acc is None:
                into[key] = acc = [list(sums), [], []]
            else:
                acc[0] = [a + b for a, b in zip(acc[0], sums, strict=True)]
            if with_hists:
                if row[-2]:
                    hist_merge(acc[1], _hist(row[-2]))
                if row[-1]:
                    hist_merge(acc[2], _hist(row[-1]))


def collect(start: date, end: date, group: str | None = None, today: date | None = None):
    """The figures of [start, end]: quarter, month and week rows for the whole closed
    spans, day rows for the other closed days, today's computed live (``plan``); plus
    the visits of every day (a light query on the day totals) for the per-day chart."""
    today = today or timezone.localdate()
    ensure(start, end, today)
    p = plan(start, end, today)
    qs = Rollup.objects.filter(municipality_code=municipality_code())
    if group:
        qs = qs.filter(group=group)
    full = Q(grain=Grain.DAY, period__in=p.days)
    for grain, firsts, _last in p.spans():
        full |= Q(grain=grain, period__in=firsts)
    sums: dict = {}
    # dimensions shown as counts only are read without their histograms (the bulk of
    # the bytes), the others with them
    _read(qs.filter(full).exclude(dim__in=COUNT_ONLY_DIMS), ROW_FIELDS, sums)
    _read(qs.filter(full, dim__in=COUNT_ONLY_DIMS), ROW_FIELDS[:-2], sums)
    table: Table = {}
    for (dim, key), (values, hist_wait, hist_service) in sums.items():
        acc = Acc(*values)
        acc.hist_wait, acc.hist_service = hist_wait, hist_service
        table[("", dim, key)] = acc
    per_day: dict[date, Acc] = defaultdict(Acc)
    for period, n, cancelled in qs.filter(
        grain=Grain.DAY, dim="total", period__gte=start, period__lte=end
    ).values_list("period", "n", "cancelled"):
        per_day[period].n += n
        per_day[period].cancelled += cancelled
    if start <= today <= end:
        for (group_, dim, key), acc in day_table(today).items():
            if group and group_ != group:
                continue
            table.setdefault(("", dim, key), Acc()).merge(acc)
            if dim == "total":
                per_day[today].merge(acc)
    return Collected(table=table, per_day=dict(per_day))
