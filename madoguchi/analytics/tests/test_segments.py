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


def test_wait_estimate():
    assert services.wait_estimate_minutes(0, 3, 600) == 0
    assert services.wait_estimate_minutes(6, 3, 600) == 20
    assert services.wait_estimate_minutes(1, 0, 90) == 2
