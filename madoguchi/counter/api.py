"""JSON API of the counter: the whole flow from ticket to signed bundle."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import SessionAuth
from pydantic import BaseModel, ConfigDict

from madoguchi.core.apierrors import errors, respond
from madoguchi.core.apitypes import WarekiDate

from . import access, inputs, services
from .models import Ticket, Visit
from .serialize import ticket_dict, visit_dict


class CounterStaffAuth(SessionAuth):
    """A logged-in member of the counter staff (clerk, manager, admin), with CSRF checked
    like the API's session auth; department staff work from /api/tasks/."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_counter_staff else None


router = Router(tags=["counter"], auth=CounterStaffAuth())


def _fail(exc: services.CounterError):
    """A refused step: 409 for a conflict (``current_version``: the visit's version now),
    400 otherwise; the error body of core/apierrors.py."""
    if isinstance(exc, services.VisitConflict):
        return respond(409, exc.message, exc.field, current_version=exc.current_version)
    if isinstance(exc, services.TicketTaken):
        return respond(409, exc.message, exc.field)
    if isinstance(exc, services.TicketForbidden):
        return respond(403, exc.message, exc.field)
    return respond(400, exc.message, exc.field)


class TicketIn(Schema):
    purpose: str
    group: str | None = None


class CallIn(Schema):
    group: str = "onestop"
    counter_no: str


class TransferIn(Schema):
    group: str


class VisitIn(Schema):
    ticket_id: int | None = None
    event_date: WarekiDate = None  # 和暦 or 西暦 as typed


class AcknowledgedOut(Schema):
    code: str
    reason: str
    by: str
    at: str


class FlowWarningOut(Schema):
    """A warning of the flow (counter/safety.py, docs/counter.md "Safety of the flow")."""

    code: Literal["resident_move_in", "event_date_ahead", "notification_late", "unconfirmed_facts"]
    severity: Literal["error", "warning"]  # error: 確認 is refused until it is fixed
    field: str  # the input it is about (events, event_date, facts)
    key: str  # what the acknowledge step names
    event: str  # the event concerned ("" for notification_late)
    persons: list[str]  # pids (resident_move_in, unconfirmed_facts)
    facts: dict[str, list[str]] = {}  # unconfirmed_facts: pid → the 要確認 fields left
    procedures: list[str]  # procedure ids past their deadline (notification_late)
    suggested_event: str | None  # the event the clerk may mean (転居 for a resident)
    message: str
    message_en: str
    acknowledged: AcknowledgedOut | None  # the clerk's reason, who and when
    needs_acknowledgement: bool  # a warning not acknowledged yet: 確認 is refused


class AskedDateOut(Schema):
    """A date the counter asks because a deadline counted from the event date passed."""

    detail: str  # the event detail that answers it (death_known_date)
    event: str
    procedure: str  # the procedure whose deadline it starts
    procedure_name: str
    days: int | None
    value: date  # the answer, default the event date
    answered: bool


class IdoVersionOut(Schema):
    """One version of the visit's 異動 record (docs/ido.md): no personal data."""

    version: int
    stem: str  # ido-<visit>-v<version>[-cancel]
    record_type: Literal["ido", "cancel"]
    cancel: bool
    state: Literal["pending", "sent", "failed"]  # 送信待ち, 送信済み, 失敗
    state_label: str
    waiting_for_earlier: bool  # an earlier version is not delivered yet
    sent_at: str | None
    plugin: str
    files: list[str]  # the drop folder's file names (ido_file)
    nightly: bool  # delivered by the nightly batch (local)
    error: str  # the last failed attempt's reason
    attempts: int
    persons: int
    created_at: str
    latest: bool


class IdoReconcileOut(Schema):
    summary: Literal["一致", "反映待ち", "要確認"]
    rows: list[dict]  # as GET /api/counter/ido/reconcile, for this visit


class IdoStateOut(Schema):
    versions: list[IdoVersionOut]
    state: Literal["pending", "sent", "failed", "cancel"]  # of the latest version
    retry: bool  # a version not delivered: 「再送」 is offered
    reconcile: IdoReconcileOut | None  # once the latest version reached the core system


class VisitOut(BaseModel):  # a plain model: ninja's Schema drops the extra keys
    """The visit (counter/serialize.py ``visit_dict``); the keys below are typed, the
    others (persons, events, result, questions, tasks …) are documented in docs/counter.md."""

    model_config = ConfigDict(extra="allow")

    id: int
    version: int
    step: str
    event_date: date
    notified_on: date  # the 届出日 the checks count from (core/clock.py)
    warnings: list[FlowWarningOut]
    overdue: list[str]  # procedures whose deadline has passed on notified_on (期限超過)
    asked_dates: list[AskedDateOut]  # asked before a deadline can be told (死亡届)
    ido: IdoStateOut | dict  # the 異動 record to the core system; {} before signing


# ---------------------------------------------------------------- queue


@router.post("/tickets", response={201: dict, **errors(400)})
def issue(request, payload: TicketIn):
    try:
        t = services.issue_ticket(payload.purpose, payload.group, request.user)
    except services.CounterError as exc:
        return _fail(exc)
    return Status(201, ticket_dict(t))


@router.get("/queue", response=list[dict])
def queue(request, group: str = "onestop"):
    return [ticket_dict(t) for t in services.waiting(group)]


@router.post("/call-next", response={200: dict, 204: None, **errors(400)})
def call_next(request, payload: CallIn):
    try:
        t = services.call_next(request.user, payload.group, payload.counter_no)
    except services.CounterError as exc:
        return _fail(exc)
    if t is None:
        return Status(204, None)
    t = Ticket.objects.select_related("visit").get(pk=t.pk)
    return Status(200, ticket_dict(t))


def _ticket_action(func, *args):
    try:
        t = func(*args)
    except services.CounterError as exc:
        return _fail(exc)
    return Status(200, ticket_dict(Ticket.objects.get(pk=t.pk)))


@router.post("/tickets/{ticket_id}/recall", response={200: dict, **errors(400, 403)})
def recall(request, ticket_id: int, counter_no: str = ""):
    """Call again; ``counter_no``: the calling counter (a number held for it by another
    clerk becomes this clerk's)."""
    return _ticket_action(services.recall, ticket_id, request.user, counter_no)


@router.post("/tickets/{ticket_id}/hold", response={200: dict, **errors(400, 403)})
def hold(request, ticket_id: int, to_counter: str = ""):
    """Put aside; ``to_counter``: hand it to that counter (保留 to a named counter)."""
    return _ticket_action(services.hold, ticket_id, request.user, to_counter)


@router.post("/tickets/{ticket_id}/transfer", response={200: dict, **errors(400, 403)})
def transfer(request, ticket_id: int, payload: TransferIn):
    return _ticket_action(services.transfer, ticket_id, payload.group, request.user)


@router.post("/tickets/{ticket_id}/complete", response={200: dict, **errors(400, 403)})
def complete(request, ticket_id: int):
    return _ticket_action(services.complete_certificate, ticket_id, request.user)


@router.get("/display", response=dict)
def display(request):
    return services.display_board()


@router.get("/postal/{code}", response={200: list[dict], **errors(400)})
def postal(request, code: str):
    try:
        return Status(200, services.postal_candidates(code))
    except services.CounterError as exc:
        return _fail(exc)


# ---------------------------------------------------------------- visit


def _door(request, visit_id: int, audit_read: bool = True):
    """The one audited read of the visit (``access.read_visit``): (visit, None), or
    (None, the 404/403 response; a refusal is audited flagged)."""
    try:
        return access.read_visit(visit_id, request.user, audit_read=audit_read), None
    except access.VisitNotFound as exc:
        raise Http404(exc.message) from None
    except access.VisitForbidden as exc:
        return None, respond(403, exc.message, exc.field)


def _visit_response(request, visit_id: int, status: int = 200):
    with transaction.atomic():
        visit = Visit.objects.get(pk=visit_id)
        return Status(status, visit_dict(visit, request.user))


def _step(request, func, visit_id: int, *args, **kw):
    _visit, refused = _door(request, visit_id)
    if refused is not None:
        return refused
    try:
        func(visit_id, *args, **kw)
    except services.CounterError as exc:
        return _fail(exc)
    return _visit_response(request, visit_id)


@router.post("/visits", response={201: VisitOut, **errors(400, 404, 409)})
def open_visit(request, payload: VisitIn):
    ticket = None
    if payload.ticket_id:
        ticket = Ticket.objects.filter(pk=payload.ticket_id).first()
        if ticket is None:
            return respond(404, _("受付票が見つかりません"), "ticket_id")
    try:
        visit = services.open_visit(request.user, ticket=ticket, event_date=payload.event_date)
    except services.CounterError as exc:
        return _fail(exc)
    return _visit_response(request, visit.pk, 201)


@router.get("/visits/{visit_id}", response={200: VisitOut, **errors(403, 404)})
def get_visit(request, visit_id: int):
    _visit, refused = _door(request, visit_id)
    return refused or _visit_response(request, visit_id)


class TakeOverIn(Schema):
    to: str = ""


@router.post("/visits/{visit_id}/takeover", response={200: VisitOut, **errors(400, 403, 404)})
def take_over(request, visit_id: int, payload: TakeOverIn):
    """A supervisor (manager, admin) gives an open visit to themselves or to clerk ``to``."""
    try:
        access.take_over(visit_id, request.user, payload.to)
    except access.VisitNotFound as exc:
        return respond(404, exc.message, exc.field)
    except access.VisitForbidden as exc:
        access.audit_refusal(request.user, visit_id, exc)
        return respond(403, exc.message, exc.field)
    except services.CounterError as exc:
        return _fail(exc)
    return get_visit(request, visit_id)


def _visit_step(step: inputs.Step):
    """One POST endpoint per visit step (``inputs.STEPS``: the same inputs as the screen)."""

    def endpoint(request, visit_id: int, payload):
        return _step(
            request, step.service, visit_id, payload.version, request.user, *step.args(payload)
        )

    endpoint.__name__ = "visit_" + step.name.replace("-", "_")
    endpoint.__annotations__ = {"visit_id": int, "payload": step.schema}
    router.post(
        f"/visits/{{visit_id}}/{step.name}",
        response={200: VisitOut, **errors(400, 403, 404, 409)},
    )(endpoint)


for _s in inputs.STEPS:
    _visit_step(_s)


@router.get(
    "/visits/{visit_id}/bundle.pdf",
    response=errors(400, 403, 404),
    openapi_extra={
        "responses": {"200": {"description": "the bundle PDF", "content": {"application/pdf": {}}}}
    },
)
def bundle(request, visit_id: int):
    return _printed(request, visit_id, services.bundle_pdf, f"visit-{visit_id}.pdf")


def _printed(request, visit_id: int, render, filename: str):
    """A print of the visit through its door (the print itself is audited)."""
    _visit, refused = _door(request, visit_id, audit_read=False)
    if refused is not None:
        return refused
    try:
        pdf = render(visit_id, request.user)
    except services.CounterError as exc:
        return _fail(exc)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    resp["Cache-Control"] = "no-store"
    return resp


@router.get(
    "/visits/{visit_id}/guide.pdf",
    response=errors(400, 403, 404),
    openapi_extra={
        "responses": {
            "200": {"description": "the guide sheet alone", "content": {"application/pdf": {}}}
        }
    },
)
def guide(request, visit_id: int):
    """The guide sheet alone, rendered again from the visit's stored data (a reprint
    after a change that alters only it); recorded as a print and audited."""
    return _printed(request, visit_id, services.guide_pdf, f"visit-{visit_id}-guide.pdf")


# ---------------------------------------------------------------- the 異動 (docs/ido.md)


class IdoLinkIn(Schema):
    """Record 宛名番号: every match of the conservative rule (``all``), or the candidate
    chosen for one person (``visit_id``, ``pid``, ``atena_no``)."""

    all: bool = False
    visit_id: int | None = None
    pid: str = ""
    atena_no: str = ""
    date: str = ""  # 署名日 (和暦 or 西暦): which visits, for ``all``
    days: int | None = None


def _ido_filters(date_text: str, days: int | None):
    """(署名日 or None, days) or an error response naming the field."""
    from django.conf import settings

    from madoguchi.core.wareki import WarekiError, parse_wareki

    on = None
    if (date_text or "").strip():
        try:
            on = parse_wareki(date_text)
        except WarekiError as exc:
            return None, None, respond(400, str(exc), "date")
    if days is not None and days < 0:
        return None, None, respond(400, _("反映待ちの日数は0以上です"), "days")
    return on, settings.MADOGUCHI_IDO_WAIT_DAYS if days is None else days, None


@router.get("/ido/reconcile", response={200: dict, **errors(400)})
def ido_reconcile(request, date: str = "", days: int | None = None):
    """Each 異動 of the signed visits against the register as last imported (the page
    /counter/ido/): statuses, differences, matches and candidates of the persons without
    宛名番号, and the records not yet delivered to the core system. Audited; 支援措置
    masked for staff without the permission."""
    from django.utils import timezone

    from . import ido, ido_handoff

    on, days, refused = _ido_filters(date, days)
    if refused is not None:
        return refused
    with transaction.atomic():
        checks = ido.reconcile_visits(
            ido.signed_visits(on), request.user, timezone.localdate(), days
        )
    return {
        "checks": [ido.check_dict(c) for c in checks],
        "undelivered": [
            {"record": h.stem, "visit_id": h.visit_id, "record_type": h.record_type,
             "state": h.handoff_state, "attempts": h.attempts.count()}
            for h in ido_handoff.undelivered()[:200]
        ],
    }  # fmt: skip


@router.post("/ido/link", response={200: dict, **errors(400)})
def ido_link(request, payload: IdoLinkIn):
    from django.utils import timezone

    from . import ido

    on, days, refused = _ido_filters(payload.date, payload.days)
    if refused is not None:
        return refused
    today = timezone.localdate()
    if payload.all:
        with transaction.atomic():
            checks = ido.reconcile_visits(ido.signed_visits(on), request.user, today, days)
            return {"linked": ido.link_matches(checks, request.user)}
    if payload.visit_id is None:
        return respond(400, _("案件番号が不正です"), "visit_id")
    try:  # outside a transaction: a refused choice's read stays audited
        ido.link_choice(payload.visit_id, payload.pid, payload.atena_no, request.user, today, days)
    except ido.LinkError as exc:
        return respond(400, str(exc), "atena_no")
    return {"linked": 1}


@router.post("/ido/retry", response=dict)
def ido_retry(request):
    """Hand every 異動 record not delivered yet to the core system again, now."""
    from . import ido_handoff

    res = ido_handoff.retry(force=True)
    return {**res, "undelivered": ido_handoff.undelivered().count()}


@router.post("/visits/{visit_id}/ido/retry", response={200: VisitOut, **errors(403, 404)})
def visit_ido_retry(request, visit_id: int):
    """「再送」 of one signed visit: its 異動 record versions not delivered yet, now,
    oldest first (audited ``ido.resend``); the visit, with its ``ido`` state."""
    from . import ido_handoff

    visit, refused = _door(request, visit_id)
    if refused is not None:
        return refused
    ido_handoff.retry_visit(visit, request.user)
    return _visit_response(request, visit_id)
