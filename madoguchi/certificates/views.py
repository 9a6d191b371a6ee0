"""Certificate pages (thin: checks, issuing and reads live in ``services``).

Keyboard-first like the visit screen: the search field has the focus, Enter opens the
first result, the form is pre-set to the common case (住民票の写し 世帯全員, 1通, 本人,
現金), Alt+P prints the filled request form, Alt+I issues and prints.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.core.wareki import WarekiError, parse_wareki
from madoguchi.counter.models import IdDocument, Ticket
from madoguchi.counter.views.common import counter_staff, timed
from madoguchi.register import refs
from madoguchi.register import services as register_services

from . import deferred, seals, services
from . import render as pdf
from .catalog import current
from .models import Certificate, CertificateRequest, PaymentMethod, RequesterType


def _counter_no(request) -> str:
    return request.session.get("counter_no", "1")


def _pdf(data: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    resp["Cache-Control"] = "no-store"
    return resp


def _refused(request) -> HttpResponse:
    resp = render(
        request, "certificates/refused.html", {"message": services.REFUSED_MESSAGE}, status=403
    )
    return resp


def _visit(request):
    """The life-event visit this request belongs to (a visit may combine both)."""
    from madoguchi.counter.models import Visit

    vid = request.GET.get("visit") or request.POST.get("visit")
    if vid and str(vid).isdigit():
        return Visit.objects.filter(pk=int(vid)).prefetch_related("events").first()
    return None


MOVE_EVENTS = ("move_in", "move_in_from_abroad", "move_within", "move_out", "move_out_abroad")


def _ticket(request) -> Ticket | None:
    tid = request.GET.get("ticket") or request.POST.get("ticket")
    if tid and str(tid).isdigit():
        return Ticket.objects.filter(pk=int(tid)).first()
    return None


@timed
@counter_staff
@require_http_methods(["GET", "POST"])
def index(request):
    """Find the person the certificate is for (the register's audited search)."""
    ticket = _ticket(request)
    result, q = None, ""
    if request.method == "POST":
        q = request.POST.get("q", "")
        with transaction.atomic():
            result = register_services.search(q, request.user, limit=20)
    today = timezone.localdate()
    recent = Certificate.objects.filter(issued_on=today, counter_no=_counter_no(request)).order_by(
        "-id"
    )[:10]
    return render(
        request,
        "certificates/index.html",
        {"result": result, "q": q, "ticket": ticket, "recent": recent},
    )


def _lines_from_post(post, cat) -> list[services.Line]:
    lines = []
    items = post.getlist("items")
    persons = post.getlist("persons")
    for kind in cat.offered():
        raw = post.get(f"copies_{kind.id}", "").strip()
        if raw in ("", "0"):
            continue
        lines.append(
            services.Line(
                kind=kind.id,
                copies=raw,
                items=[i for i in items if i in kind.items],
                persons=persons if kind.scope in ("persons", "moving_out") else [],
            )
        )
    return lines


def _parse_date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return parse_wareki(value)  # 8 digits, 7 digits with the era code, R8.11.30 …
    except WarekiError as exc:
        raise services.CertificateError(field, str(exc)) from None


def request_in(post, atena_no: str, counter_no: str, ticket: Ticket | None, channel="ui"):
    cat = current()
    return services.RequestIn(
        subject_atena_no=atena_no,
        requester_type=post.get("requester_type", RequesterType.SELF),
        lines=_lines_from_post(post, cat),
        requester_atena_no=post.get("requester_atena_no", "").strip(),
        requester_name=post.get("requester_name", "").strip(),
        requester_address=post.get("requester_address", "").strip(),
        purpose=post.get("purpose", "").strip(),
        legal_basis=post.get("legal_basis", "").strip(),
        proxy_dated_on=_parse_date(post.get("proxy_dated_on", ""), "proxy_dated_on"),
        id_document=post.get("id_document", ""),
        seal_card_no=post.get("seal_card_no", "").strip(),
        payment_method=post.get("payment_method", PaymentMethod.CASH),
        exempt_reason=post.get("exempt_reason", "").strip(),
        counter_no=counter_no,
        ticket_id=ticket.pk if ticket else None,
        channel=channel,
    )


def preview_lines(quote: services.Quote) -> list[dict]:
    cat = current()
    return [
        {
            "kind": ql.kind.name,
            "issue_no": "",
            "items": [cat.items[i].name for i in ql.items],
            "copies": ql.copies,
            "fee_per_copy": ql.fee_per_copy,
            "fee": ql.fee,
            "exempt_reason": ql.exempt_reason,
        }
        for ql in quote.lines
    ]


def id_document_label(value: str) -> str:
    return str(IdDocument(value).label) if value in IdDocument.values else value


@timed
@counter_staff
@require_http_methods(["GET", "POST"])
def new_request(request, ref: str):
    """The request screen for one person: kinds, items, copies, requester, fee. ``ref``
    stands for the person's 宛名番号 in this session (register/refs.py): no identifier
    in the URL."""
    atena_no = refs.resolve_or_404(request, "person", ref)
    cat = current()
    ticket = _ticket(request)
    visit = _visit(request)
    moving = visit is not None and any(e.event in MOVE_EVENTS for e in visit.events.all())
    with transaction.atomic():
        try:
            subject, members = register_services.read_person_with_household(atena_no, request.user)
        except register_services.NotFound as exc:
            raise Http404(str(exc)) from None
        except register_services.Protected:
            return _refused(request)
    seal = seals.active_seal(subject.atena_no)
    fuhyo = services.offers_fuhyo(subject, cat)
    kinds = [
        k
        for k in cat.offered()
        if (k.scope != "seal" or seal is not None) and (k.scope != "fuhyo" or fuhyo)
    ]
    error = None
    post = request.POST if request.method == "POST" else None
    if post is not None:
        try:
            req_in = request_in(post, atena_no, _counter_no(request), ticket)
            req_in.visit_id = visit.pk if visit else None
            if post.get("action") == "form":
                quote = services.quote(req_in, request.user, action="form")
                unsaved = CertificateRequest(
                    requester_type=req_in.requester_type,
                    requester_name=quote.requester_name,
                    requester_address=req_in.requester_address,
                    purpose=req_in.purpose,
                    legal_basis=req_in.legal_basis,
                    proxy_dated_on=req_in.proxy_dated_on,
                    id_document=id_document_label(req_in.id_document),
                    payment_method=req_in.payment_method,
                )
                data = pdf.render_request_form(unsaved, preview_lines(quote), subject)
                return _pdf(data, "request.pdf")
            if post.get("action") == "defer":
                d = deferred.defer(
                    req_in,
                    request.user,
                    paid_now=post.get("defer_paid") == "now",
                    issue_on=_parse_date(post.get("defer_on", ""), "issue_on")
                    if post.get("defer_when") == "date"
                    else None,
                )
                messages.success(
                    request, _("後日交付として受け付けました（受付番号 %(n)s）") % {"n": d.slip_no}
                )
                return redirect(reverse("certificates:deferred") + f"?slip={d.pk}")
            issued = services.issue(req_in, request.user)
            messages.success(request, _("証明書を交付しました"))
            url = reverse("certificates:request", kwargs={"request_id": issued.pk})
            return redirect(f"{url}?issued=1")
        except services.Refused:
            return _refused(request)
        except services.CertificateError as exc:
            error = exc
    default_kind = next((k for k in kinds if (k.scope == "removed") == subject.is_removed), None)
    if post is not None:
        kind_rows = [(k, post.get(f"copies_{k.id}", "0")) for k in kinds]
        checked_items = post.getlist("items")
    else:
        kind_rows = [(k, 1 if k == default_kind else 0) for k in kinds]
        checked_items = list(default_kind.default_items) if default_kind else []
    return render(
        request,
        "certificates/request.html",
        {
            "subject": subject,
            "members": members,
            "kind_rows": kind_rows,
            "checked_items": checked_items,
            "items": cat.items,
            "requesters": [r for r in cat.requesters.values() if r.id != "card"],
            "id_documents": IdDocument.choices,
            # 前納済 is set by a deferred request only, never chosen at the counter
            "methods": [(v, lb) for v, lb in PaymentMethod.choices if v != PaymentMethod.PREPAID],
            "ticket": ticket,
            "visit": visit,
            "moving": moving,
            "error": error,
            "post": post,
            "seal": seal,
            "fuhyo": fuhyo,
            "max_copies": cat.max_copies,
        },
        status=400 if error else 200,
    )


def _load_request(request, request_id: int) -> CertificateRequest:
    return services.request_for(request_id, request.user)


@counter_staff
def request_page(request, request_id: int):
    try:
        req = _load_request(request, request_id)
    except services.Refused:
        return _refused(request)
    except services.CertificateError:
        raise Http404 from None
    certs = list(req.certificates.order_by("id").prefetch_related("actions"))
    for c in certs:
        c.void_action = next((a for a in c.actions.all() if a.action == "void"), None)
        c.reprints = [a for a in c.actions.all() if a.action == "reprint"]
        c.refunded_copies = sum(a.copies for a in c.actions.all() if a.action == "refund")
        # partial refunds leave at least one copy (all copies: a void)
        c.refundable = 0 if c.void_action else c.copies - c.refunded_copies - 1
    return render(
        request,
        "certificates/request_detail.html",
        {
            "req": req,
            "certs": certs,
            "requester_label": RequesterType(req.requester_type).label,
            "valid_ids": [c.pk for c in certs if c.void_action is None],
            "just_issued": request.GET.get("issued") == "1",
        },
    )


@timed
@xframe_options_sameorigin  # the issued certificates open inside the request page
@counter_staff
def request_pdf(request, request_id: int, doc: str):
    """The request's certificates (valid ones), its request form or its receipt."""
    try:
        req = _load_request(request, request_id)
    except services.Refused:
        return _refused(request)
    except services.CertificateError:
        raise Http404 from None
    subject = register_services.current_person(req.subject_atena_no)
    if doc == "certificates":
        certs = [c for c in req.certificates.order_by("id") if services.status_of(c) == "valid"]
        if not certs:
            raise Http404(_("有効な証明書がありません"))
        return _pdf(pdf.render_certificates(certs), f"certificates-{req.pk}.pdf")
    if doc == "form":
        req.id_document = id_document_label(req.id_document)
        return _pdf(
            pdf.render_request_form(req, pdf.lines_of_request(req), subject),
            f"request-{req.pk}.pdf",
        )
    if doc == "receipt":
        return _pdf(pdf.render_receipt(req, subject), f"receipt-{req.pk}.pdf")
    raise Http404


@counter_staff
def certificate_pdf(request, cert_id: int):
    try:
        cert = services.certificate_for(cert_id, request.user, "print")
    except services.Refused:
        return _refused(request)
    except services.CertificateError:
        raise Http404 from None
    return _pdf(pdf.render_certificates([cert]), f"{cert.issue_no}.pdf")


@require_POST
@counter_staff
def certificate_action(request, cert_id: int, action: str):
    """void | refund (copies not delivered) | reissue | reprint (each with a reason, each
    a new record)."""
    reason = request.POST.get("reason", "")
    counter_no = _counter_no(request)
    cert = Certificate.objects.filter(pk=cert_id).first()
    if cert is None or action not in ("void", "reissue", "reprint", "refund"):
        raise Http404
    try:
        if action == "refund":
            done = services.refund_copies(
                cert_id, request.user, request.POST.get("copies", ""), reason, counter_no
            )
            messages.success(
                request,
                _("%(n)s の %(c)d 通分 %(y)d 円を返金しました")
                % {"n": cert.issue_no, "c": done.copies, "y": done.refund},
            )
        elif action == "void":
            services.void(cert_id, request.user, reason, counter_no)
            messages.success(request, _("%(n)s を取り消しました") % {"n": cert.issue_no})
        elif action == "reissue":
            new = services.reissue(cert_id, request.user, reason, counter_no)
            messages.success(request, _("%(n)s として再交付しました") % {"n": new.issue_no})
        else:
            services.record_reprint(cert_id, request.user, reason, counter_no)
            return _pdf(pdf.render_certificates([cert]), f"{cert.issue_no}.pdf")
    except services.Refused:
        return _refused(request)
    except services.CertificateError as exc:
        messages.error(request, exc.message)
    return redirect("certificates:request", request_id=cert.request_id)


@counter_staff
@require_http_methods(["GET", "POST"])
def verify_page(request):
    code = request.POST.get("code", "") if request.method == "POST" else request.GET.get("code", "")
    result = None
    names: list[str] = []
    impression_b64 = ""
    if code:
        result = services.verify(code, request.user)
        if result.found and result.certificate is not None:
            atena_nos = result.certificate.person_atena_nos
            people = register_services.current_persons(atena_nos).values()
            see = register_services.may_see_protected(request.user)
            hidden = set() if see else register_services.protected_atena_nos(atena_nos)
            names = [
                str(register_services.MASKED_LABEL) if p.atena_no in hidden else p.name
                for p in people
            ]
            if result.certificate.impression_format:
                import base64

                impression_b64 = base64.b64encode(bytes(result.certificate.impression)).decode()
    return render(
        request,
        "certificates/verify.html",
        {"code": code, "result": result, "names": names, "impression_b64": impression_b64},
    )


def _till_args(request) -> tuple[date, str]:
    raw = request.GET.get("day", "")
    try:
        day = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    counter = request.GET.get("counter", _counter_no(request)).strip()[:8]
    return day, ("" if counter == "all" else counter)


@counter_staff
def till_page(request):
    day, counter = _till_args(request)
    t = services.till(day, counter)
    return render(
        request,
        "certificates/till.html",
        {"t": t, "day": day, "counter": counter or "all", "methods": dict(PaymentMethod.choices)},
    )


@counter_staff
def till_pdf(request):
    day, counter = _till_args(request)
    return _pdf(pdf.render_till(services.till(day, counter)), f"till-{day.isoformat()}.pdf")


@counter_staff
def till_csv(request):
    day, counter = _till_args(request)
    resp = HttpResponse(
        services.till_csv(services.till(day, counter)), content_type="text/csv; charset=utf-8"
    )
    resp["Content-Disposition"] = (
        f'attachment; filename="till-{day.isoformat()}-{counter or "all"}.csv"'
    )
    return resp


@counter_staff
def stats_page(request):
    """Managers: certificates per kind and hour, fees per day, waiting and service time."""
    if not request.user.is_manager:
        raise PermissionDenied(_("管理職のみ利用できます"))
    from .stats import figures

    try:
        days = max(1, min(int(request.GET.get("days", "7")), 92))
    except ValueError:
        days = 7
    return render(request, "certificates/stats.html", {"f": figures(days)})


@counter_staff
@require_http_methods(["GET", "POST"])
def seal_register(request):
    """A new seal registration at the counter: the 印影 scanned, the card number issued."""
    error = None
    if request.method == "POST":
        upload = request.FILES.get("impression")
        try:
            reg = seals.register_at_counter(
                request.user,
                request.POST.get("atena_no", "").strip(),
                upload.read() if upload else b"",
                request.POST.get("registration_no", "").strip(),
                request.POST.get("card_no", "").strip(),
            )
            messages.success(
                request, _("印鑑登録番号 %(n)s で登録しました") % {"n": reg.registration_no}
            )
            return redirect(reverse("certificates:seals"))
        except seals.SealError as exc:
            error = exc
    return render(request, "certificates/seals.html", {"error": error, "post": request.POST})


@counter_staff
def deferred_list(request):
    """Certificates to issue later: waiting requests, those ready first (the register
    shows the new address, or the chosen date has come)."""
    rows = deferred.waiting(request.user)
    rows.sort(key=lambda r: (r["ready"] == "", r["d"].created_at))
    slip = request.GET.get("slip", "")
    return render(
        request,
        "certificates/deferred.html",
        {
            "rows": rows,
            "slip": int(slip) if slip.isdigit() else None,
            "methods": [
                (v, label) for v, label in PaymentMethod.choices if v in ("cash", "cashless")
            ],
        },
    )


@require_POST
@counter_staff
def deferred_action(request, deferred_id: int, action: str):
    """issue (the whole check again) | cancel (with a reason; a prepaid fee refunded)."""
    if action not in ("issue", "cancel"):
        raise Http404
    try:
        if action == "issue":
            req = deferred.issue(
                deferred_id,
                request.user,
                _counter_no(request),
                request.POST.get("payment_method", PaymentMethod.CASH),
            )
            messages.success(request, _("証明書を交付しました"))
            url = reverse("certificates:request", kwargs={"request_id": req.pk})
            return redirect(f"{url}?issued=1")
        deferred.cancel(
            deferred_id, request.user, request.POST.get("reason", ""), _counter_no(request)
        )
        messages.success(request, _("後日交付の請求を取りやめました"))
    except services.Refused:
        return _refused(request)
    except services.CertificateError as exc:
        if exc.field == "deferred" and not deferred.exists(deferred_id):
            raise Http404 from None
        messages.error(request, exc.message)
    return redirect("certificates:deferred")


@counter_staff
def deferred_slip(request, deferred_id: int):
    """The slip the resident takes (受付番号, the certificates, when, the fee)."""
    from madoguchi.register.services import current_person

    try:
        d = deferred.get(deferred_id, request.user, "slip")
    except services.Refused:
        return _refused(request)
    except services.CertificateError:
        raise Http404 from None
    subject = current_person(d.subject_atena_no)
    return _pdf(pdf.render_deferred_slip(d, subject), f"slip-{d.slip_no}.pdf")
