"""The counter's provider of visit figures to analytics (``analytics.sources``).

Analytics sits below the counter and the tasks in the layer order: it owns the rollups
and the interface, and the counter, which can read its own tickets and visits, the tasks
it routes and the bundles it prints, computes each day's figures for it. Registered in
``CounterConfig.ready``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.utils import timezone

from madoguchi.analytics.models import SegmentKind, TimeSegment
from madoguchi.analytics.rollups import COUNTER_SEGMENTS, Acc, Table, hist_add, local_bounds
from madoguchi.analytics.sources import VisitSource
from madoguchi.documents.models import BundleRecord
from madoguchi.tasks.models import Handling, Task

from .models import CounterGroup, Ticket, Visit


def day_tables(first: date, last: date) -> dict[date, Table]:
    """Every figure of each day in [first, last], computed from the visits."""
    tables: dict[date, Table] = defaultdict(lambda: defaultdict(Acc))
    tickets = list(
        Ticket.objects.filter(issued_on__gte=first, issued_on__lte=last).values(
            "id", "issued_on", "group", "purpose", "status", "counter_no", "called_by_id",
            "issued_at",
        )
    )  # fmt: skip
    visits = {
        v["ticket_id"]: v
        for v in Visit.objects.filter(
            ticket__issued_on__gte=first, ticket__issued_on__lte=last
        ).values("id", "ticket_id", "clerk_id", "step", "result")
    }
    # tasks per visit by where they are handled: the back office (a visit with one is not
    # completed at one counter) or the counter itself (同席で対応)
    back_office: dict[int, int] = defaultdict(int)
    at_counter: dict[int, int] = defaultdict(int)
    for visit_id, handling in Task.objects.filter(
        visit__ticket__issued_on__gte=first, visit__ticket__issued_on__lte=last
    ).values_list("visit_id", "handling"):
        (at_counter if handling == Handling.AT_COUNTER else back_office)[visit_id] += 1
    bundles: dict[str, tuple[int, int]] = {}
    refs = [f"visit:{v['id']}" for v in visits.values()]
    start, end = local_bounds(first, last)
    printed = BundleRecord.objects.filter(  # printed during the visit: the indexed date
        channel="counter", created_at__gte=start, created_at__lt=end + timedelta(days=1)
    )
    for i in range(0, len(refs), 5000):
        for ref, documents, chars in (
            printed.filter(reference__in=refs[i : i + 5000])
            .order_by("id")
            .values_list("reference", "documents", "handwritten_chars")
        ):
            bundles[ref] = (documents, chars)  # the last print counts
    seconds: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for tid, kind, a, b in TimeSegment.objects.filter(
        ticket__issued_on__gte=first,
        ticket__issued_on__lte=last,
        kind__in=COUNTER_SEGMENTS,
        ended_at__isnull=False,
    ).values_list("ticket_id", "kind", "started_at", "ended_at"):
        seconds[tid][kind] += (b - a).total_seconds()
    for t in tickets:
        table = tables[t["issued_on"]]
        visit = visits.get(t["id"])
        cancelled = t["status"] != "done" or (visit is not None and visit["step"] != "done")
        local = timezone.localtime(t["issued_at"])
        clerk = (visit or {}).get("clerk_id") or t["called_by_id"]
        keys = [
            ("total", ""),
            ("hour", str(local.hour)),
            ("weekday_hour", f"{local.weekday()}-{local.hour}"),
            ("purpose", t["purpose"]),
            ("counter", t["counter_no"] or "-"),
            ("clerk", str(clerk or "-")),
        ]
        if cancelled:
            for dim, key in keys:
                table[(t["group"], dim, key)].cancelled += 1
            continue
        secs = seconds.get(t["id"], {})
        wait = secs.get(SegmentKind.WAITING, 0.0)
        service = sum(secs.get(k, 0.0) for k in COUNTER_SEGMENTS[1:])
        procedures = len((visit or {}).get("result", {}).get("procedures", []) or [])
        forms, chars = bundles.get(f"visit:{visit['id']}", (0, 0)) if visit else (0, 0)
        open_tasks = back_office.get(visit["id"], 0) if visit else 0
        counter_tasks = at_counter.get(visit["id"], 0) if visit else 0
        keys.append(("procedures", str(procedures)))
        for dim, key in keys:
            a = table[(t["group"], dim, key)]
            a.n += 1
            a.procedures += procedures
            a.forms += forms
            a.chars += chars
            a.one_counter += open_tasks == 0
            a.left_open += open_tasks > 0
            a.at_counter += counter_tasks
            a.wait_seconds += int(wait)
            a.service_seconds += int(service)
            hist_add(a.hist_wait, wait / 60)
            hist_add(a.hist_service, service / 60)
        for kind in COUNTER_SEGMENTS:
            if kind in secs:
                a = table[(t["group"], "segment", kind)]
                a.n += 1
                hist_add(a.hist_wait, secs[kind] / 60)
    # a task's department segment opens when it is routed and closes when it is done
    # (both indexed with the kind, so a day's figures never scan the whole history)
    for began, dept, group in TimeSegment.objects.filter(
        kind=SegmentKind.DEPARTMENT, started_at__gte=start, started_at__lt=end
    ).values_list("started_at", "task__department", "visit__ticket__group"):
        day = timezone.localtime(began).date()
        tables[day][(group or "onestop", "department", dept)].n += 1
    for began, ended, dept, group in TimeSegment.objects.filter(
        kind=SegmentKind.DEPARTMENT, ended_at__gte=start, ended_at__lt=end
    ).values_list("started_at", "ended_at", "task__department", "visit__ticket__group"):
        acc = tables[timezone.localtime(ended).date()][(group or "onestop", "department", dept)]
        acc.done += 1
        hist_add(acc.hist_wait, (ended - began).total_seconds() / 3600)
    return tables


def first_day() -> date | None:
    return Ticket.objects.order_by("issued_on").values_list("issued_on", flat=True).first()


def groups() -> list[tuple[str, str]]:
    return list(CounterGroup.choices)


SOURCE = VisitSource(day_tables=day_tables, first_day=first_day, groups=groups)
