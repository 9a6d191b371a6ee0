"""The manager dashboard: rollups against the visits, cancelled visits apart, exports,
the monthly report, staffing, and no resident anywhere."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from madoguchi.analytics import dashboard, rollups, services
from madoguchi.analytics.models import Rollup, RollupMark, TimeSegment
from madoguchi.audit.models import AuditRecord
from madoguchi.counter import services as counter
from madoguchi.counter.models import Ticket, TicketStatus, Visit
from madoguchi.demo import history

MANAGER_URLS = [
    "/analytics/",
    "/analytics/export/events.csv",
    "/analytics/report/",
    "/analytics/staffing/?arrivals=20&service=10",
]


@pytest.fixture
def manager_client(client, staff_factory):
    client.force_login(staff_factory("boss", "manager", "citizen", last_name="課長"))
    return client


def _served(purpose, wait, service, at, clerk=None):
    """A ticket through the queue services, with its segment times set to known values."""
    t = counter.issue_ticket(purpose)
    Ticket.objects.filter(pk=t.pk).update(issued_at=at)
    TimeSegment.objects.filter(ticket=t).update(started_at=at)  # issued ``at``
    services.stamp(t, "called", at=at + timedelta(minutes=wait), staff=clerk)
    t.status = TicketStatus.DONE
    t.save(update_fields=["status"])
    services.stamp(t, "done", at=at + timedelta(minutes=wait + service), staff=clerk)
    return t


def test_cancelled_visits_are_counted_apart_and_nowhere_else(db, clerk):
    now = timezone.now() - timedelta(minutes=90)
    _served("certificate", 10, 5, now, clerk)
    _served("certificate", 20, 7, now, clerk)
    _served("certificate", 14, 6, now, clerk)
    t = counter.issue_ticket("death")
    visit = counter.open_visit(clerk, t)
    counter.cancel_visit(visit.pk, visit.version, clerk, "出直し")
    today = timezone.localdate()
    d = dashboard.build(today, today)
    assert d.figures["visits"] == 3 and d.figures["cancelled"] == 1
    events = {r["key"]: r for r in d.table("events").rows}
    assert events["certificate"]["visits"] == 3 and events["death"]["visits"] == 0
    assert events["death"]["cancelled"] == 1
    assert d.figures["wait_median"] == pytest.approx(14, abs=1)  # one-minute buckets
    assert d.figures["service_median"] == pytest.approx(6, abs=1)
    hours = d.table("hourly").rows
    assert sum(r["visits"] for r in hours) == 3


def _history(days, end):
    clerks = [("madoguchi", "clerk"), ("madoguchi2", "clerk"), ("hoken", "department")]
    from madoguchi.accounts.models import Staff

    for name, role in clerks:
        Staff.objects.create_user(username=name, password="history-Test-12345", role=role,
                                  department="insurance" if role == "department" else "citizen")  # fmt: skip
    audited = AuditRecord.objects.count()  # staff changes are audited
    written = history.generate(days=days, end=end, scale=0.3, seed=7)
    assert AuditRecord.objects.count() == audited  # synthetic history reads nobody
    return written


def test_rollups_give_the_same_figures_as_the_visits(db):
    today = timezone.localdate()
    written = _history(75, today)
    assert written > 100
    start = today - timedelta(days=75)  # the first day of the history
    d = dashboard.build(start, today)
    # a whole closed month inside the period is read from its month rows
    assert Rollup.objects.filter(grain="m").exists()
    live = rollups.Acc()
    by_event: dict[str, int] = {}
    for table in rollups.day_tables(start, today).values():
        for (_g, dim, key), acc in table.items():
            if dim == "total":
                live.merge(acc)
            if dim == "purpose":
                by_event[key] = by_event.get(key, 0) + acc.n
    f = d.figures
    assert (f["visits"], f["cancelled"], f["chars"], f["forms"], f["procedures"]) == (
        live.n,
        live.cancelled,
        live.chars,
        live.forms,
        live.procedures,
    )
    assert (
        f["visits"] == Ticket.objects.filter(status="done").exclude(visit__step="cancelled").count()
    )
    assert {r["key"]: r["visits"] for r in d.table("events").rows} == by_event
    assert f["one_counter"] + f["left_open"] == f["visits"]
    assert f["chars_per_visit"] > 0 and f["procedures_per_visit"] > 0
    assert sum(r["visits"] for r in d.table("daily").rows) == f["visits"]
    assert {r["clerk"] for r in d.table("clerks").rows} <= {"madoguchi", "madoguchi2"}


def test_history_has_the_march_peak_and_monday_mornings(db):
    end = date(2027, 5, 1)
    _history(120, end)
    per_day = {}
    for day, table in rollups.day_tables(end - timedelta(days=120), end).items():
        per_day[day] = sum(
            a.n + a.cancelled for (_g, dim, _k), a in table.items() if dim == "total"
        )
    march = [n for d, n in per_day.items() if d.month == 3 and d.day >= 15 and n]
    february = [n for d, n in per_day.items() if d.month == 2 and n]
    assert sum(march) / len(march) > 1.8 * sum(february) / len(february)
    d = dashboard.build(date(2027, 1, 4), date(2027, 2, 28), today=end)
    rows = {r["weekday"]: r for r in d.table("weekday_hour").rows}
    assert rows["月"]["h10"] > rows["水"]["h10"]
    assert rows["土"]["h10"] == 0  # closed at weekends
    assert RollupMark.objects.filter(grain="d").count() >= 58


def test_csv_export_is_utf8_with_bom_for_every_table(manager_client):
    _served("certificate", 3, 4, timezone.now() - timedelta(hours=1))
    today = timezone.localdate().isoformat()
    for table in dashboard.build(timezone.localdate(), timezone.localdate()).tables:
        r = manager_client.get(f"/analytics/export/{table.id}.csv?start={today}&end={today}")
        assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
        assert r.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0] == [label for _k, label in table.columns]
        assert len(rows) == 1 + len(table.rows)
    r = manager_client.get(f"/analytics/export/events.csv?start={today}&end={today}")
    assert "証明書の請求" in r.content.decode("utf-8-sig")
    assert manager_client.get("/analytics/export/nothing.csv").status_code == 404


def test_dashboard_page_has_charts_and_every_widget(manager_client):
    _served("certificate", 3, 4, timezone.now() - timedelta(hours=1))
    html = manager_client.get("/analytics/").content.decode()
    for widget in ("daily", "hourly", "weekday_hour", "events", "segments", "departments",
                   "procedures", "counters", "clerks"):  # fmt: skip
        assert f'id="w-{widget}"' in html and f"/analytics/export/{widget}.csv" in html
    assert html.count("<svg") >= 7 and "書かずに済んだ文字数" in html
    assert "取消 0 件は別計" in html
    r = manager_client.get("/analytics/?start=2026-99-01&days=x&group=nope")
    assert r.status_code == 200 and "窓口グループが不正です" in r.content.decode()


def test_monthly_report_pdf(manager_client):
    from madoguchi.counter.tests.test_visit import pdf_text

    _served("certificate", 3, 4, timezone.now() - timedelta(hours=1))
    month = timezone.localdate().strftime("%Y-%m")
    r = manager_client.get(f"/analytics/report/?month={month}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert "窓口の月次報告" in text and "前月" in text and "書かずに済んだ文字数" in text
    assert manager_client.get("/analytics/report/?month=2026-13").status_code == 400


def test_staffing_page_recommends_counters(manager_client):
    html = manager_client.get(
        "/analytics/staffing/?arrivals=9:40,10:40,11:30&service=12&target=15"
    ).content.decode()
    assert 'id="needed"' in html and "窓口が必要です" in html
    assert "Erlang C" in html
    html = manager_client.get("/analytics/staffing/?arrivals=9:x&service=12").content.decode()
    assert "「9:x」を読めません" in html


@pytest.mark.parametrize("url", MANAGER_URLS)
def test_analytics_pages_are_for_managers_only(client, clerk, staff_factory, url):
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    client.force_login(staff_factory("kacho", "department", "child", may_see_protected=True))
    assert client.get(url).status_code == 403


def test_no_resident_name_in_any_analytics_output(manager_client, clerk):
    """支援措置: a protected resident's visit shows in the counts, never by name."""
    from madoguchi.counter.models import VisitPerson

    t = _served("move_in", 4, 20, timezone.now() - timedelta(hours=1), clerk)
    visit = Visit.objects.create(ticket=t, clerk=clerk, event_date=timezone.localdate(),
                                 step="done", result={"procedures": [{"id": "x"}]})  # fmt: skip
    VisitPerson.objects.create(visit=visit, pid="p1", atena_no="990001",
                               data={"register": {"name": "保護　秘子", "protected": True}})  # fmt: skip
    outputs = [manager_client.get(u).content.decode("utf-8", "replace") for u in MANAGER_URLS]
    d = dashboard.build(timezone.localdate(), timezone.localdate())
    for table in d.tables:
        r = manager_client.get(f"/analytics/export/{table.id}.csv")
        outputs.append(r.content.decode("utf-8-sig"))
    assert d.figures["visits"] == 1
    for out in outputs:
        assert "保護" not in out and "秘子" not in out and "990001" not in out


def test_plan_reads_each_closed_day_once():
    today = date(2026, 11, 30)
    start = date(2026, 2, 13)
    p = rollups.plan(start, today, today)
    assert p.quarters == [date(2026, 4, 1), date(2026, 7, 1)]
    assert p.months == [date(2026, 3, 1), date(2026, 10, 1)]
    assert all(w.weekday() == 0 for w in p.weeks) and len(p.weeks) >= 4
    covered = []
    for _grain, firsts, last_of in p.spans():
        for first in firsts:
            covered += [first + timedelta(days=i) for i in range((last_of(first) - first).days + 1)]
    covered += p.days
    closed = [start + timedelta(days=i) for i in range((today - start).days)]
    assert sorted(covered) == closed  # every closed day once; today is live


def test_a_year_is_read_from_quarters_with_the_same_figures_as_its_days(db):
    """The figures of a long period, read from quarter/month/week rows, equal those of
    its day rows summed one by one (histograms included)."""
    end = date(2027, 5, 1)
    _history(150, end)
    start = end - timedelta(days=150)
    p = rollups.plan(start, end - timedelta(days=1), end)
    assert p.quarters == [date(2027, 1, 1)]
    summed = rollups.collect(start, end - timedelta(days=1), today=end).table
    assert Rollup.objects.filter(grain="q").exists()
    by_day: dict = {}
    for table in rollups.day_tables(start, end - timedelta(days=1)).values():
        for (_g, dim, key), acc in table.items():
            by_day.setdefault(("", dim, key), rollups.Acc()).merge(acc)
    for k, acc in by_day.items():
        got = summed[k]
        assert (got.n, got.cancelled, got.chars, got.wait_seconds, got.done) == (
            acc.n, acc.cancelled, acc.chars, acc.wait_seconds, acc.done
        ), k  # fmt: skip
        if k[1] not in rollups.COUNT_ONLY_DIMS:
            trim = lambda h: h[: max((i + 1 for i, c in enumerate(h) if c), default=0)]  # noqa: E731
            assert trim(got.hist_wait) == trim(acc.hist_wait), k
            assert trim(got.hist_service) == trim(acc.hist_service), k


def test_staffing_typed_arrivals_with_the_recorded_event_mix(manager_client):
    now = timezone.now() - timedelta(hours=1)
    for wait, service in ((2, 30), (3, 40), (1, 35)):
        _served("certificate", wait, service, now)
    today = timezone.localdate().isoformat()
    html = manager_client.get(
        f"/analytics/staffing/?arrivals=20&start={today}&end={today}&target=30"
    ).content.decode()
    assert "入力した想定: 平均対応時間 35.0 分" in html and 'id="needed"' in html


def test_staffing_typed_event_mix_takes_each_events_recorded_service_time(manager_client):
    now = timezone.now() - timedelta(hours=1)
    for service in (9, 10, 11):
        _served("certificate", 1, service, now)
    for service in (29, 30, 31):
        _served("move_in", 1, service, now)
    today = timezone.localdate().isoformat()
    base = f"/analytics/staffing/?arrivals=20&start={today}&end={today}&target=30"

    def page(mix):
        return manager_client.get(f"{base}&mix={mix}").content.decode()

    assert "入力した想定: 平均対応時間 30.0 分" in page("転入:1")
    html = page("証明書:50, move_in:50")
    assert "入力した想定: 平均対応時間 20.0 分" in html
    # the mix as simulated: each event's share and its recorded service time
    assert "<td>証明書の請求</td><td>50.0</td><td>10.0</td>" in html
    assert "<td>転入（国内の他市区町村から）</td><td>50.0</td><td>30.0</td>" in html
    assert "入力した想定: 平均対応時間 15.0 分" in page("証明書の請求:3、転入：1")
    assert "「出生」の対応時間の実績がこの期間にありません" in page("出生:10")
    assert "「引越:10」を読めません" not in page("引越:10")
    assert "「引越」に当たる用件がありません" in page("引越:10")
    assert "「転入」を読めません" in page("転入")
    # recorded arrivals, typed mix
    html = manager_client.get(
        f"/analytics/staffing/?start={today}&end={today}&mix=転入:1"
    ).content.decode()
    assert "実績の到着と入力した用件構成: 平均対応時間 30.0 分" in html
    assert (
        "「転」に当たる用件が複数あります"
        in manager_client.get(f"{base}&mix=転:1").content.decode()
    )
