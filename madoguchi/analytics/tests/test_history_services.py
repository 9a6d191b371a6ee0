"""The demo history's last days of certificate requests go through the counter's own
queue services (tickets, calls, completions on a replayed clock); no audit row."""

from datetime import date, timedelta

from madoguchi.analytics import dashboard, rollups
from madoguchi.analytics.models import TimeSegment
from madoguchi.audit.models import AuditRecord
from madoguchi.counter.models import Ticket, TicketSequence
from madoguchi.demo import history


def test_last_days_of_certificates_are_served_by_the_queue_services(db):
    from madoguchi.accounts.models import Staff

    for i in range(3):
        Staff.objects.create_user(username=f"s{i}", password="history-Test-12345",
                                  role="clerk", department="citizen")  # fmt: skip
    audited = AuditRecord.objects.count()
    end = date(2027, 2, 1)
    history.generate(days=21, end=end, seed=5, service_days=7)
    assert AuditRecord.objects.count() == audited
    replayed_from = end - timedelta(days=7)
    # the queue service numbers the tickets of a day (its sequence row), the bulk does not
    sequences = TicketSequence.objects.filter(group="certificate")
    assert sequences.exists()
    assert all(s.issued_on >= replayed_from for s in sequences)
    served = Ticket.objects.filter(group="certificate", issued_on__gte=replayed_from)
    assert served.count() > 50
    for s in sequences:
        numbers = sorted(served.filter(issued_on=s.issued_on).values_list("number", flat=True))
        assert numbers == list(range(1, s.last_number + 1))
    t = served.filter(status="done").first()
    kinds = list(TimeSegment.objects.filter(ticket=t).values_list("kind", flat=True))
    assert kinds == ["waiting", "called", "done"]
    assert t.called_by_id and t.counter_no and t.called_at > t.issued_at
    assert t.issued_at.date() in (t.issued_on, t.issued_on - timedelta(days=1))  # UTC
    # the same figures as the rest: rollups of the replayed days match the visits
    d = dashboard.build(replayed_from, end - timedelta(days=1), "certificate", today=end)
    live = sum(
        acc.n
        for table in rollups.day_tables(replayed_from, end - timedelta(days=1)).values()
        for (g, dim, _k), acc in table.items()
        if g == "certificate" and dim == "total"
    )
    assert d.figures["visits"] == live == served.filter(status="done").count()
    assert 0 <= d.figures["wait_median"] <= 15
