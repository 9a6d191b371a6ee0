"""The monthly report (PDF, Typst): key figures of the month beside the month before,
the change, and the charts of the dashboard. Rendered as the documents app renders its
forms: one Typst compiler, the product's own fonts, no network."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta
from pathlib import Path

import typst
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.documents.engine import FONT_DIR

from . import charts
from .dashboard import build

REPORT_DIR = Path(__file__).resolve().parent / "report"
_lock = threading.Lock()
_compiler: list[typst.Compiler] = []


class ReportError(ValueError):
    pass


def parse_month(value: str | None, today: date | None = None) -> date:
    """``YYYY-MM`` → its first day (default: the month before this one)."""
    today = today or timezone.localdate()
    if not value:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    try:
        y, m = (int(x) for x in value.split("-"))
        return date(y, m, 1)
    except ValueError:
        raise ReportError(_("月は YYYY-MM の形で指定してください: %(v)s") % {"v": value}) from None


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _fmt(v, digits=0) -> str:
    if v is None:
        return "—"
    return f"{v:,.{digits}f}" if digits else f"{round(v):,}"


def _change(this, prev) -> str:
    if this is None or prev in (None, 0):
        return "—"
    return f"{(this - prev) / prev:+.1%}"


def report_data(first: date, group: str = "", today: date | None = None) -> dict:
    end = min(month_end(first), today or timezone.localdate())
    prev_first = (first - timedelta(days=1)).replace(day=1)
    this = build(first, end, group, today)
    prev = build(prev_first, month_end(prev_first), group, today)
    f, p = this.figures, prev.figures
    rows = [
        (_("来庁件数（取消を除く）"), "visits", 0),
        (_("取消（別計）"), "cancelled", 0),
        (_("待ち時間 中央値（分）"), "wait_median", 1),
        (_("待ち時間 90%値（分）"), "wait_p90", 1),
        (_("対応時間 中央値（分）"), "service_median", 1),
        (_("対応時間 90%値（分）"), "service_p90", 1),
        (_("1件あたりの手続数"), "procedures_per_visit", 2),
        (_("印刷した様式（枚）"), "forms", 0),
        (_("書かずに済んだ文字数"), "chars", 0),
        (_("書かずに済んだ文字数（1件あたり）"), "chars_per_visit", 0),
        (_("1つの窓口で完了"), "one_counter", 0),
        (_("課の処理が残る"), "left_open", 0),
        (_("窓口で対応した手続（同席・窓口で完了）"), "at_counter", 0),
    ]
    events = this.table("events")
    departments = this.table("departments")
    hourly = this.table("hourly")
    daily = this.table("daily")
    return {
        "title": _("窓口の月次報告 %(y)s年%(m)s月") % {"y": first.year, "m": first.month},
        "subtitle": _("対象期間 %(a)s〜%(b)s　前月 %(c)s〜%(d)s")
        % {
            "a": first.isoformat(),
            "b": end.isoformat(),
            "c": prev_first.isoformat(),
            "d": month_end(prev_first).isoformat(),
        },
        "municipality": getattr(settings, "MADOGUCHI_MUNICIPALITY", ""),
        "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "labels": {
            "key_figures": _("主な数値"),
            "header": [_("項目"), _("当月"), _("前月"), _("増減")],
            "note": _("取消した来庁はどの数値にも含めず、別に数えています。"),
            "daily": _("日別の来庁件数"),
            "hourly": _("時間帯別の来庁件数"),
            "split": _("窓口で完結した件数"),
            "events": _("ライフイベント別の件数"),
            "events_table": _("ライフイベント別"),
            "departments": _("課別の処理件数と所要時間"),
            "weekday_hour": _("曜日×時間帯の来庁件数"),
        },
        "figures": [
            {
                "label": label,
                "this": _fmt(f[key], digits),
                "previous": _fmt(p[key], digits),
                "change": _change(f[key], p[key]),
            }
            for label, key, digits in rows
        ],
        "events": {
            "header": [
                _("用件"),
                _("件数"),
                _("待ち 90%値（分）"),
                _("手続数／件"),
                _("印刷した様式"),
                _("文字数／件"),
            ],  # fmt: skip
            "rows": [
                [
                    r["event"],
                    _fmt(r["visits"]),
                    _fmt(r["wait_p90"], 1),
                    _fmt(r["procedures_per_visit"], 2),
                    _fmt(r["forms"]),
                    _fmt(r["chars_per_visit"]),
                ]
                for r in events.rows
            ],  # fmt: skip
        },
        "departments": {
            "header": [c[1] for c in departments.columns],
            "rows": [
                [
                    r["department"],
                    _fmt(r["tasks"]),
                    _fmt(r["done"]),
                    _fmt(r["turnaround_median_h"], 1),
                    _fmt(r["turnaround_p90_h"], 1),
                ]
                for r in departments.rows
            ],  # fmt: skip
        },
        "charts": {
            "daily": daily.chart,
            "hourly": hourly.chart,
            "split": this.charts["split"],
            "events": charts.hbar(
                [(r["event"], r["visits"]) for r in events.rows[:12]],
                _("ライフイベント別の件数"),
                "",
            ),
            "weekday_hour": this.table("weekday_hour").chart,
        },
    }


def render_pdf(first: date, group: str = "", today: date | None = None) -> bytes:
    payload = json.dumps(report_data(first, group, today), ensure_ascii=False)
    with _lock:
        if not _compiler:
            _compiler.append(
                typst.Compiler(
                    root=str(REPORT_DIR), font_paths=[str(FONT_DIR)], ignore_system_fonts=True
                )
            )
        source = (REPORT_DIR / "report.typ").read_bytes()
        return _compiler[0].compile(input=source, format="pdf", sys_inputs={"data": payload})
