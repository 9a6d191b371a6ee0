"""JSON API of certificates: kinds, quote, issue, the issued records, void, reissue,
reprint, verification and the till. Counter staff only; the same checks and audit rows
as the pages (a refusal answers 403 with the same message whatever the reason)."""

from __future__ import annotations

import typing
from dataclasses import MISSING, fields
from datetime import date

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import create_model

from madoguchi.core.apierrors import ApiProblem, errors
from madoguchi.counter.api import CounterStaffAuth

from . import deferred, services
from . import render as pdf
from .catalog import current
from .models import Certificate

router = Router(tags=["certificates"], auth=CounterStaffAuth())
_PDF = {"responses": {"200": {"description": "the PDF", "content": {"application/pdf": {}}}}}


def schema_of(dc, name: str, exclude=(), types=None):
    """The request body of a service's input dataclass: the same fields, types and
    defaults (one definition of each shape; the API only leaves out what it sets)."""
    hints = typing.get_type_hints(dc)
    attrs = {}
    for f in fields(dc):
        if f.name in exclude:
            continue
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = ...
        attrs[f.name] = ((types or {}).get(f.name, hints[f.name]), default)
    return create_model(name, __base__=Schema, **attrs)


LineIn = schema_of(services.Line, "LineIn")
RequestSchema = schema_of(
    services.RequestIn,
    "RequestSchema",
    exclude=("channel", "visit_id", "deferred_id"),
    types={"lines": list[LineIn]},
)
DeferIn = create_model(
    "DeferIn", __base__=RequestSchema, paid_now=(bool, False), issue_on=(date | None, None)
)


class ReasonIn(Schema):
    reason: str
    counter_no: str = ""


class RefundIn(Schema):
    copies: int
    reason: str
    counter_no: str = ""


class DeferredIssueIn(Schema):
    payment_method: str = "cash"
    counter_no: str = ""


def _request_in(body, exclude=()) -> services.RequestIn:
    data = body.dict(exclude=set(exclude))
    lines = [services.Line(**line) for line in data.pop("lines")]
    return services.RequestIn(lines=lines, channel="api", **data)


def _error(exc: services.CertificateError):
    # detail "field: message" as before; the field also in the body's errors list
    return ApiProblem(400, f"{exc.field}: {exc.message}", exc.field)


def _call(func, *args, missing: str = "", **kwargs):
    """Run a service: a refusal answers 403 with its words, bad input 400 naming the
    field; an error on the ``missing`` field (the object asked for is unknown) 404."""
    try:
        return func(*args, **kwargs)
    except services.Refused as exc:
        raise HttpError(403, exc.message) from None
    except services.CertificateError as exc:
        if missing and exc.field == missing:
            raise HttpError(404, exc.message) from None
        raise _error(exc) from None


def _cert_dict(c: Certificate) -> dict:
    return {
        "id": c.pk,
        "issue_no": c.issue_no,
        "code": c.code,
        "kind": c.kind,
        "kind_name": c.kind_name,
        "persons": list(c.person_atena_nos),
        "items": list(c.items),
        "copies": c.copies,
        "fee_per_copy": c.fee_per_copy,
        "fee": c.fee,
        "exempt_reason": c.exempt_reason,
        "payment_method": c.payment_method,
        "issued_on": c.issued_on.isoformat(),
        "status": services.status_of(c),
        "reissue_of": c.reissue_of.issue_no if c.reissue_of_id else None,
    }


@router.get("/kinds")
def kinds(request):
    cat = current()
    return {
        "fee_ordinance": cat.fee_ordinance,
        "kinds": [
            {
                "id": k.id,
                "name": k.name,
                "en": k.en,
                "fee": k.fee,
                "basis": k.basis,
                "items": list(k.items),
                "default_items": list(k.default_items),
                "requesters": list(k.requesters),
            }
            for k in cat.offered()
        ],
        "items": {i.id: i.name for i in cat.items.values()},
        "requesters": {
            r.id: {"name": r.name, "basis": r.basis, "asks": list(r.asks)}
            for r in cat.requesters.values()
        },
    }


@router.post("/quote", response={200: dict, **errors(400, 403)})
def quote(request, body: RequestSchema):
    """Check a request without issuing: the persons' count, the items and the fees."""
    q = _call(services.quote, _request_in(body), request.user)
    return {
        "lines": [
            {
                "kind": ql.kind.id,
                "persons": len(ql.persons),
                "items": ql.items,
                "copies": ql.copies,
                "fee_per_copy": ql.fee_per_copy,
                "fee": ql.fee,
                "exempt_reason": ql.exempt_reason,
            }
            for ql in q.lines
        ],
        "total": q.total,
    }


@router.post("/requests", response={200: dict, **errors(400, 403)})
def issue(request, body: RequestSchema):
    req = _call(services.issue, _request_in(body), request.user)
    return {
        "id": req.pk,
        "fee_total": req.fee_total,
        "receipt_no": req.receipt_no,
        "certificates": [_cert_dict(c) for c in req.certificates.order_by("id")],
    }


@router.get("/requests/{request_id}", response={200: dict, **errors(403, 404)})
def get_request(request, request_id: int):
    req = _call(services.request_for, request_id, request.user, missing="request")
    return {
        "id": req.pk,
        "requester_type": req.requester_type,
        "fee_total": req.fee_total,
        "payment_method": req.payment_method,
        "receipt_no": req.receipt_no,
        "certificates": [_cert_dict(c) for c in req.certificates.order_by("id")],
    }


@router.get("/certificates/{cert_id}/pdf", response=errors(403, 404), openapi_extra=_PDF)
def certificate_pdf(request, cert_id: int):
    cert = _call(services.certificate_for, cert_id, request.user, "print", missing="certificate")
    return HttpResponse(pdf.render_certificates([cert]), content_type="application/pdf")


def _action(request, cert_id: int, func, body: ReasonIn):
    if not Certificate.objects.filter(pk=cert_id).exists():
        raise HttpError(404, "certificate not found")
    return _call(func, cert_id, request.user, body.reason, body.counter_no)


@router.post("/certificates/{cert_id}/void", response={200: dict, **errors(400, 403, 404)})
def void(request, cert_id: int, body: ReasonIn):
    action = _action(request, cert_id, services.void, body)
    return {"certificate": _cert_dict(action.certificate), "refund": action.refund}


@router.post("/certificates/{cert_id}/refund", response={200: dict, **errors(400, 403, 404)})
def refund(request, cert_id: int, body: RefundIn):
    """Refund the fee of copies not delivered (the certificate stays valid)."""

    def run(cid, user, reason, counter_no):
        return services.refund_copies(cid, user, body.copies, reason, counter_no)

    action = _action(request, cert_id, run, body)
    return {"certificate": _cert_dict(action.certificate), "refund": action.refund}


@router.post("/certificates/{cert_id}/reissue", response={200: dict, **errors(400, 403, 404)})
def reissue(request, cert_id: int, body: ReasonIn):
    return _cert_dict(_action(request, cert_id, services.reissue, body))


@router.post("/certificates/{cert_id}/reprint", response=errors(400, 403, 404), openapi_extra=_PDF)
def reprint(request, cert_id: int, body: ReasonIn):
    cert = _action(request, cert_id, services.record_reprint, body)
    return HttpResponse(pdf.render_certificates([cert]), content_type="application/pdf")


@router.get("/verify/{code}")
def verify(request, code: str):
    v = services.verify(code, request.user, channel="api")
    if not v.found:
        return {"found": False}
    c = v.certificate
    return {
        "found": True,
        "authentic": v.authentic,
        "status": v.status,
        "reissued_as": v.reissued_as or None,
        "issue_no": c.issue_no,
        "kind": c.kind,
        "kind_name": c.kind_name,
        "persons": _visible(request.user, list(c.person_atena_nos)),
        "items": list(c.items),
        "issued_on": c.issued_on.isoformat(),
    }


def _visible(user, atena_nos: list[str]) -> list[str]:
    """宛名番号 of the persons, protected ones masked for staff who may not see them."""
    from madoguchi.register.services import MASKED_LABEL, may_see_protected, protected_atena_nos

    if may_see_protected(user):
        return atena_nos
    hidden = protected_atena_nos(atena_nos)
    return [str(MASKED_LABEL) if a in hidden else a for a in atena_nos]


@router.get("/till")
def till(request, day: date | None = None, counter_no: str = ""):
    from django.utils import timezone

    t = services.till(day or timezone.localdate(), counter_no)
    return {
        "day": t.day.isoformat(),
        "counter_no": t.counter_no,
        "rows": [
            {
                "kind": r.kind,
                "method": r.method,
                "count": r.count,
                "copies": r.copies,
                "amount": r.amount,
            }
            for r in t.rows
        ],
        "issued": [c.issue_no for c in t.issued],
        "total": t.total,
        "void_count": t.void_count,
        "refunds": t.refunds,
        "net": t.net,
    }


# ------------------------------------------------------------------ 後日交付


def _deferred_dict(d, hidden: bool = False) -> dict:
    return {
        "id": d.pk,
        "slip_no": d.slip_no,
        "subject_atena_no": None if hidden else d.subject_atena_no,
        "kinds": d.kinds_text,
        "issue_on": d.issue_on.isoformat() if d.issue_on else None,
        "paid_now": d.paid_now,
        "fee_total": d.fee_total,
        "receipt_no": d.receipt_no,
        "status": d.status,
    }


def _deferred_call(func, deferred_id: int, *args):
    if not deferred.exists(deferred_id):
        raise HttpError(404, "deferred request not found")
    return _call(func, deferred_id, *args)


@router.post("/deferred", response={200: dict, **errors(400, 403)})
def defer(request, body: DeferIn):
    """Record a request to issue later (checked now; the fee now or at issue)."""
    req = _request_in(body, exclude=("paid_now", "issue_on"))
    d = _call(deferred.defer, req, request.user, paid_now=body.paid_now, issue_on=body.issue_on)
    return _deferred_dict(d)


@router.get("/deferred")
def deferred_list(request):
    """The waiting requests and whether each can be issued now (protected persons'
    requests without their 宛名番号 for staff without the permission)."""
    return [
        {**_deferred_dict(r["d"], r["hidden"]), "ready": r["ready"] or None}
        for r in deferred.waiting(request.user)
    ]


@router.post("/deferred/{deferred_id}/issue", response={200: dict, **errors(400, 403, 404)})
def deferred_issue(request, deferred_id: int, body: DeferredIssueIn):
    req = _deferred_call(
        deferred.issue, deferred_id, request.user, body.counter_no, body.payment_method
    )
    return {
        "id": req.pk,
        "receipt_no": req.receipt_no,
        "certificates": [_cert_dict(c) for c in req.certificates.order_by("id")],
    }


@router.post("/deferred/{deferred_id}/cancel", response={200: dict, **errors(400, 403, 404)})
def deferred_cancel(request, deferred_id: int, body: ReasonIn):
    d = _deferred_call(deferred.cancel, deferred_id, request.user, body.reason, body.counter_no)
    return {**_deferred_dict(d), "refund": d.refund}
