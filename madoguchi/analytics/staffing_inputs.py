"""Simulation scenarios from what was recorded (a period's arrivals per hour and event
mix) or from what the manager types (``9:60, 10:50 …`` arrivals per hour)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from .rollups import Acc, collect
from .staffing import Scenario, StaffingError


def scenario_from_period(
    start: date, end: date, group: str = "", service_minutes: float | None = None
) -> Scenario:
    """Arrivals per hour of the busiest weekday of the period (averaged over its days)
    and the recorded service time of each life event, weighted by its visits."""
    data = collect(start, end, group or None)
    days_open: dict[int, set[date]] = {}
    for day, acc in data.per_day.items():
        if acc.n:
            days_open.setdefault(day.weekday(), set()).add(day)
    per_weekday: dict[int, Acc] = {}
    hours: dict[int, dict[int, int]] = {}
    for (_g, dim, key), acc in data.table.items():
        if dim == "weekday_hour":
            wd, h = (int(x) for x in key.split("-"))
            hours.setdefault(wd, {})[h] = acc.n
            per_weekday.setdefault(wd, Acc()).n += acc.n
    if not per_weekday:
        raise StaffingError(_("この期間には来庁の実績がありません"), "period")
    busiest = max(
        per_weekday, key=lambda wd: per_weekday[wd].n / max(1, len(days_open.get(wd, ())))
    )
    n_days = max(1, len(days_open.get(busiest, ())))
    arrivals = {h: c / n_days for h, c in sorted(hours[busiest].items())}
    if service_minutes:
        mix = [(1.0, service_minutes)]
    else:
        mix = [
            (acc.n, acc.service_seconds / acc.n / 60)
            for (_g, dim, _k), acc in data.table.items()
            if dim == "purpose" and acc.n and acc.service_seconds
        ]
    if not mix:
        raise StaffingError(
            _("対応時間の実績がありません（平均対応時間を入力してください）"), "service"
        )
    return Scenario(arrivals, mix, cv=0.8)


def scenario_from_text(
    text: str, service_minutes: float | None, recorded_mix: list[tuple[float, float]] = ()
) -> Scenario:
    """``9:60, 10:50, 11:40`` (hour:arrivals) or one number for every opening hour; the
    service time typed, or else the recorded event mix (``recorded_mix``)."""
    if service_minutes is not None and service_minutes <= 0:
        raise StaffingError(_("平均対応時間（分）を正の数で入力してください"), "service")
    if not service_minutes and not recorded_mix:
        raise StaffingError(_("平均対応時間（分）を正の数で入力してください"), "service")
    mix = [(1.0, service_minutes)] if service_minutes else list(recorded_mix)
    text = text.replace("、", ",").replace("：", ":")
    if ":" not in text:
        try:
            flat = Scenario.flat(float(text), 1.0)
            return Scenario(flat.arrivals, mix, cv=0.8)
        except ValueError:
            raise StaffingError(_("到着数は数字で入力してください"), "arrivals") from None
    arrivals = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            h, rate = part.split(":")
            hour, value = int(h), float(rate)
        except ValueError:
            raise StaffingError(
                _("「%(p)s」を読めません（例: 9:60, 10:50）") % {"p": part}, "arrivals"
            ) from None
        if not 0 <= hour <= 23 or value < 0:
            raise StaffingError(_("「%(p)s」の時刻または件数が不正です") % {"p": part}, "arrivals")
        arrivals[hour] = value
    return Scenario(arrivals, mix, cv=0.8)
