"""JSON API of the counter: the whole flow from ticket to signed bundle."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

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


@router.post("/visits", response={201: dict, **errors(400, 404, 409)})
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


@router.get("/visits/{visit_id}", response={200: dict, **errors(403, 404)})
def get_visit(request, visit_id: int):
    _visit, refused = _door(request, visit_id)
    return refused or _visit_response(request, visit_id)


class TakeOverIn(Schema):
    to: str = ""


@router.post("/visits/{visit_id}/takeover", response={200: dict, **errors(400, 403, 404)})
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
        response={200: dict, **errors(400, 403, 404, 409)},
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
    _visit, refused = _door(request, visit_id, audit_read=False)  # the print is audited
    if refused is not None:
        return refused
    try:
        pdf = services.bundle_pdf(visit_id, request.user)
    except services.CounterError as exc:
        return _fail(exc)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="visit-{visit_id}.pdf"'
    resp["Cache-Control"] = "no-store"
    return resp
