"""The day the counter works on (届出日): the date the legal date checks count from.

In production it is today in the city's time zone. A training or test system may pin it
with ``MADOGUCHI_BUSINESS_DATE``: an ISO date (every visit is notified on that day), or
``event`` (each visit is notified on its own 異動日, so a dated scenario — the demo
move-in family on 2027-03-29 — is walked as on that day). ``check --deploy`` and
``madoguchi serve`` in production refuse a pinned date.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

EVENT = "event"


def pinned(event_date: date | None = None) -> date | None:
    """The pinned business date (for a visit of ``event_date``), or None when unpinned."""
    value = (getattr(settings, "MADOGUCHI_BUSINESS_DATE", "") or "").strip()
    if not value:
        return None
    if value == EVENT:
        return event_date
    return date.fromisoformat(value)


def business_date(event_date: date | None = None) -> date:
    """The 届出日 of a notification made now (of a visit of ``event_date``)."""
    return pinned(event_date) or timezone.localdate()
