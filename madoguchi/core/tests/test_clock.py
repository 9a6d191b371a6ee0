"""The business date (core/clock.py): today, a pinned date, or each visit's 異動日; and
production refuses a pinned one."""

from datetime import date

from django.utils import timezone

from madoguchi.core import clock
from madoguchi.core.deploy import production_problems


def test_unpinned_is_today(settings):
    settings.MADOGUCHI_BUSINESS_DATE = ""
    assert clock.pinned(date(2027, 3, 29)) is None
    assert clock.business_date(date(2027, 3, 29)) == timezone.localdate()


def test_pinned_date_and_event_mode(settings):
    settings.MADOGUCHI_BUSINESS_DATE = "2027-04-30"
    assert clock.business_date(date(2027, 3, 29)) == date(2027, 4, 30)
    settings.MADOGUCHI_BUSINESS_DATE = "event"
    assert clock.business_date(date(2027, 3, 29)) == date(2027, 3, 29)


def test_production_refuses_a_pinned_date(settings):
    settings.MADOGUCHI_BUSINESS_DATE = "event"
    assert "madoguchi.E106" in {cid for cid, _msg in production_problems()}
    settings.MADOGUCHI_BUSINESS_DATE = ""
    assert "madoguchi.E106" not in {cid for cid, _msg in production_problems()}
