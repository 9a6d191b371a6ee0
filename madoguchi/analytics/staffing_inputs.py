"""Simulation scenarios from what was recorded (a period's arrivals per hour and event
mix) or from what the manager types (``9:60, 10:50 …`` arrivals per hour; ``転入:40,
転出:30 …`` an event mix whose service times are the period's recorded ones)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from .rollups import Acc, collect
from .staffing import Scenario, StaffingError


def recorded_services(data) -> dict[str, tuple[int, float]]:
    """Life event (or ``certificate``) → (visits, mean counter service minutes) recorded
    in the collected period."""
    return {
        key: (acc.n, acc.service_seconds / acc.n / 60)
        for (_g, dim, key), acc in data.table.items()
        if dim == "purpose" and acc.n and acc.service_seconds
    }


def _purpose_names() -> dict[str, str]:
    """Every purpose a ticket can have, by id → its name on the page."""
    from madoguchi.catalog import labels
    from madoguchi.catalog.loader import current_catalog

    names = {key: str(labels.event_name(key)) for key in current_catalog().events}
    names["certificate"] = _("証明書の請求")
    return names


def parse_mix(
    text: str, recorded: dict[str, tuple[int, float]]
) -> tuple[list[tuple[float, float]], list[str]]:
    """``転入:40, 転出:30, 証明書:30`` (or catalog ids: ``move_in:40``) → the mix of
    (share, recorded service minutes of that event). A name may be the event's full
    name, its id or the start of one name only; an event without a recorded service
    time in the period is an error naming it. Returns the mix and the events' names."""
    names = _purpose_names()
    mix, named = [], []
    text = text.replace("、", ",").replace("：", ":")
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.rpartition(":")
        try:
            if not sep or not name.strip():
                raise ValueError
            share = float(value)
        except ValueError:
            raise StaffingError(
                _("「%(p)s」を読めません（例: 転入:40, 転出:30）") % {"p": part}, "mix"
            ) from None
        name = name.strip()
        if share <= 0:
            raise StaffingError(_("「%(p)s」の割合は正の数で入力してください") % {"p": part}, "mix")
        keys = [k for k, label in names.items() if name in (k, label)] or [
            k for k, label in names.items() if label.startswith(name)
        ]
        if not keys:
            raise StaffingError(_("「%(n)s」に当たる用件がありません") % {"n": name}, "mix")
        if len(keys) > 1:
            raise StaffingError(
                _("「%(n)s」に当たる用件が複数あります（%(k)s）")
                % {"n": name, "k": "、".join(names[k] for k in keys)},
                "mix",
            )
        if keys[0] not in recorded:
            raise StaffingError(
                _(
                    "「%(n)s」の対応時間の実績がこの期間にありません（平均対応時間を入力してください）"
                )
                % {"n": names[keys[0]]},
                "mix",
            )
        mix.append((share, recorded[keys[0]][1]))
        named.append(names[keys[0]])
    if not mix:
        raise StaffingError(_("用件構成を入力してください（例: 転入:40, 転出:30）"), "mix")
    return mix, named


def scenario_from_period(
    start: date,
    end: date,
    group: str = "",
    service_minutes: float | None = None,
    mix_text: str = "",
) -> Scenario:
    """Arrivals per hour of the busiest weekday of the period (averaged over its days)
    and the recorded service time of each life event, weighted by its visits (or by the
    shares of ``mix_text``)."""
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
    names: list[str] = []
    if service_minutes:
        mix = [(1.0, service_minutes)]
    elif mix_text:
        mix, names = parse_mix(mix_text, recorded_services(data))
    else:
        recorded = recorded_services(data)
        purpose = _purpose_names()
        mix, names = list(recorded.values()), [purpose.get(k, k) for k in recorded]
    if not mix:
        raise StaffingError(
            _("対応時間の実績がありません（平均対応時間を入力してください）"), "service"
        )
    return Scenario(arrivals, mix, cv=0.8, names=names)


def scenario_from_text(
    text: str,
    service_minutes: float | None,
    recorded_mix: list[tuple[float, float]] = (),
    names: list[str] = (),
) -> Scenario:
    """``9:60, 10:50, 11:40`` (hour:arrivals) or one number for every opening hour; the
    service time typed, or else the recorded event mix (``recorded_mix``, its events'
    ``names``)."""
    if service_minutes is not None and service_minutes <= 0:
        raise StaffingError(_("平均対応時間（分）を正の数で入力してください"), "service")
    if not service_minutes and not recorded_mix:
        raise StaffingError(_("平均対応時間（分）を正の数で入力してください"), "service")
    mix = [(1.0, service_minutes)] if service_minutes else list(recorded_mix)
    names = [] if service_minutes else list(names)
    text = text.replace("、", ",").replace("：", ":")
    if ":" not in text:
        try:
            flat = Scenario.flat(float(text), 1.0)
            return Scenario(flat.arrivals, mix, cv=0.8, names=names)
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
    return Scenario(arrivals, mix, cv=0.8, names=names)
