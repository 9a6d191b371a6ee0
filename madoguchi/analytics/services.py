"""Stamping time segments, and the figures derived from them.

A ticket moves through counter segments one at a time (waiting → called → interview →
printing → done): starting one closes the open one. Department work is one segment per
task, opened when the task is routed and closed when it is done.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime, timedelta

from django.utils import timezone

from .models import SERVICE_KINDS, SegmentKind, TimeSegment

COUNTER_KINDS = (
    SegmentKind.WAITING,
    SegmentKind.CALLED,
    SegmentKind.INTERVIEW,
    SegmentKind.PRINTING,
    SegmentKind.DONE,
)


def stamp(ticket, kind: str, *, visit=None, staff=None, at: datetime | None = None) -> TimeSegment:
    """Close the ticket's open counter segment and open ``kind`` (``done`` is closed at once)."""
    at = at or timezone.now()
    TimeSegment.objects.filter(ticket=ticket, kind__in=COUNTER_KINDS, ended_at=None).update(
        ended_at=at
    )
    return TimeSegment.objects.create(
        municipality_code=ticket.municipality_code,
        ticket=ticket,
        visit=visit,
        kind=kind,
        purpose=ticket.purpose,
        staff=staff if getattr(staff, "pk", None) else None,
        started_at=at,
        ended_at=at if kind == SegmentKind.DONE else None,
    )


def start_task_segment(task, *, purpose: str = "", at: datetime | None = None) -> TimeSegment:
    return TimeSegment.objects.create(
        municipality_code=task.municipality_code,
        visit_id=task.visit_id,
        task=task,
        kind=SegmentKind.DEPARTMENT,
        purpose=purpose,
        started_at=at or timezone.now(),
    )


def end_task_segment(task, *, staff=None, at: datetime | None = None) -> int:
    return TimeSegment.objects.filter(task=task, ended_at=None).update(
        ended_at=at or timezone.now(), staff=staff if getattr(staff, "pk", None) else None
    )


def reopen_task_segment(task) -> int:
    """A department reopens a task done at the counter: its turnaround runs on from the
    routing until it is done again (the last department segment is open again)."""
    last = TimeSegment.objects.filter(task=task, kind=SegmentKind.DEPARTMENT).order_by("-id")
    seg = last.first()
    if seg is None:
        return 0
    return TimeSegment.objects.filter(pk=seg.pk).update(ended_at=None, staff=None)


# ---------------------------------------------------------------- figures


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def visit_times(since: datetime, until: datetime | None = None) -> list[dict]:
    """Per ticket: purpose, issue hour, wait seconds and counter service seconds.

    Only closed segments count; a ticket still waiting has no wait figure yet.
    """
    qs = TimeSegment.objects.filter(started_at__gte=since, ticket__isnull=False)
    if until:
        qs = qs.filter(started_at__lt=until)
    per: dict[int, dict] = {}
    for seg in qs.only("ticket_id", "kind", "purpose", "started_at", "ended_at"):
        row = per.setdefault(
            seg.ticket_id,
            {"purpose": seg.purpose, "start": seg.started_at, "wait": 0.0, "service": 0.0},
        )
        row["start"] = min(row["start"], seg.started_at)
        if seg.ended_at is None:
            row["open"] = True
            continue
        secs = (seg.ended_at - seg.started_at).total_seconds()
        if seg.kind == SegmentKind.WAITING:
            row["wait"] += secs
            row["waited"] = True
        elif seg.kind in SERVICE_KINDS:
            row["service"] += secs
            row["served"] = True
        elif seg.kind == SegmentKind.DONE:
            row["done"] = True
    return list(per.values())


def average_service_seconds(
    purposes: Collection[str] | None = None, window_hours: int = 3, default: float = 900.0
) -> float:
    """Mean counter service time of tickets finished recently (``default`` with no data)."""
    since = timezone.now() - timedelta(hours=window_hours)
    rows = [r for r in visit_times(since) if r.get("done")]
    if purposes is not None:
        rows = [r for r in rows if r["purpose"] in purposes]
    mean = _mean([r["service"] for r in rows])
    return mean if mean else default


def wait_estimate_minutes(waiting: int, active_counters: int, service_seconds: float) -> int:
    """Expected wait of the next person to arrive: the queue shared by the open counters."""
    if waiting == 0:
        return 0
    return math.ceil(waiting * service_seconds / max(1, active_counters) / 60)
