"""The notification date against the law (rules/deadlines.py): the advance window, the
municipality's closing days, 期限超過, which late notifications go to the 簡易裁判所."""

from datetime import date

import pytest

from madoguchi.rules import deadlines


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2027, 4, 9), False),  # Friday
        (date(2027, 4, 10), True),  # Saturday
        (date(2027, 4, 11), True),  # Sunday
        (date(2027, 4, 29), True),  # 昭和の日
        (date(2027, 5, 3), True),  # 憲法記念日
        (date(2027, 12, 28), False),  # Tuesday, open
        (date(2027, 12, 29), True),  # 年末年始 (休日条例)
        (date(2028, 1, 3), True),
        (date(2028, 1, 4), False),
    ],
)
def test_municipal_holidays(day, closed):
    assert deadlines.municipal_holiday(day) is closed


def test_a_deadline_on_a_closing_day_runs_to_the_next_open_day():
    assert deadlines.effective_deadline(date(2027, 4, 11)) == date(2027, 4, 12)  # Sun → Mon
    assert deadlines.effective_deadline(date(2027, 5, 1)) == date(2027, 5, 6)  # GW
    assert deadlines.effective_deadline(date(2027, 12, 30)) == date(2028, 1, 4)
    assert deadlines.effective_deadline(date(2027, 4, 9)) == date(2027, 4, 9)


def test_overdue():
    assert not deadlines.overdue(date(2027, 4, 11), date(2027, 4, 12))  # Sunday's deadline
    assert deadlines.overdue(date(2027, 4, 11), date(2027, 4, 13))
    assert deadlines.overdue("2027-04-09", date(2027, 4, 10))  # ISO text, as results carry
    assert not deadlines.overdue("2027-04-09", date(2027, 4, 9))
    assert not deadlines.overdue(None, date(2099, 1, 1))  # no date: nothing to miss


def test_advance_notice():
    on = date(2027, 3, 1)
    assert deadlines.advance_notice("move_out", date(2027, 3, 15), on) is None  # 14 days
    assert deadlines.advance_notice("move_out", date(2027, 3, 16), on) == {
        "event": "move_out",
        "days_ahead": 15,
        "allowed_days": 14,
    }
    assert deadlines.advance_notice("move_out_abroad", date(2027, 3, 16), on)["allowed_days"] == 14
    for event in ("move_in", "move_in_from_abroad", "move_within", "birth", "death"):
        assert deadlines.advance_notice(event, on, on) is None  # the same day is fine
        found = deadlines.advance_notice(event, date(2027, 3, 2), on)
        assert found["allowed_days"] == 0 and found["days_ahead"] == 1
    assert deadlines.advance_notice("move_in", date(2026, 1, 1), on) is None  # the past


def test_court_notice_laws():
    assert deadlines.court_notice("住民基本台帳法 22条")
    assert deadlines.court_notice("戸籍法 49条")
    assert not deadlines.court_notice("国民健康保険法 9条")  # the city's own 過料
    assert not deadlines.court_notice("")
