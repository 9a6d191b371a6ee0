"""Manager pages: the dashboard, its CSV exports, the monthly report and staffing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dashboard as board
from .sources import visits

MAX_DAYS = 366 * 2


class CounterGroup:
    """The counter groups as the counter defines them (through ``sources``: the counter
    sits above analytics)."""

    @staticmethod
    def choices_list():
        return visits().groups()

    @classmethod
    def values_list(cls):
        return [v for v, _l in cls.choices_list()]


def _manager(request) -> None:
    if not request.user.is_manager:
        raise PermissionDenied


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period(request) -> tuple[date, date, str, list[str]]:
    """start, end and counter group from the query (bad input falls back, with a note)."""
    errors = []
    today = timezone.localdate()
    end = _date(request.GET.get("end")) or today
    start = _date(request.GET.get("start"))
    if start is None:
        try:
            days = max(1, min(MAX_DAYS, int(request.GET.get("days", "28"))))
        except ValueError:
            days = 28
            errors.append(_("期間（日）は数字で入力してください"))
        start = end - timedelta(days=days - 1)
    if start > end:
        start, end = end, start
        errors.append(_("開始日が終了日より後だったため入れ替えました"))
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
        errors.append(_("期間は2年までです"))
    group = request.GET.get("group", "")
    if group and group not in CounterGroup.values_list():
        group = ""
        errors.append(_("窓口グループが不正です"))
    return start, end, group, errors


def dashboard(request):
    _manager(request)
    start, end, group, errors = period(request)
    data = board.build(start, end, group)
    query = f"start={start.isoformat()}&end={end.isoformat()}&group={group}"
    return render(
        request,
        "analytics/dashboard.html",
        {
            "data": data,
            "f": data.figures,
            "start": start,
            "end": end,
            "group": group,
            "groups": CounterGroup.choices_list(),
            "errors": errors,
            "query": query,
            "month": (end.replace(day=1)).strftime("%Y-%m"),
        },
    )


def export(request, table_id: str):
    """One table of the dashboard as CSV: UTF-8 with BOM so Excel reads the Japanese."""
    _manager(request)
    start, end, group, _errors = period(request)
    data = board.build(start, end, group)
    table = data.table(table_id)
    if table is None:
        raise Http404(table_id)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([label for _k, label in table.columns])
    for row in table.cells():
        w.writerow(["" if v is None else v for v in row])
    response = HttpResponse(
        ("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = f"madoguchi-{table_id}-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def report(request):
    """The monthly report as PDF (``?month=YYYY-MM``; default the month before)."""
    _manager(request)
    from .report import ReportError, parse_month, render_pdf

    try:
        first = parse_month(request.GET.get("month"))
    except ReportError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    group = request.GET.get("group", "")
    if group and group not in CounterGroup.values_list():
        return HttpResponse(_("窓口グループが不正です"), status=400)
    pdf = render_pdf(first, group)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="madoguchi-report-{first:%Y-%m}.pdf"'
    return response


def _float(value, default=None):
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        return default


def staffing(request):
    """Counters needed: a day simulated from the recorded period or a typed scenario."""
    _manager(request)
    from . import staffing as model
    from .staffing_inputs import scenario_from_period, scenario_from_text

    start, end, group, errors = period(request)
    target = _float(request.GET.get("target"), 20.0)
    typed = (request.GET.get("arrivals") or "").strip()
    mix_text = (request.GET.get("mix") or "").strip()
    service = _float(request.GET.get("service"))
    try:
        if typed:
            recorded, names = [], []
            if not service:  # arrivals typed; the event mix typed or recorded
                period_scenario = scenario_from_period(start, end, group, mix_text=mix_text)
                recorded, names = period_scenario.mix, period_scenario.names
            scenario = scenario_from_text(typed, service, recorded, names)
            basis = _("入力した想定")
        else:
            scenario = scenario_from_period(start, end, group, service, mix_text)
            basis = _("実績の到着と入力した用件構成") if mix_text and not service else _("実績")
        needed, tried = model.counters_needed(scenario, target)
        rows = []
        for day in tried:
            try:
                # the steady state at the day's mean arrival rate, beside the day
                erlang = model.erlang_c(scenario.mean_arrivals, scenario.mean_service, day.counters)
            except model.StaffingError:
                erlang = None
            rows.append({"day": day, "erlang": erlang})
    except model.StaffingError as exc:
        scenario, needed, rows = None, None, []
        errors.append(exc.message)
    return render(
        request,
        "analytics/staffing.html",
        {
            "start": start,
            "end": end,
            "group": group,
            "groups": CounterGroup.choices_list(),
            "errors": errors,
            "target": target,
            "typed": typed,
            "service": service or "",
            "mix": mix_text,
            "scenario": scenario,
            "basis": locals().get("basis", ""),
            "needed": needed,
            "rows": rows,
            "best": rows[-1]["day"] if rows else None,
            "replications": model.MIN_REPLICATIONS,
        },
    )
