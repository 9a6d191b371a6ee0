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
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
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


def _whole_months(start: date, end: date, today: date) -> list[date]:
    """First days of the closed months that lie wholly inside [start, end]."""
    out = []
    m = start.replace(day=1)
    while m <= end:
        me = _month_end(m)
        if m >= start and me <= end and me < today:
            out.append(m)
        m = me + timedelta(days=1)
    return out


def plan(start: date, end: date, today: date) -> tuple[list[date], list[date], list[date]]:
    """How [start, end] is read: whole closed months, then whole closed weeks (Monday to
    Sunday) among the days left, then single closed days. Today is computed live."""
    months = _whole_months(start, end, today)
    covered = {m.replace(day=1) for m in months}
    left = []
    day = start
    while day <= min(end, today - timedelta(days=1)):
        if day.replace(day=1) not in covered:
            left.append(day)
        day += timedelta(days=1)
    free = set(left)
    weeks = [
        d for d in left
        if d.weekday() == 0 and all(d + timedelta(days=i) in free for i in range(7))
    ]  # fmt: skip
    in_weeks = {w + timedelta(days=i) for w in weeks for i in range(7)}
    return months, weeks, [d for d in left if d not in in_weeks]


def ensure(start: date, end: date, today: date | None = None) -> int:
    """Build the missing rollups of the closed days and whole months in [start, end]."""
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
    months, weeks, _days = plan(start, end, today)
    for grain, firsts, span in ((Grain.MONTH, months, None), (Grain.WEEK, weeks, 6)):
        marked = set(
            RollupMark.objects.filter(grain=grain, period__in=firsts)
            .values_list("period", flat=True)
        )  # fmt: skip
        for first_ in firsts:
            if first_ not in marked:
                last = _month_end(first_) if span is None else first_ + timedelta(days=span)
                build_span(grain, first_, last)
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


def collect(start: date, end: date, group: str | None = None, today: date | None = None):
    """The figures of [start, end]: month rows for whole closed months, day rows for the
    other closed days, today's computed live; plus the visits of every day (a light
    query on the day totals) for the per-day chart."""
    today = today or timezone.localdate()
    ensure(start, end, today)
    table: Table = defaultdict(Acc)
    per_day: dict[date, Acc] = defaultdict(Acc)
    months, weeks, days = plan(start, end, today)
    qs = Rollup.objects.filter(municipality_code=municipality_code())
    if group:
        qs = qs.filter(group=group)
    full = (
        Q(grain=Grain.MONTH, period__in=months)
        | Q(grain=Grain.WEEK, period__in=weeks)
        | Q(grain=Grain.DAY, period__in=days)
    )
    # dimensions shown as counts only are read without their histograms (the bulk of
    # the bytes), the others with them
    for values in qs.filter(full).exclude(dim__in=COUNT_ONLY_DIMS).values_list(*ROW_FIELDS):
        table[("", values[1], values[2])].merge(_acc(values))
    for values in qs.filter(full, dim__in=COUNT_ONLY_DIMS).values_list(*ROW_FIELDS[:-2]):
        table[("", values[1], values[2])].merge(_acc((*values, [], [])))
    for period, n, cancelled in qs.filter(
        grain=Grain.DAY, dim="total", period__gte=start, period__lte=end
    ).values_list("period", "n", "cancelled"):
        per_day[period].n += n
        per_day[period].cancelled += cancelled
    if start <= today <= end:
        for (group_, dim, key), acc in day_table(today).items():
            if group and group_ != group:
                continue
            table[("", dim, key)].merge(acc)
            if dim == "total":
                per_day[today].merge(acc)
    return Collected(table=dict(table), per_day=dict(per_day))
