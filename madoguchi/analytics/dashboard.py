"""The manager dashboard: every table and chart of a period, from the rollups.

One function (``build``) gives the page, the CSV export and the monthly report the same
figures. No resident appears anywhere: the rollups hold counts and durations only, and
clerks appear by their staff name (managers only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from . import charts, sections
from .models import SegmentKind
from .rollups import Acc, collect, hist_quantile

WEEKDAYS = [
    pgettext_lazy("weekday", "月"),
    pgettext_lazy("weekday", "火"),
    pgettext_lazy("weekday", "水"),
    pgettext_lazy("weekday", "木"),
    pgettext_lazy("weekday", "金"),
    pgettext_lazy("weekday", "土"),
    pgettext_lazy("weekday", "日"),
]


@dataclass
class Table:
    id: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict]
    chart: str = ""
    note: str = ""

    def cells(self) -> list[list]:
        return [[r.get(k) for k, _ in self.columns] for r in self.rows]


@dataclass
class Dashboard:
    start: date
    end: date
    group: str
    figures: dict
    tables: list[Table] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)


def _r(value, digits=1):
    if value is None:
        return None
    return round(value) if digits == 0 else round(value, digits)


def _times(a: Acc) -> dict:
    return {
        "wait_median": _r(hist_quantile(a.hist_wait, 0.5)),
        "wait_p90": _r(hist_quantile(a.hist_wait, 0.9)),
        "service_median": _r(hist_quantile(a.hist_service, 0.5)),
        "service_p90": _r(hist_quantile(a.hist_service, 0.9)),
    }


def _visit_row(a: Acc) -> dict:
    return {
        "visits": a.n,
        "cancelled": a.cancelled,
        **_times(a),
        "procedures_per_visit": _r(a.procedures / a.n if a.n else None, 2),
        "forms": a.forms,
        "chars": a.chars,
        "chars_per_visit": _r(a.chars / a.n if a.n else None, 0),
        "one_counter": a.one_counter,
        "left_open": a.left_open,
    }


def _time_columns() -> list[tuple[str, str]]:
    return [
        ("wait_median", _("待ち 中央値（分）")),
        ("wait_p90", _("待ち 90%値（分）")),
        ("service_median", _("対応 中央値（分）")),
        ("service_p90", _("対応 90%値（分）")),
    ]


def _labels():
    from madoguchi.catalog import labels
    from madoguchi.catalog.labels import department_names

    def purpose(key):
        return _("証明書の請求") if key == "certificate" else labels.event_name(key)

    return purpose, department_names()  # a broken catalog is the error page, not ids


def _clerk_names(ids) -> dict[str, str]:
    from madoguchi.accounts.models import Staff

    out = {}
    for s in Staff.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]):
        out[str(s.pk)] = s.display_name
    return out


def build(start: date, end: date, group: str = "", today: date | None = None) -> Dashboard:
    data = collect(start, end, group or None, today)
    by_dim: dict[str, dict[str, Acc]] = {}
    for (_g, dim, key), acc in data.table.items():
        by_dim.setdefault(dim, {})[key] = acc
    total = by_dim.get("total", {}).get("", Acc())
    purpose_label, departments = _labels()
    t = _times(total)
    figures = {
        "visits": total.n,
        "cancelled": total.cancelled,
        **t,
        "procedures": total.procedures,
        "procedures_per_visit": _r(total.procedures / total.n if total.n else None, 2),
        "forms": total.forms,
        "chars": total.chars,
        "chars_per_visit": _r(total.chars / total.n if total.n else None, 0),
        "one_counter": total.one_counter,
        "left_open": total.left_open,
        # the one-stop rate: visits that left nothing to a department's back office
        "one_counter_rate": _r(100 * total.one_counter / total.n if total.n else None, 1),
        "at_counter": total.at_counter,
        "days": (end - start).days + 1,
    }
    d = Dashboard(start, end, group, figures)

    # visits per day
    days = []
    day = start
    while day <= end:
        a = data.per_day.get(day, Acc())
        days.append({"date": day.isoformat(), "visits": a.n, "cancelled": a.cancelled})
        day += timedelta(days=1)
    every = max(1, len(days) // 12)
    d.tables.append(
        Table(
            "daily",
            _("日別の来庁件数"),
            [("date", _("日付")), ("visits", _("件数")), ("cancelled", _("取消（別計）"))],
            days,
            charts.columns(
                [(r["date"][5:], r["visits"]) for r in days],
                _("日別の来庁件数"),
                "",
                every=every,
                values=len(days) <= 31,
            ),
        )
    )
    # visits per hour of issue
    hours = by_dim.get("hour", {})
    hour_rows = [{"hour": f"{int(h)}:00", **_visit_row(hours[h])} for h in sorted(hours, key=int)]
    d.tables.append(
        Table(
            "hourly",
            _("時間帯別（発券時刻）"),
            [("hour", _("時")), ("visits", _("件数")), *_time_columns()],
            hour_rows,
            charts.columns(
                [(r["hour"], r["visits"]) for r in hour_rows],
                _("時間帯別の来庁件数"),
                "",
                width=560,
            ),
        )
    )
    # weekday × hour
    wh = by_dim.get("weekday_hour", {})
    hour_keys = sorted({int(k.split("-")[1]) for k in wh}) or list(range(9, 17))
    cells = {}
    for k, a in wh.items():
        wd, h = (int(x) for x in k.split("-"))
        cells[(wd, hour_keys.index(h))] = a.n
    wh_rows = [
        {
            "weekday": str(WEEKDAYS[i]),
            **{f"h{h}": cells.get((i, j), 0) for j, h in enumerate(hour_keys)},
        }
        for i in range(7)
    ]
    d.tables.append(
        Table(
            "weekday_hour",
            _("曜日×時間帯の来庁件数"),
            [("weekday", _("曜日"))] + [(f"h{h}", f"{h}:00") for h in hour_keys],
            wh_rows,
            charts.heatmap(
                [str(w) for w in WEEKDAYS],
                [_("%(h)s時") % {"h": h} for h in hour_keys],
                cells,
                _("曜日×時間帯の来庁件数"),
            ),
        )
    )
    # per life event
    purposes = by_dim.get("purpose", {})
    ev_rows = sorted(
        ({"event": purpose_label(k), "key": k, **_visit_row(a)} for k, a in purposes.items()),
        key=lambda r: -r["visits"],
    )
    d.tables.append(
        Table(
            "events",
            _("ライフイベント別"),
            [
                ("event", _("用件")),
                ("visits", _("件数")),
                ("cancelled", _("取消（別計）")),
                *_time_columns(),
                ("procedures_per_visit", _("手続数／件")),
                ("forms", _("印刷した様式")),
                ("chars", _("書かずに済んだ文字数")),
                ("chars_per_visit", _("文字数／件")),
            ],
            ev_rows,
            charts.hbar([(r["event"], r["visits"]) for r in ev_rows], _("ライフイベント別の件数")),
        )
    )
    # time per segment
    seg = by_dim.get("segment", {})
    seg_rows = [
        {
            "segment": str(SegmentKind(k).label),
            "count": seg[k].n,
            "median": _r(hist_quantile(seg[k].hist_wait, 0.5)),
            "p90": _r(hist_quantile(seg[k].hist_wait, 0.9)),
        }
        for k in SegmentKind.values
        if k in seg
    ]
    d.tables.append(
        Table(
            "segments",
            _("段階別の所要時間"),
            [
                ("segment", _("段階")),
                ("count", _("件数")),
                ("median", _("中央値（分）")),
                ("p90", _("90%値（分）")),
            ],
            seg_rows,
            charts.hbar(
                [(r["segment"], r["p90"]) for r in seg_rows], _("段階別 90%値"), _("分"), 1
            ),
        )
    )
    # departments
    dep = by_dim.get("department", {})
    dep_rows = sorted(
        (
            {
                "department": departments.get(k, k),
                "tasks": a.n,
                "done": a.done,
                "turnaround_median_h": _r(hist_quantile(a.hist_wait, 0.5)),
                "turnaround_p90_h": _r(hist_quantile(a.hist_wait, 0.9)),
            }
            for k, a in dep.items()
        ),
        key=lambda r: -r["tasks"],
    )
    d.tables.append(
        Table(
            "departments",
            _("課別の処理件数と所要時間"),
            [
                ("department", _("課")),
                ("tasks", _("回付件数")),
                ("done", _("完了件数")),
                ("turnaround_median_h", _("所要 中央値（時間）")),
                ("turnaround_p90_h", _("所要 90%値（時間）")),
            ],
            dep_rows,
            charts.hbar([(r["department"], r["tasks"]) for r in dep_rows], _("課別の回付件数")),
        )
    )
    # procedures per visit
    procs = by_dim.get("procedures", {})
    proc_rows = [{"procedures": int(k), "visits": procs[k].n} for k in sorted(procs, key=int)]
    d.tables.append(
        Table(
            "procedures",
            _("1件あたりの手続数"),
            [("procedures", _("手続数")), ("visits", _("件数"))],
            proc_rows,
            charts.columns(
                [(str(r["procedures"]), r["visits"]) for r in proc_rows],
                _("1件あたりの手続数"),
                "",
                width=560,
            ),
        )
    )
    # per counter and per clerk (managers only: the whole dashboard is)
    counters = by_dim.get("counter", {})
    c_rows = sorted(
        ({"counter": k, **_visit_row(a)} for k, a in counters.items() if k != "-"),
        key=lambda r: r["counter"],
    )
    who = ("counter", _("窓口"))
    d.tables.append(
        Table(
            "counters",
            _("窓口別"),
            [who, ("visits", _("件数")), *_time_columns(), ("chars", _("書かずに済んだ文字数"))],
            c_rows,
        )
    )
    clerks = by_dim.get("clerk", {})
    names = _clerk_names(clerks)
    k_rows = sorted(
        ({"clerk": names.get(k, "—"), **_visit_row(a)} for k, a in clerks.items() if k != "-"),
        key=lambda r: -r["visits"],
    )
    d.tables.append(
        Table(
            "clerks",
            _("職員別"),
            [
                ("clerk", _("職員")),
                ("visits", _("件数")),
                *_time_columns(),
                ("procedures_per_visit", _("手続数／件")),
            ],
            k_rows,
        )
    )
    d.charts["split"] = charts.split(
        [(_("1つの窓口で完了"), total.one_counter), (_("課の処理が残る"), total.left_open)],
        _("窓口で完結した件数"),
    )
    d.tables.extend(sections.tables(start, end, group))  # tables of the apps above
    return d
