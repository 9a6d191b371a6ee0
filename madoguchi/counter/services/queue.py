"""The queue: tickets, calling, recall, hold, transfer and the waiting-room display.

A ticket someone has called is theirs (with its visit): recall, hold, transfer and
complete are refused to other clerks (403, audited flagged ``ticket.denied``), except
supervisors, and a recall of a ticket held *for* the recalling clerk's counter
(``hold(..., to_counter=...)``: 保留 handed to a named counter). That, 回付 to a
group's queue (called next there) and a supervisor's take-over are the only hand-overs.

Two clerks never win the same ticket: the row is taken with ``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite serialises writers with IMMEDIATE transactions.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.analytics import services as segments
from madoguchi.analytics.models import SegmentKind

from ..models import CounterGroup, Ticket, TicketSequence, TicketStatus
from .errors import CounterError, TicketForbidden

CERTIFICATE = "certificate"


def valid_purposes() -> set[str]:
    from madoguchi.rules.facts import EVENTS

    return set(EVENTS) | {CERTIFICATE}


def issue_ticket(purpose: str, group: str | None = None, actor=None) -> Ticket:
    if purpose not in valid_purposes():
        raise CounterError(_("用件が不正です: %(p)s") % {"p": purpose}, "purpose")
    group = group or (CounterGroup.CERTIFICATE if purpose == CERTIFICATE else CounterGroup.ONESTOP)
    if group not in CounterGroup.values:
        raise CounterError(_("窓口グループが不正です: %(g)s") % {"g": group}, "group")
    today = timezone.localdate()
    with transaction.atomic():
        seq = _sequence(today, group)
        seq.last_number = F("last_number") + 1
        seq.save(update_fields=["last_number"])
        seq.refresh_from_db(fields=["last_number"])
        ticket = Ticket.objects.create(
            issued_on=today, group=group, number=seq.last_number, purpose=purpose
        )
        segments.stamp(ticket, SegmentKind.WAITING, staff=actor)
    return ticket


def _sequence(day: date, group: str) -> TicketSequence:
    qs = TicketSequence.objects.select_for_update().filter(issued_on=day, group=group)
    seq = qs.first()
    if seq is None:
        try:
            with transaction.atomic():
                TicketSequence.objects.create(issued_on=day, group=group, last_number=0)
        except IntegrityError:
            pass  # another writer created it first
        seq = qs.get()
    return seq


def _skip_locked(qs):
    if connection.vendor == "postgresql":
        return qs.select_for_update(skip_locked=True)
    return qs.select_for_update()


def checked_counter_no(value: str | None, field: str = "counter_no") -> str:
    """A counter number as typed, or a CounterError naming the field when it is longer
    than the ticket keeps (PostgreSQL refused it with a server error)."""
    value = (value or "").strip()
    limit = Ticket._meta.get_field("counter_no").max_length
    if len(value) > limit:
        raise CounterError(_("窓口番号は%(n)d文字までです") % {"n": limit}, field)
    return value


def call_next(actor, group: str, counter_no: str) -> Ticket | None:
    """Give the longest-waiting ticket of ``group`` to this clerk and open its visit."""
    counter_no = checked_counter_no(counter_no)
    if not counter_no:
        raise CounterError(_("窓口番号を入力してください"), "counter_no")
    with transaction.atomic():
        ticket = (
            _skip_locked(Ticket.objects.all())
            .filter(group=group, status=TicketStatus.WAITING, issued_on=timezone.localdate())
            .order_by("number")
            .first()
        )
        if ticket is None:
            return None
        _call(ticket, actor, counter_no)
        if ticket.purpose != CERTIFICATE and not hasattr(ticket, "visit"):
            from .visit import open_visit  # the visit module builds on the queue

            open_visit(actor, ticket=ticket)
    return ticket


def _call(ticket: Ticket, actor, counter_no: str) -> None:
    ticket.status = TicketStatus.CALLED
    ticket.called_by = actor
    ticket.counter_no = counter_no
    ticket.called_at = timezone.now()
    ticket.save(update_fields=["status", "called_by", "counter_no", "called_at"])
    segments.stamp(ticket, SegmentKind.CALLED, staff=actor)
    visit = getattr(ticket, "visit", None) if ticket.pk else None
    if visit is not None:  # a ticket sent on (回付) or held (保留) is called by another clerk
        from ..access import hand_over

        hand_over(visit, actor, ticket.status)


def _ticket_for_update(ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_for_update().get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise CounterError(_("受付票が見つかりません"), "ticket") from None


def _refusal(ticket: Ticket, actor, action: str, counter_no: str = "") -> TicketForbidden | None:
    """Why ``actor`` may not act on this ticket, or None (see the module's docstring)."""
    visit = getattr(ticket, "visit", None)
    owner = visit.clerk_id if (visit is not None and visit.clerk_id) else ticket.called_by_id
    if owner is None or owner == actor.pk or getattr(actor, "is_manager", False):
        return None
    if action == "recall" and ticket.status == TicketStatus.HELD and counter_no:
        if counter_no == ticket.counter_no:
            return None  # held for this counter: handed over
    return TicketForbidden(
        _("他の職員が対応中の番号です。保留で窓口を指定して引き継ぐか、責任者に依頼してください")
    )


def _guarded(ticket_id: int, actor, action: str, counter_no: str = "") -> Ticket:
    """The ticket, locked, or ``TicketForbidden`` (carrying the ticket for its audit row,
    written by ``_ticket_step`` once the block has rolled back)."""
    ticket = _ticket_for_update(ticket_id)
    exc = _refusal(ticket, actor, action, counter_no)
    if exc is not None:
        exc.ticket = ticket
        raise exc
    return ticket


def _audit_refusal(actor, ticket_id: int, action: str, exc: TicketForbidden) -> None:
    from madoguchi.audit.services import record

    ticket = exc.ticket
    visit = getattr(ticket, "visit", None)
    atena = [a for a in visit.persons.values_list("atena_no", flat=True) if a] if visit else []
    with transaction.atomic():
        record(
            actor,
            "ticket.denied",
            query=f"ticket:{ticket_id} {action}",
            person_ids=atena,
            flagged=True,
        )


def _ticket_step(ticket_id: int, actor, action: str, counter_no: str, change):
    """``change(ticket)`` on the locked ticket if ``actor`` may act on it."""
    try:
        with transaction.atomic():
            ticket = _guarded(ticket_id, actor, action, counter_no)
            change(ticket)
            return ticket
    except TicketForbidden as exc:
        _audit_refusal(actor, ticket_id, action, exc)  # committed: the block rolled back
        raise


def recall(ticket_id: int, actor, counter_no: str = "") -> Ticket:
    """Call the same number again (it shows again on the waiting-room display); a held
    number is called at ``counter_no`` — the one it was held for, if another clerk's."""
    counter_no = checked_counter_no(counter_no)

    def change(ticket: Ticket) -> None:
        if ticket.status not in (TicketStatus.CALLED, TicketStatus.HELD):
            raise CounterError(_("呼出中または保留の番号だけ再呼出しできます"), "status")
        if ticket.status == TicketStatus.HELD:
            _call(ticket, actor, counter_no or ticket.counter_no)
        else:
            ticket.called_at = timezone.now()
        ticket.recall_count += 1
        ticket.save(update_fields=["recall_count", "called_at"])

    return _ticket_step(ticket_id, actor, "recall", counter_no, change)


def hold(ticket_id: int, actor, to_counter: str = "") -> Ticket:
    """The resident is not there (or fetches a document): put the number aside — for
    ``to_counter`` when given (保留 handed to that counter: a clerk there may recall it
    and take the visit; audited ``ticket.hold``)."""
    to_counter = checked_counter_no(to_counter, "to_counter")

    def change(ticket: Ticket) -> None:
        from madoguchi.audit.services import record

        if ticket.status not in (TicketStatus.CALLED, TicketStatus.IN_SERVICE):
            raise CounterError(_("呼出中・対応中の番号だけ保留にできます"), "status")
        ticket.status = TicketStatus.HELD
        fields = ["status"]
        if to_counter:
            ticket.counter_no = to_counter
            fields.append("counter_no")
        ticket.save(update_fields=fields)
        segments.stamp(ticket, SegmentKind.WAITING, staff=actor)
        if to_counter:
            record(actor, "ticket.hold", query=f"ticket:{ticket.pk} to:{to_counter}")

    return _ticket_step(ticket_id, actor, "hold", "", change)


def transfer(ticket_id: int, group: str, actor) -> Ticket:
    """Send the number to another counter group's queue, keeping its place by number."""
    if group not in CounterGroup.values:
        raise CounterError(_("窓口グループが不正です: %(g)s") % {"g": group}, "group")

    def change(ticket: Ticket) -> None:
        if ticket.status in (TicketStatus.DONE, TicketStatus.CANCELLED):
            raise CounterError(_("完了した番号は回付できません"), "status")
        if group == ticket.group:
            raise CounterError(_("同じ窓口グループです"), "group")
        ticket.transferred_from = ticket.group
        ticket.group = group
        ticket.status = TicketStatus.WAITING
        ticket.counter_no = ""
        ticket.save(update_fields=["transferred_from", "group", "status", "counter_no"])
        segments.stamp(ticket, SegmentKind.WAITING, staff=actor)

    return _ticket_step(ticket_id, actor, "transfer", "", change)


def finish_ticket(ticket: Ticket, actor) -> None:
    ticket.status = TicketStatus.DONE
    ticket.save(update_fields=["status"])
    segments.stamp(ticket, SegmentKind.DONE, staff=actor)


def complete_certificate(ticket_id: int, actor) -> Ticket:
    def change(ticket: Ticket) -> None:
        if ticket.status not in (TicketStatus.CALLED, TicketStatus.IN_SERVICE):
            raise CounterError(_("呼出中の番号だけ完了にできます"), "status")
        finish_ticket(ticket, actor)

    return _ticket_step(ticket_id, actor, "complete", "", change)


def waiting(group: str):
    return Ticket.objects.filter(
        group=group, status=TicketStatus.WAITING, issued_on=timezone.localdate()
    ).order_by("number")


def display_board() -> dict:
    """The waiting-room display: numbers only, never personal data."""
    today = timezone.localdate()
    groups = []
    for group in CounterGroup:
        tickets = Ticket.objects.filter(issued_on=today, group=group)
        called = list(
            tickets.filter(status__in=[TicketStatus.CALLED, TicketStatus.IN_SERVICE])
            .order_by("-called_at")
            .values("group", "number", "counter_no", "recall_count")[:8]
        )
        n_waiting = tickets.filter(status=TicketStatus.WAITING).count()
        active = (
            tickets.filter(status__in=[TicketStatus.CALLED, TicketStatus.IN_SERVICE])
            .values("counter_no")
            .distinct()
            .count()
        )
        purposes = {CERTIFICATE} if group == CounterGroup.CERTIFICATE else None
        est = segments.wait_estimate_minutes(
            n_waiting, active, segments.average_service_seconds(purposes)
        )
        groups.append(
            {
                "group": group.value,
                "label": group.label,
                "called": [
                    {
                        "number": Ticket(group=c["group"], number=c["number"]).display_no,
                        "counter_no": c["counter_no"],
                        "recalled": c["recall_count"] > 0,
                    }
                    for c in called
                ],
                "waiting": n_waiting,
                "estimate_min": est,
            }
        )
    return {"groups": groups, "at": timezone.localtime().strftime("%H:%M")}
