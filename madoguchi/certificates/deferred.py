"""Certificates asked for now and issued later (後日交付).

In a visit that also records a move, a certificate issued today would show the register
as last imported, i.e. the old address. The clerk records the request instead: kinds,
items, persons, copies and the requester, checked now exactly as an issue would be (who
may ask, 支援措置, copies, fee), the fee taken now or at issue. It waits in a list until
the register shows the new address (the next import of the core system's register) or
until a chosen date; the resident takes a slip with its number. Issuing it runs the
whole check again and writes an ordinary certificate record.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit import services as audit
from madoguchi.register.models import Person, ResidentStatus
from madoguchi.register.services import (
    current_person,
    current_persons,
    may_see_protected,
    protected_atena_nos,
)

from . import services
from .models import CertificateRequest, DeferredRequest, DeferredStatus, PaymentMethod

# The request fields kept for the issue (the lines and the requester; never the fee,
# which the catalog computes again at issue).
_KEEP = (
    "subject_atena_no",
    "requester_type",
    "requester_atena_no",
    "requester_name",
    "requester_address",
    "purpose",
    "legal_basis",
    "proxy_dated_on",
    "id_document",
    "seal_card_no",
    "exempt_reason",
)


def _stored(req: services.RequestIn) -> dict:
    data = {k: getattr(req, k) for k in _KEEP}
    data["proxy_dated_on"] = req.proxy_dated_on.isoformat() if req.proxy_dated_on else None
    data["lines"] = [asdict(line) for line in req.lines]
    return data


def _request_in(d: DeferredRequest, counter_no: str, method: str) -> services.RequestIn:
    data = dict(d.request_data)
    lines = [services.Line(**line) for line in data.pop("lines")]
    dated = data.pop("proxy_dated_on")
    return services.RequestIn(
        lines=lines,
        proxy_dated_on=date.fromisoformat(dated) if dated else None,
        payment_method=method,
        counter_no=counter_no,
        ticket_id=None,
        visit_id=d.visit_id,
        channel="ui",
        deferred_id=d.pk,
        **data,
    )


def defer(
    req: services.RequestIn,
    user,
    *,
    paid_now: bool,
    issue_on: date | None = None,
    today: date | None = None,
) -> DeferredRequest:
    """Record a request to be issued later; checked now as an issue would be (a refusal
    is audited and raised, bad input names the field). ``issue_on``: a date (the move's
    date); without it the request waits for the register to show the new address."""
    today = today or timezone.localdate()
    if issue_on is not None and issue_on < today:
        raise services.CertificateError("issue_on", _("交付予定日が過去の日付です"))
    quote = services.check(req, user, today=today, for_later=True)
    subject = quote.subject
    method = req.payment_method
    if quote.total == 0:
        paid_now, method = False, PaymentMethod.EXEMPT
    elif paid_now and method not in (PaymentMethod.CASH, PaymentMethod.CASHLESS):
        raise services.CertificateError(
            "payment_method", _("前納の支払方法（現金・キャッシュレス）を選んでください")
        )
    now = timezone.now()
    with transaction.atomic():
        n = services._next("deferred", now.year, subject.municipality_code)
        d = DeferredRequest.objects.create(
            municipality_code=subject.municipality_code,
            slip_no=f"L{now.year}-{n:05d}",
            visit_id=req.visit_id,
            ticket_id=req.ticket_id,
            clerk=user,
            counter_no=req.counter_no,
            subject_atena_no=subject.atena_no,
            request_data=_stored(req),
            kinds_text="、".join(f"{ql.kind.name} {ql.copies}通" for ql in quote.lines)[:200],
            address_at_request=subject.address,
            status_at_request=subject.status,
            issue_on=issue_on,
            paid_now=paid_now,
            payment_method=method,
            fee_total=quote.total,
            paid_on=today if paid_now else None,
        )
        if paid_now:
            r = services._next("receipt", now.year, subject.municipality_code)
            d.receipt_no = f"R{now.year}-{r:06d}"
            d.save(update_fields=["receipt_no"])
        persons = quote.persons
        audit.record(
            user,
            "certificates.defer",
            query=f"{d.slip_no} " + ",".join(f"{ql.kind.id}x{ql.copies}" for ql in quote.lines),
            person_ids=[p.atena_no for p in persons],
            flagged=bool(protected_atena_nos(p.atena_no for p in persons)),
        )
    return d


def readiness(d: DeferredRequest, person: Person | None, today: date | None = None) -> str:
    """Why the request can be issued now ("date", "register"), or "" (still waiting)."""
    today = today or timezone.localdate()
    if d.status != DeferredStatus.WAITING:
        return ""
    if d.issue_on is not None:
        return "date" if today >= d.issue_on else ""
    if person is None or person.status != ResidentStatus.RESIDENT:
        return ""
    moved = person.address != d.address_at_request
    if moved or d.status_at_request == ResidentStatus.PENDING:
        return "register"
    return ""


def kinds_label(d: DeferredRequest) -> str:
    """The kinds and copies asked for, in the UI language (the stored text is Japanese)."""
    from django.utils.translation import ngettext

    from .catalog import current

    cat = current()
    return " / ".join(
        ngettext("%(kind)s %(n)d通", "%(kind)s %(n)d通", int(line["copies"]))
        % {"kind": cat.kind_label(line["kind"]), "n": int(line["copies"])}
        for line in d.request_data.get("lines", [])
    )


def waiting(user) -> list[dict]:
    """The deferred requests waiting (the counter's list), each with its readiness; the
    names read are audited; a protected person is masked for staff without the
    permission (and cannot be issued by them)."""
    from madoguchi.register.search import MASKED_LABEL

    rows = list(
        DeferredRequest.objects.filter(status=DeferredStatus.WAITING).order_by("created_at")
    )
    people = current_persons(d.subject_atena_no for d in rows)
    protected = protected_atena_nos(people)  # the flag or a same-day hold
    see = may_see_protected(user)
    out = []
    for d in rows:
        p = people.get(d.subject_atena_no)
        hidden = d.subject_atena_no in protected and not see
        out.append(
            {
                "d": d,
                "name": str(MASKED_LABEL) if hidden or p is None else p.name,
                "kinds": kinds_label(d),
                "hidden": hidden,
                "ready": "" if hidden else readiness(d, p),
            }
        )
    with transaction.atomic():
        audit.record(
            user,
            "certificates.deferred.list",
            query=f"{len(out)} waiting",
            person_ids=[d.subject_atena_no for d in rows if not _hidden(out, d)],
        )
    return out


def exists(d_id: int) -> bool:
    return DeferredRequest.objects.filter(pk=d_id).exists()


def _hidden(out: list[dict], d: DeferredRequest) -> bool:
    return next(r["hidden"] for r in out if r["d"] is d)


def get(d_id: int, user, action: str) -> DeferredRequest:
    """One deferred request (its slip), audited; refused for a protected person's
    request to staff without the permission."""
    d = DeferredRequest.objects.filter(pk=d_id).first()
    if d is None:
        raise services.CertificateError("deferred", _("後日交付の請求が見つかりません"))
    services.audited_read(user, f"deferred.{action}", d.slip_no, [d.subject_atena_no])
    return d


def issue(d_id: int, user, counter_no: str = "", method: str = "") -> CertificateRequest:
    """Issue a waiting request now: the whole check again (the register as it is now),
    an ordinary certificate record; prepaid requests are not charged again."""
    d = get(d_id, user, "issue")
    if d.status != DeferredStatus.WAITING:
        raise services.CertificateError("deferred", _("この請求は交付済みか取りやめ済みです"))
    if not readiness(d, current_person(d.subject_atena_no)):
        raise services.CertificateError(
            "deferred",
            _(
                "まだ交付できません: 住民記録に新しい住所が記録されていません（または交付予定日の前です）"
            ),
        )
    if d.paid_now:
        method = PaymentMethod.PREPAID
    elif d.payment_method == PaymentMethod.EXEMPT:
        method = PaymentMethod.EXEMPT if d.request_data.get("exempt_reason") else ""
    req = _request_in(d, counter_no or d.counter_no, method or PaymentMethod.CASH)
    services.check(req, user)  # a refusal is audited outside the transaction below
    with transaction.atomic():
        locked = DeferredRequest.objects.select_for_update().get(pk=d.pk)
        if locked.status != DeferredStatus.WAITING:
            raise services.CertificateError("deferred", _("この請求は交付済みか取りやめ済みです"))
        issued = services.issue(req, user)
        if locked.paid_now:
            issued.receipt_no = locked.receipt_no
            issued.save(update_fields=["receipt_no"])
        locked.status = DeferredStatus.ISSUED
        locked.issued_request = issued
        locked.closed_on = timezone.localdate()
        locked.closed_by = user
        locked.closed_counter_no = counter_no
        locked.save(
            update_fields=[
                "status",
                "issued_request",
                "closed_on",
                "closed_by",
                "closed_counter_no",
            ]
        )
        audit.record(
            user,
            "certificates.deferred.issued",
            query=f"{locked.slip_no}→{issued.pk}",
            person_ids=[locked.subject_atena_no],
        )
    return issued


def cancel(d_id: int, user, reason: str, counter_no: str = "") -> DeferredRequest:
    """The resident no longer wants it: closed with a reason; a prepaid fee is refunded
    (in the till of the day and counter of the refund)."""
    reason = (reason or "").strip()
    if not reason:
        raise services.CertificateError("reason", _("取りやめの理由を入力してください"))
    get(d_id, user, "cancel")
    with transaction.atomic():
        d = DeferredRequest.objects.select_for_update().get(pk=d_id)
        if d.status != DeferredStatus.WAITING:
            raise services.CertificateError("deferred", _("この請求は交付済みか取りやめ済みです"))
        d.status = DeferredStatus.CANCELLED
        d.closed_reason = reason[:200]
        d.refund = d.fee_total if d.paid_now else 0
        d.closed_on = timezone.localdate()
        d.closed_by = user
        d.closed_counter_no = counter_no or d.counter_no
        d.save()
        audit.record(
            user,
            "certificates.deferred.cancel",
            query=f"{d.slip_no} {reason}"[:500],
            person_ids=[d.subject_atena_no],
        )
    return d
