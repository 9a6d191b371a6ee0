"""JSON API of the counter: the whole flow from ticket to signed bundle."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from . import services
from .models import Ticket, Visit
from .serialize import ticket_dict, visit_dict


class CounterStaffAuth(SessionAuth):
    """A logged-in member of the counter staff (clerk, manager, admin), with CSRF checked
    like the API's session auth; department staff work from /api/tasks/."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_counter_staff else None


router = Router(tags=["counter"], auth=CounterStaffAuth())


class Error(Schema):
    field: str = ""
    message: str
    current_version: int | None = None


def _fail(exc: services.CounterError):
    body = {"field": exc.field, "message": exc.message}
    if isinstance(exc, services.VisitConflict):
        body["current_version"] = exc.current_version
        return Status(409, body)
    if isinstance(exc, services.TicketTaken):
        return Status(409, body)
    return Status(400, body)


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
    event_date: date | None = None


class Versioned(Schema):
    version: int


class IdentifyIn(Versioned):
    atena_no: str


class PersonIn(Versioned):
    atena_no: str
    relationship: str = ""
    reason: str = ""


class PaperPerson(Schema):
    name: str = ""
    kana: str = ""
    birth_date: str = ""
    sex: str = ""
    relationship: str = ""
    nationality: str = "JP"
    health_insurance: str = ""
    pension: str = ""


class PaperIn(Versioned):
    persons: list[PaperPerson]
    former_address: str = ""
    former_postal_code: str = ""


class InvolvedIn(Versioned):
    pids: list[str]


class EventsIn(Versioned):
    events: list[str]
    event_date: date | None = None


class DetailsIn(Versioned):
    event: str
    details: dict


class AddressIn(Versioned):
    postal_code: str
    town_index: int = 0
    banchi: str
    katagaki: str = ""


class FactIn(Versioned):
    pid: str
    field: str
    value: str | None
    reason: str


class AnswersIn(Versioned):
    flags: dict[str, dict[str, bool]]


class SignIn(Versioned):
    id_document: str
    at_counter: list[str] = []


class CancelIn(Versioned):
    reason: str


# ---------------------------------------------------------------- queue


@router.post("/tickets", response={201: dict, 400: Error})
def issue(request, payload: TicketIn):
    try:
        t = services.issue_ticket(payload.purpose, payload.group, request.user)
    except services.CounterError as exc:
        return _fail(exc)
    return Status(201, ticket_dict(t))


@router.get("/queue", response=list[dict])
def queue(request, group: str = "onestop"):
    return [ticket_dict(t) for t in services.waiting(group)]


@router.post("/call-next", response={200: dict, 204: None, 400: Error})
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


@router.post("/tickets/{ticket_id}/recall", response={200: dict, 400: Error})
def recall(request, ticket_id: int):
    return _ticket_action(services.recall, ticket_id, request.user)


@router.post("/tickets/{ticket_id}/hold", response={200: dict, 400: Error})
def hold(request, ticket_id: int):
    return _ticket_action(services.hold, ticket_id, request.user)


@router.post("/tickets/{ticket_id}/transfer", response={200: dict, 400: Error})
def transfer(request, ticket_id: int, payload: TransferIn):
    return _ticket_action(services.transfer, ticket_id, payload.group, request.user)


@router.post("/tickets/{ticket_id}/complete", response={200: dict, 400: Error})
def complete(request, ticket_id: int):
    return _ticket_action(services.complete_certificate, ticket_id, request.user)


@router.get("/display", response=dict)
def display(request):
    return services.display_board()


@router.get("/postal/{code}", response={200: list[dict], 400: Error})
def postal(request, code: str):
    try:
        return Status(200, services.postal_candidates(code))
    except services.CounterError as exc:
        return _fail(exc)


# ---------------------------------------------------------------- visit


def _visit_response(request, visit_id: int, status: int = 200):
    with transaction.atomic():
        visit = get_object_or_404(Visit, pk=visit_id)
        return Status(status, visit_dict(visit, request.user))


def _step(request, func, visit_id: int, *args, **kw):
    try:
        func(visit_id, *args, **kw)
    except services.CounterError as exc:
        return _fail(exc)
    return _visit_response(request, visit_id)


@router.post("/visits", response={201: dict, 400: Error, 404: Error, 409: Error})
def open_visit(request, payload: VisitIn):
    ticket = None
    if payload.ticket_id:
        ticket = Ticket.objects.filter(pk=payload.ticket_id).first()
        if ticket is None:
            return Status(404, {"field": "ticket_id", "message": _("受付票が見つかりません")})
    try:
        visit = services.open_visit(request.user, ticket=ticket, event_date=payload.event_date)
    except services.CounterError as exc:
        return _fail(exc)
    return _visit_response(request, visit.pk, 201)


@router.get("/visits/{visit_id}", response={200: dict})
def get_visit(request, visit_id: int):
    return _visit_response(request, visit_id)


def _visit_step(path: str, schema, func, fields: tuple[str, ...], convert=None):
    """One POST endpoint per visit step: payload fields → the service function's arguments."""

    def endpoint(request, visit_id: int, payload):
        args = [getattr(payload, f) for f in fields]
        if convert:
            args = convert(payload)
        return _step(request, func, visit_id, payload.version, request.user, *args)

    endpoint.__name__ = "visit_" + path.replace("-", "_")
    endpoint.__annotations__ = {"visit_id": int, "payload": schema}
    router.post(f"/visits/{{visit_id}}/{path}", response={200: dict, 400: Error, 409: Error})(
        endpoint
    )


def _paper_args(payload: PaperIn):
    former = {"address": payload.former_address, "postal_code": payload.former_postal_code}
    return [[p.dict() for p in payload.persons], former]


_visit_step("identify", IdentifyIn, services.identify, ("atena_no",))
_visit_step("persons", PersonIn, services.add_person, ("atena_no", "relationship", "reason"))
_visit_step("paper-persons", PaperIn, services.add_paper_persons, (), _paper_args)
_visit_step("involved", InvolvedIn, services.set_involved, ("pids",))
_visit_step("events", EventsIn, services.set_events, ("events", "event_date"))
_visit_step("event-details", DetailsIn, services.set_event_details, ("event", "details"))
_visit_step(
    "address", AddressIn, services.set_address, ("postal_code", "town_index", "banchi", "katagaki")
)
_visit_step("facts", FactIn, services.edit_fact, ("pid", "field", "value", "reason"))
_visit_step("answers", AnswersIn, services.answer, ("flags",))
_visit_step("confirm", Versioned, services.confirm, ())
_visit_step("sign", SignIn, services.mark_signed, ("id_document", "at_counter"))
_visit_step("cancel", CancelIn, services.cancel_visit, ("reason",))


@router.get("/visits/{visit_id}/bundle.pdf", response={400: Error})
def bundle(request, visit_id: int):
    try:
        pdf = services.bundle_pdf(visit_id, request.user)
    except services.CounterError as exc:
        return _fail(exc)
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="visit-{visit_id}.pdf"'
    resp["Cache-Control"] = "no-store"
    return resp
