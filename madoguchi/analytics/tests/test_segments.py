"""Time segments and the figures derived from them."""

from datetime import timedelta

from django.utils import timezone

from madoguchi.analytics import services
from madoguchi.analytics.models import TimeSegment
from madoguchi.counter.models import Ticket


def _ticket(purpose, number):
    return Ticket.objects.create(
        issued_on=timezone.localdate(), group="onestop", number=number, purpose=purpose
    )


def test_stamp_closes_the_open_segment(db):
    t = _ticket("move_in", 1)
    t0 = timezone.now() - timedelta(minutes=30)
    services.stamp(t, "waiting", at=t0)
    services.stamp(t, "called", at=t0 + timedelta(minutes=10))
    services.stamp(t, "interview", at=t0 + timedelta(minutes=11))
    services.stamp(t, "done", at=t0 + timedelta(minutes=25))
    segs = list(TimeSegment.objects.filter(ticket=t))
    assert [s.kind for s in segs] == ["waiting", "called", "interview", "done"]
    assert [s.seconds for s in segs] == [600, 60, 840, 0]


def test_dashboard_averages_per_purpose_and_hour(db):
    now = timezone.now()
    for i, (purpose, wait, service) in enumerate(
        [("move_in", 10, 20), ("move_in", 20, 30), ("death", 5, 40)]
    ):
        t = _ticket(purpose, i + 1)
        t0 = now - timedelta(hours=2)
        services.stamp(t, "waiting", at=t0)
        services.stamp(t, "called", at=t0 + timedelta(minutes=wait))
        services.stamp(t, "done", at=t0 + timedelta(minutes=wait + service))
    # a ticket still waiting has no wait figure yet
    services.stamp(_ticket("move_in", 9), "waiting", at=now)
    data = services.dashboard(days=1, now=now)
    rows = {r["key"]: r for r in data["by_purpose"]}
    assert rows["move_in"]["avg_wait_min"] == 15 and rows["move_in"]["avg_service_min"] == 25
    assert rows["death"]["avg_wait_min"] == 5 and rows["death"]["avg_service_min"] == 40
    hour = timezone.localtime(now - timedelta(hours=2)).hour
    by_hour = {r["key"]: r for r in data["by_hour"]}
    assert by_hour[hour]["visits"] == 3
    assert round(by_hour[hour]["avg_wait_min"], 3) == round(35 / 3, 3)


def test_wait_estimate():
    assert services.wait_estimate_minutes(0, 3, 600) == 0
    assert services.wait_estimate_minutes(6, 3, 600) == 20
    assert services.wait_estimate_minutes(1, 0, 90) == 2


def test_dashboard_page_for_managers_only(client, staff_factory, clerk):
    client.force_login(clerk)
    assert client.get("/analytics/").status_code == 403
    client.force_login(staff_factory("boss", "manager", "citizen"))
    r = client.get("/analytics/")
    assert r.status_code == 200 and "届出別" in r.content.decode()


def test_dashboard_names_purposes_and_departments(client, staff_factory, db, monkeypatch):
    t = _ticket("death", 1)
    t0 = timezone.now() - timedelta(minutes=30)
    services.stamp(t, "waiting", at=t0)
    services.stamp(t, "called", at=t0 + timedelta(minutes=5))
    real = services.dashboard

    def with_department(**kw):
        data = real(**kw)
        return {**data, "department": [{"key": "education", "tasks": 1, "avg_min": 9.0}]}

    monkeypatch.setattr(services, "dashboard", with_department)
    client.force_login(staff_factory("boss", "manager", "citizen"))
    page = client.get("/analytics/").content.decode()
    assert "<td>死亡</td>" in page and "<td>学校教育課</td>" in page
    assert ">death<" not in page and ">education<" not in page
