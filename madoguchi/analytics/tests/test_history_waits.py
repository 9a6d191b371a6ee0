"""The demo's synthetic history waits as a city's counters do: staffed near 85 % of the
busy hours, more desks on Monday mornings and in the moving season, the season still
queueing longer than the rest of the year."""

from datetime import date

from madoguchi.analytics import dashboard
from madoguchi.demo import history


def _clerks():
    from madoguchi.accounts.models import Staff

    for i in range(8):
        Staff.objects.create_user(username=f"w{i}", password="history-Test-12345",
                                  role="clerk", department="citizen")  # fmt: skip


def test_generated_waits_look_like_a_staffed_city(db):
    _clerks()
    end = date(2027, 4, 1)
    history.generate(days=59, end=end, seed=11)  # 1 February – 31 March
    ordinary = dashboard.build(date(2027, 2, 1), date(2027, 2, 28), "onestop", today=end)
    peak = dashboard.build(date(2027, 3, 15), date(2027, 3, 31), "onestop", today=end)
    certificates = dashboard.build(date(2027, 2, 1), date(2027, 3, 31), "certificate", today=end)
    f, p, c = ordinary.figures, peak.figures, certificates.figures
    assert f["visits"] > 500 and p["visits"] > 500
    # an ordinary month: most residents wait a few minutes, nine in ten under ~45
    assert 2 <= f["wait_median"] <= 15, f["wait_median"]
    assert f["wait_p90"] <= 45, f["wait_p90"]
    # the last fortnight of March queues longer, not for hours
    assert p["wait_p90"] > f["wait_p90"]
    assert p["wait_median"] >= f["wait_median"]
    assert p["wait_p90"] <= 120, p["wait_p90"]
    assert c["wait_p90"] <= 30, c["wait_p90"]
    # more desks at the peak: the per-counter table lists the counters opened
    assert len(peak.table("counters").rows) > len(ordinary.table("counters").rows)
