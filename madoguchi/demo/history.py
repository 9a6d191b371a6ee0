"""One year of synthetic counter history for the demo, so the dashboard means something
on first start.

Shape: every visit is what the counter writes — a ticket, its time segments (waiting →
called → interview → printing → done), the visit with its determined procedures, one task
per procedure with its status history and department segment, and the printed bundle's
analytics row. The procedures, departments, forms and characters saved come from the real
rules and form engine run on the project's worked examples (``rules/examples``), one
template per life event; waits come from queueing the day's arrivals at the day's open
counters. Arrivals follow a city's year: the March–April moving peak, Monday mornings,
the lunch dip. Rows are bulk-written without audit rows (nobody read anybody: no person
is attached to a synthetic visit), then the closed days are rolled up.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

#: share of one-stop visits per life event, outside the moving season
EVENT_MIX = {
    "move_in": 0.27,
    "move_out": 0.25,
    "move_within": 0.16,
    "birth": 0.09,
    "death": 0.10,
    "marriage": 0.06,
    "divorce": 0.03,
    "move_in_from_abroad": 0.02,
    "move_out_abroad": 0.02,
}
MOVES = {"move_in", "move_out", "move_within", "move_in_from_abroad", "move_out_abroad"}
#: arrivals by hour of the day (relative; 8 h and 17 h are the half hours after opening
#: and before closing)
HOUR_SHAPE = {8: 0.5, 9: 1.35, 10: 1.35, 11: 1.1, 12: 0.65, 13: 1.0, 14: 1.0, 15: 0.9,
              16: 0.7, 17: 0.15}  # fmt: skip
ONESTOP_PER_DAY = 36  # an ordinary weekday outside the season
CERTIFICATES_PER_DAY = 30
#: median turnaround (hours) of a department's task
TURNAROUND_HOURS = {"citizen": 2.0, "insurance": 6.0, "tax": 30.0, "child": 20.0, "care": 26.0,
                    "education": 18.0, "nursery": 60.0, "health": 16.0, "elderly": 24.0,
                    "environment": 8.0}  # fmt: skip
EXAMPLES = Path(__file__).resolve().parent.parent / "rules" / "examples"
# Placeholder register facts of the worked examples' household, so that the characters a
# resident would have written (names, kana, addresses) are counted as on a real form.
_REGISTER = {
    "name": "北見　太郎",
    "kana": "キタミ　タロウ",
    "postal_code": "0900024",
    "address": "北海道北見市北四条東3丁目1番地",
    "former_address": "北海道札幌市中央区北一条西2丁目1番地",
    "honseki": "北海道北見市北四条東3丁目1番地",
    "hittousha": "北見　太郎",
    "phone": "0157-00-0000",
}


@dataclass(frozen=True)
class Template:
    event: str
    procedures: list[dict]
    forms: list[str]
    chars: int


def templates(on: dt.date) -> dict[str, Template]:
    """One template per life event: the worked example run through the rules and the
    form engine (the same code the counter runs)."""
    import yaml

    from madoguchi.counter.determination import catalog
    from madoguchi.documents import services as docs
    from madoguchi.documents.engine import build_data
    from madoguchi.rules import determine

    cat = catalog()
    cat_dir = docs._catalog_dir(cat)
    forms = docs.forms_of(cat_dir)
    municipality = docs.municipality_of(cat)
    out = {}
    for path in sorted(EXAMPLES.glob("*.situation.yaml")):
        sit = yaml.safe_load(path.read_text(encoding="utf-8"))
        for person in sit.get("persons", []):
            person.setdefault("register", dict(_REGISTER))
        result = determine(sit, cat)
        data, _overflow, chars = build_data(sit, result, forms, municipality, None, on)
        out.setdefault(
            sit["event"],
            Template(
                sit["event"],
                [
                    {
                        "id": p["id"],
                        "name": p.get("name", p["id"]),
                        "department": p.get("department", ""),
                        "persons": p.get("persons", []),
                        # the department lets the counter complete it (the catalog's
                        # flag): the demo's clerks do so (同席で対応)
                        "counter_completion": cat.procedure(p["id"], on).counter_completion,
                    }
                    for p in result["procedures"]
                ],
                sorted({d["form"] for d in data["documents"]}),
                chars,
            ),
        )
    return out


CERTIFICATE_MINUTES = 5.5  # median counter time of a certificate request
#: the last days whose certificate requests go through the counter's services
SERVICE_DAYS = 14
_ORDINARY_DAY = dt.date(2027, 2, 17)  # a Wednesday outside the season


def _service_median(template: Template) -> float:
    """Median counter time of a visit: a base plus a little per procedure."""
    return 9 + 2.2 * len(template.procedures)


def day_factor(day: dt.date) -> tuple[float, float]:
    """(one-stop, certificate) load of the day relative to an ordinary weekday."""
    moving = 1.0
    if (day.month == 3 and day.day >= 15) or (day.month == 4 and day.day <= 10):
        moving = 3.0  # the last fortnight of March and the first days of April
    elif day.month in (3, 4):
        moving = 1.8
    monday = 1.3 if day.weekday() == 0 else 1.0
    return moving * monday, (1.4 if day.month in (3, 4) else 1.0) * monday


def is_open(day: dt.date) -> bool:
    import jpholiday

    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def _hour_shape(day: dt.date, monday_morning: bool) -> dict[int, float]:
    shape = dict(HOUR_SHAPE)
    if monday_morning and day.weekday() == 0:
        for h in (8, 9, 10, 11):
            shape[h] *= 1.5
    return shape


def arrivals(day: dt.date, per_day: float, rng: random.Random, monday_morning: bool):
    """Arrival times (aware datetimes, in UTC) of one counter group over the day."""
    tz = timezone.get_current_timezone()
    shape = _hour_shape(day, monday_morning)
    total = sum(shape.values())
    out = []
    for hour, weight in shape.items():
        start = 30 if hour == 8 else 0
        end = 15 if hour == 17 else 60
        n = _poisson(rng, per_day * weight / total)
        for _ in range(n):
            minute = rng.uniform(start, end)
            local = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            out.append((local + dt.timedelta(minutes=minute)).astimezone(dt.UTC))
    return sorted(out)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


#: the busy hours' share of a counter's time spent on residents a city plans for
TARGET_UTILISATION = 0.85
#: minutes a clerk spends after a resident leaves (filing, the system's closing steps)
#: before calling the next one: the desk is busy, the next resident still waits
WRAP_UP_MINUTES = {"onestop": 4.0, "certificate": 1.0}
#: median minutes a clerk takes a waiting resident's reception slip and looks the
#: household up before calling the number: the resident waits, the desk is busy
PREPARE_MINUTES = {"onestop": 3.0, "certificate": 0.7}
#: the moving season borrows clerks from other sections, up to this many times the
#: desks of an ordinary day: the peak still queues longer than the rest of the year
SEASON_DESKS_CAP = 2.2


def desk_schedule(day: dt.date, per_day: float, handle_minutes: float, cap: int | None = None):
    """Desks open per hour (``{hour: n}``) as a section staffs them: enough for the
    busiest hour of the morning and of the afternoon at ``TARGET_UTILISATION`` (Monday
    mornings get theirs), one desk fewer over the lunch rotation, at most ``cap``."""
    shape = _hour_shape(day, monday_morning=True)
    total = sum(shape.values())

    def desks(hours):
        load = max(per_day * shape[h] / total * handle_minutes / 60 for h in hours)
        n = max(1, math.ceil(load / TARGET_UTILISATION))
        return min(n, cap) if cap else n

    morning, afternoon = desks((9, 10, 11)), desks((13, 14, 15, 16))
    out = {h: morning for h in (8, 9, 10, 11)}
    out[12] = max(1, morning - 1)
    out.update({h: afternoon for h in (13, 14, 15, 16, 17)})
    return out


def queue(times, services, desks, wrap_up: float = 0.0):
    """FIFO at the counters: (desk index, start) per arrival, the desk that can take a
    resident first taking the next one. ``desks`` is a number or ``{hour: desks open}``
    (desk k is open in an hour when k < that number; a resident being served when it
    closes is finished); a desk is busy ``wrap_up`` minutes after each resident."""
    if not times:
        return []
    schedule = desks if isinstance(desks, dict) else None
    n = max(schedule.values()) if schedule else desks
    tz = timezone.get_current_timezone()

    last_hour = max(schedule) if schedule else 23

    def opens(k, at):
        """The first moment from ``at`` at which desk k takes a resident: ``at`` if it is
        open; after the last hour the desks of that hour finish the queue, the others
        never open again that day."""
        if schedule is None:
            return at
        local = at.astimezone(tz)
        while local.hour <= last_hour and local.date() == at.astimezone(tz).date():
            if schedule.get(local.hour, 0) > k:
                return at if local == at else local.astimezone(dt.UTC)
            local = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return at if schedule[last_hour] > k else at + dt.timedelta(days=1)

    free = [(times[0], k) for k in range(n)]
    out = []
    for t, s in zip(times, services, strict=True):
        while True:
            at, k = heapq.heappop(free)
            begin = max(t, at)
            start = opens(k, begin)
            if start == begin:
                break
            heapq.heappush(free, (start, k))  # closed until then: another desk may be sooner
        heapq.heappush(free, (start + dt.timedelta(minutes=s + wrap_up), k))
        out.append((k, start))
    return out


def generate(
    days: int = 365,
    seed: int = 20270401,
    end: dt.date | None = None,
    scale: float = 1.0,
    task_history: bool = True,
    rollup_days: int | None = 92,
    service_days: int = SERVICE_DAYS,
):
    """Write ``days`` of history ending the day before ``end`` (default today) and roll the
    closed days up; returns the number of tickets written. Run it on an empty counter.
    ``task_history=False`` leaves out the tasks' status rows (nothing the dashboard reads;
    benchmarks at a million visits save a third of the rows). Only the last
    ``rollup_days`` are rolled up here (``None``: all); older days are rolled up the first
    time a period reaches them, so the demo is ready sooner. The certificate requests
    of the last ``service_days`` go through the counter's own queue services (ticket,
    call, completion) on a replayed clock, after the bulk rows."""
    from madoguchi.accounts.models import Role, Staff
    from madoguchi.analytics.bulk import Writer
    from madoguchi.analytics.models import TimeSegment
    from madoguchi.analytics.rollups import ensure
    from madoguchi.counter.models import Ticket, Visit
    from madoguchi.documents.models import BundleRecord
    from madoguchi.tasks.models import Task, TaskStatus

    rng = random.Random(seed)
    end = end or timezone.localdate()
    start = end - dt.timedelta(days=days)
    tpl = templates(end)
    events = [e for e in EVENT_MIX if e in tpl]
    clerks = list(
        Staff.objects.filter(role=Role.CLERK).order_by("pk").values_list("pk", flat=True)
    ) or list(
        Staff.objects.filter(role__in=[Role.MANAGER, Role.ADMIN]).values_list("pk", flat=True)[:1]
    )
    department_staff = dict(
        Staff.objects.filter(role=Role.DEPARTMENT).order_by("-pk").values_list("department", "pk")
    )
    now = timezone.now()
    written = 0
    replay: list[dict] = []
    through_services = end - dt.timedelta(days=service_days)
    with transaction.atomic():
        w = Writer(Ticket, Visit, BundleRecord, Task, TaskStatus, TimeSegment)
        day = start
        while day < end:
            if is_open(day):
                written += _day(
                    w, day, rng, tpl, events, clerks, department_staff, now, scale, task_history,
                    replay if day >= through_services else None,
                )  # fmt: skip
                if w.pending > 200_000:
                    w.flush()
            day += dt.timedelta(days=1)
        w.flush()
        w.reset_sequences()
        replay_through_services(replay)
    first = start if rollup_days is None else max(start, end - dt.timedelta(days=rollup_days))
    ensure(first, end - dt.timedelta(days=1), today=end)
    return written


def replay_through_services(days: list[dict]) -> int:
    """Certificate requests through the counter's queue services, as the counter serves
    them: ``issue_ticket`` when the resident arrives, ``call_next`` when a desk calls the
    next number, ``complete_certificate`` when the clerk finishes — on a replayed clock
    (``timezone.now`` returns the simulated moment while a service runs), so tickets,
    numbers and time segments are the counter's own. No person is read: no audit row."""
    from unittest import mock

    from madoguchi.accounts.models import Staff
    from madoguchi.counter.services import queue

    staff = Staff.objects.in_bulk()
    clock = [timezone.now()]
    served = 0
    with mock.patch.object(timezone, "now", lambda: clock[0]):
        for d in days:
            moments = []
            for i, (t, called, done, _desk, _clerk) in enumerate(d["residents"]):
                moments += [(t, 0, i), (called, 1, i), (done, 2, i)]
            tickets: dict[int, object] = {}  # resident → the ticket their desk called
            for at, kind, i in sorted(moments, key=lambda m: (m[0], m[1], m[2])):
                clock[0] = at
                _t, _c, _d, desk, clerk = d["residents"][i]
                actor = staff.get(clerk)
                if kind == 0:
                    queue.issue_ticket("certificate", d["group"], actor=None)
                elif kind == 1:
                    tickets[i] = queue.call_next(actor, d["group"], str(desk + 11))
                elif tickets.get(i) is not None:
                    queue.complete_certificate(tickets[i].pk, actor)
                    served += 1
    return served


def _day(
    w, day, rng, tpl, events, clerks, department_staff, now, scale, task_history, replay=None
) -> int:
    from madoguchi.analytics.models import SegmentKind, TimeSegment
    from madoguchi.counter.models import CounterGroup, Ticket, TicketStatus, Visit, VisitStep
    from madoguchi.documents.models import BundleRecord
    from madoguchi.tasks.models import Handling, Status, Task, TaskStatus

    onestop_f, cert_f = day_factor(day)
    count = 0
    for group, per_day, ordinary in (
        (CounterGroup.ONESTOP, ONESTOP_PER_DAY * onestop_f * scale, ONESTOP_PER_DAY * scale),
        (CounterGroup.CERTIFICATE, CERTIFICATES_PER_DAY * cert_f * scale,
         CERTIFICATES_PER_DAY * scale),
    ):  # fmt: skip
        times = arrivals(day, per_day, rng, monday_morning=True)
        purposes, services = [], []
        weights = [EVENT_MIX[e] * (2.6 if e in MOVES and onestop_f >= 2 else 1) for e in events]
        for _t in times:
            if group == CounterGroup.CERTIFICATE:
                purposes.append("certificate")
                services.append(rng.lognormvariate(math.log(CERTIFICATE_MINUTES), 0.45))
            else:
                event = rng.choices(events, weights)[0]
                purposes.append(event)
                services.append(rng.lognormvariate(math.log(_service_median(tpl[event])), 0.35))
        prepare = [rng.lognormvariate(math.log(PREPARE_MINUTES[group]), 0.4) for _t in times]
        # the desks the section opens: planned on the expected handling time (service
        # and wrap-up) of the day's expected arrivals; the season's borrowed clerks are
        # limited, so the March peak queues longer
        wrap_up = WRAP_UP_MINUTES[group]
        handle = (
            wrap_up
            + PREPARE_MINUTES[group] * math.exp(0.4**2 / 2)
            + (
                CERTIFICATE_MINUTES * math.exp(0.45**2 / 2)
                if group == CounterGroup.CERTIFICATE
                else sum(
                    wt * _service_median(tpl[e]) * math.exp(0.35**2 / 2)
                    for wt, e in zip(weights, events, strict=True)
                )
                / sum(weights)
            )
        )
        usual = max(desk_schedule(_ORDINARY_DAY, ordinary, handle).values())
        desks = desk_schedule(day, per_day, handle, cap=math.ceil(usual * SEASON_DESKS_CAP))
        busy = [p + s for p, s in zip(prepare, services, strict=True)]
        replay_day = {"group": group, "residents": []}
        if replay is not None and group == CounterGroup.CERTIFICATE:
            replay.append(replay_day)
        for number, (t, purpose, service, ready, (desk, taken)) in enumerate(
            zip(times, purposes, services, prepare, queue(times, busy, desks, wrap_up),
                strict=True),
            start=1,
        ):  # fmt: skip
            count += 1
            begin = taken + dt.timedelta(minutes=ready)  # the number is called
            clerk = clerks[desk % len(clerks)] if clerks else None
            no_show = rng.random() < 0.01
            cert = purpose == "certificate"
            if cert and replay is not None:
                if not no_show:  # a resident who left is never called
                    replay_day["residents"].append(
                        (t, begin, begin + dt.timedelta(minutes=service), desk, clerk)
                    )
                continue
            ticket = w.add(
                Ticket,
                issued_on=day,
                group=group,
                number=number,
                purpose=purpose,
                status=TicketStatus.CANCELLED if no_show else TicketStatus.DONE,
                counter_no="" if no_show else str(desk + 1 + (10 if cert else 0)),
                called_by_id=None if no_show else clerk,
                issued_at=t,
                called_at=None if no_show else begin,
            )
            seg = dict(ticket_id=ticket, purpose=purpose, municipality_code="999999")
            w.add(TimeSegment, kind=SegmentKind.WAITING, started_at=t,
                  ended_at=None if no_show else begin, **seg)  # fmt: skip
            if no_show:
                continue
            called_end = begin + dt.timedelta(minutes=service if cert else min(1.0, service * 0.1))
            interview_end = called_end + dt.timedelta(minutes=service * 0.6)
            done_at = begin + dt.timedelta(minutes=service)
            cancel = not cert and rng.random() < 0.02
            visit = None
            if not cert:
                template = tpl[purpose]
                visit = w.add(
                    Visit, ticket_id=ticket, clerk_id=clerk,
                    step=VisitStep.CANCELLED if cancel else VisitStep.DONE,
                    event_date=day, state={"cancel_reason": "demo"} if cancel else {},
                    result={"event": purpose, "procedures": template.procedures},
                    id_document="" if cancel else "my_number_card",
                    printed_at=None if cancel else interview_end,
                    signed_at=None if cancel else done_at,
                    created_at=begin, updated_at=done_at,
                )  # fmt: skip
            for kind, a, b in (
                (SegmentKind.CALLED, begin, called_end),
                (SegmentKind.INTERVIEW, called_end, interview_end),
                (SegmentKind.PRINTING, interview_end, done_at),
                (SegmentKind.DONE, done_at, done_at),
            ):
                if cert and kind in (SegmentKind.INTERVIEW, SegmentKind.PRINTING):
                    continue
                w.add(TimeSegment, kind=kind, visit_id=visit, staff_id=clerk, started_at=a,
                      ended_at=b, **seg)  # fmt: skip
            if cert or cancel:
                continue
            w.add(BundleRecord, created_at=interview_end, channel="counter",
                  reference=f"visit:{visit}", forms=template.forms, documents=len(template.forms),
                  pages=len(template.forms) + 1, handwritten_chars=template.chars, overflow=0)  # fmt: skip
            for proc in template.procedures:
                dept = proc["department"]
                at_counter = proc.get("counter_completion", False)
                hours = rng.lognormvariate(math.log(TURNAROUND_HOURS.get(dept, 24.0)), 0.6)
                finished = interview_end if at_counter else done_at + dt.timedelta(hours=hours)
                finished = min(finished, now - dt.timedelta(minutes=5))
                task = w.add(
                    Task, visit_id=visit, procedure_id=proc["id"], name=proc["name"],
                    department=dept, persons=proc["persons"], deadline=None,
                    handling=Handling.AT_COUNTER if at_counter else Handling.BACK_OFFICE,
                    status=Status.DONE, handoff_state="sent", created_at=done_at,
                    municipality_code="999999",
                )  # fmt: skip
                worker = department_staff.get(dept)
                if task_history and at_counter:  # done at the counter, before signing
                    w.add(TaskStatus, task_id=task, status=Status.DONE, reason="",
                          actor_id=clerk, at=finished, at_counter=True)  # fmt: skip
                elif task_history:
                    w.add(TaskStatus, task_id=task, status=Status.RECEIVED, reason="",
                          actor_id=clerk, at=done_at, at_counter=False)  # fmt: skip
                    w.add(TaskStatus, task_id=task, status=Status.DONE, reason="",
                          actor_id=worker, at=finished, at_counter=False)  # fmt: skip
                w.add(TimeSegment, visit_id=visit, task_id=task, kind=SegmentKind.DEPARTMENT,
                      purpose=dept, staff_id=clerk if at_counter else worker,
                      started_at=finished if at_counter else done_at, ended_at=finished,
                      municipality_code="999999")  # fmt: skip
    return count
