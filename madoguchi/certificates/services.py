"""Certificate requests: who may ask, what is printed, the fee, issue, void, reissue,
reprint, verification and the till (日計表).

Every state change is one function, one transaction, with its audit row. A refusal
(支援措置, or staff who may not see the person) is audited as flagged in its own
transaction and then raised: the refusal's message is the same whatever the reason, so
it gives no hint of the person's data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.audit import services as audit
from madoguchi.register.models import Person, ResidentStatus
from madoguchi.register.services import (
    current_person,
    current_persons,
    legal_order,
    may_see_protected,
    protected_atena_nos,
)
from madoguchi.rules import zokugara

from . import seals
from .catalog import CertificateCatalog, Kind, current
from .models import (
    ActionKind,
    Certificate,
    CertificateAction,
    CertificateRequest,
    IssueSequence,
    PaymentMethod,
    RequesterType,
)

REFUSED_MESSAGE = gettext_lazy(
    "この請求には応じられません。証明書は交付できません（窓口の責任者に確認してください）。"
)


class CertificateError(ValueError):
    """Bad input: ``field`` names what to correct. Nothing was issued or charged."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Refused(PermissionError):
    """The request may not be granted (the reason is not told: see the audit row)."""

    def __init__(self):
        super().__init__(str(REFUSED_MESSAGE))
        self.message = str(REFUSED_MESSAGE)


@dataclass
class Line:
    kind: str
    copies: int = 1
    items: list[str] | None = None  # None: the kind's default items
    persons: list[str] = field(default_factory=list)  # 宛名番号 (scope "persons")


@dataclass
class RequestIn:
    subject_atena_no: str
    requester_type: str = RequesterType.SELF
    lines: list[Line] = field(default_factory=list)
    requester_atena_no: str = ""
    requester_name: str = ""
    requester_address: str = ""
    purpose: str = ""
    legal_basis: str = ""
    proxy_dated_on: date | None = None
    id_document: str = ""
    seal_card_no: str = ""
    payment_method: str = PaymentMethod.CASH
    exempt_reason: str = ""
    counter_no: str = ""
    ticket_id: int | None = None
    visit_id: int | None = None
    channel: str = "ui"
    deferred_id: int | None = None  # issued from a deferred request (may be prepaid)


@dataclass
class QuoteLine:
    kind: Kind
    persons: list[Person]
    items: list[str]
    copies: int
    fee_per_copy: int
    fee: int
    exempt_reason: str


@dataclass
class Quote:
    subject: Person
    lines: list[QuoteLine]
    requester_name: str
    exempt_reason: str

    @property
    def total(self) -> int:
        return sum(line.fee for line in self.lines)

    @property
    def persons(self) -> list[Person]:
        out: dict[str, Person] = {}
        for line in self.lines:
            for p in line.persons:
                out.setdefault(p.atena_no, p)
        return list(out.values())


# ------------------------------------------------------------------ checking a request


def _person(atena_no: str, field_name: str) -> Person:
    atena_no = (atena_no or "").strip()
    if not atena_no:
        raise CertificateError(field_name, _("宛名番号を入力してください"))
    p = current_person(atena_no)  # the register's front door (protection: _protected)
    if p is None:
        raise CertificateError(
            field_name, _("宛名番号 %(n)s の住民は見つかりません") % {"n": atena_no}
        )
    return p


def _refuse(user, req: RequestIn, persons: list[Person], reason: str) -> Refused:
    """Write the flagged audit row of a refusal in its own transaction."""
    with transaction.atomic():
        audit.record(
            user,
            "certificates.refused",
            query=f"{reason} requester={req.requester_type}",
            person_ids=[p.atena_no for p in persons],
            household_ids=sorted({p.household.household_no for p in persons}),
            flagged=True,
        )
    return Refused()


def _protected(persons) -> set[str]:
    """宛名番号 of these persons protected now (the register's flag or a same-day hold,
    from the register's front door)."""
    return protected_atena_nos(p.atena_no for p in persons)


def is_head(p: Person) -> bool:
    """世帯主, by the one 続柄 classifier."""
    return zokugara.order_group(p.relationship, p.relationship_role)[0] == zokugara.HEAD


def _members(subject: Person) -> list[Person]:
    return legal_order(
        subject.household.members.filter(status=ResidentStatus.RESIDENT).select_related("household")
    )


def fuhyo_persons(subject: Person) -> list[Person]:
    """The persons of the subject's 戸籍 (same 本籍 and 筆頭者) the register holds, by
    birth date: the part of the 附票 this city can certify from its register."""
    if not subject.honseki or not subject.hittousha:
        return []
    ids = Person.objects.filter(honseki=subject.honseki, hittousha=subject.hittousha).values_list(
        "atena_no", flat=True
    )
    found = current_persons(ids).values()  # the register's front door
    return sorted(
        (p for p in found if p.status != ResidentStatus.PENDING),
        key=lambda p: (p.birth_date, p.atena_no),
    )


def offers_fuhyo(subject: Person, cat: CertificateCatalog | None = None) -> bool:
    """The 附票 is offered only where this city keeps it: a Japanese resident whose 本籍
    is in the city (the catalog's ``fuhyo.honseki_prefix``)."""
    cat = cat or current()
    return cat.keeps_fuhyo_of(subject.honseki) and bool(subject.hittousha)


def _scope_persons(kind: Kind, line: Line, subject: Person, for_later=False) -> list[Person]:
    if subject.status == ResidentStatus.PENDING and for_later:
        return [subject]  # checked again at issue, once the register holds the move-in
    if subject.status == ResidentStatus.PENDING:
        raise CertificateError(
            "subject_atena_no",
            _("転入の届出がまだ住民記録に反映されていません（住民記録の更新後に交付できます）"),
        )
    if kind.scope == "fuhyo":
        # The 附票 follows the 戸籍, not the residence: a moved-out person is still on it.
        if not offers_fuhyo(subject):
            raise CertificateError(
                "kind",
                _("この方の本籍はこの市にないため、戸籍の附票は本籍地の市区町村で請求してください"),
            )
        members = {p.atena_no: p for p in fuhyo_persons(subject)}
        wanted = [a.strip() for a in line.persons if a.strip()] or [subject.atena_no]
        for a in wanted:
            if a not in members:
                raise CertificateError(
                    "persons",
                    _("宛名番号 %(n)s はこの方と同じ戸籍（本籍・筆頭者）の方ではありません")
                    % {"n": a},
                )
        return [p for p in members.values() if p.atena_no in wanted]
    if kind.scope == "removed":
        if not subject.is_removed:
            raise CertificateError(
                "kind",
                _("この方は住民登録があります。除票の写しではなく住民票の写しを請求してください"),
            )
        return [subject]
    if subject.is_removed:
        raise CertificateError(
            "kind",
            _("この方は住民記録から消除されています（%(s)s）。除票の写しを請求してください")
            % {"s": subject.get_status_display()},
        )
    if kind.scope == "household":
        return _members(subject)
    if kind.scope == "persons":
        wanted = [a.strip() for a in line.persons if a.strip()] or [subject.atena_no]
        members = {m.atena_no: m for m in _members(subject)}
        out = []
        for a in wanted:
            if a not in members:
                raise CertificateError(
                    "persons", _("宛名番号 %(n)s はこの世帯の住民ではありません") % {"n": a}
                )
            out.append(members[a])
        return [m for m in members.values() if m in out]
    if kind.scope == "moving_out":
        if subject.planned_move_out_on is None:
            raise CertificateError(
                "kind", _("転出の届出がありません。転出届の後に転出証明書を交付します")
            )
        wanted = set(line.persons or [subject.atena_no])
        return [
            m
            for m in _members(subject)
            if m.atena_no in wanted and m.planned_move_out_on is not None
        ] or [subject]
    if kind.scope == "seal":
        return [subject]
    raise CertificateError("kind", _("%(k)s はこの市では交付していません") % {"k": kind.name})


def _parse_copies(value, cat: CertificateCatalog) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise CertificateError("copies", _("通数は数字で指定してください")) from None
    if n < 1 or n > cat.max_copies:
        raise CertificateError(
            "copies",
            _("通数は1〜%(m)d通で指定してください（%(n)s）") % {"m": cat.max_copies, "n": n},
        )
    return n


def check(req: RequestIn, user, *, today: date | None = None, for_later=False) -> Quote:
    """Everything a request needs, checked; the persons to print and the fee.
    ``for_later``: a deferred request (a pending move-in is accepted; checked again at
    issue).

    Raises CertificateError (bad input, naming the field) or Refused (audited as
    flagged). Reads no more than the persons the request concerns."""
    cat = current()
    today = today or timezone.localdate()
    if not req.lines:
        raise CertificateError("lines", _("証明書の種類を選んでください"))
    requester = cat.requesters.get(req.requester_type)
    if requester is None:
        raise CertificateError("requester_type", _("請求者の区分を選んでください"))
    subject = _person(req.subject_atena_no, "subject_atena_no")
    if _protected([subject]) and not may_see_protected(user):
        # before any other check: no message may tell such staff anything about the person
        raise _refuse(user, req, [subject], "staff_not_permitted")
    lines: list[QuoteLine] = []
    seen_kinds: set[str] = set()
    for i, line in enumerate(req.lines):
        kind = cat.kinds.get(line.kind)
        if kind is None or not kind.offered:
            raise CertificateError(
                f"lines[{i}].kind",
                _("証明書の種類 %(k)s はこの市では交付していません") % {"k": line.kind},
            )
        if kind.id in seen_kinds:
            raise CertificateError(f"lines[{i}].kind", _("同じ種類が二度選ばれています"))
        seen_kinds.add(kind.id)
        copies = _parse_copies(line.copies, cat)
        persons = _scope_persons(kind, line, subject, for_later)
        lines.append(QuoteLine(kind, persons, [], copies, kind.fee, 0, ""))
    everyone = {p.atena_no: p for ql in lines for p in ql.persons}
    everyone.setdefault(subject.atena_no, subject)
    # The head's name is printed with 世帯主・続柄: the head counts as a person printed.
    wants_head = any(
        "head_relationship" in (line.items if line.items is not None else ql.kind.default_items)
        for ql, line in zip(lines, req.lines, strict=True)
    )
    if wants_head:
        for m in subject.household.members.all():
            if is_head(m) and not m.is_removed:
                everyone.setdefault(m.atena_no, m)

    # Staff who may not see a protected person cannot reach them through this door.
    held = _protected(everyone.values())
    protected = [p for p in everyone.values() if p.atena_no in held]
    if protected and not may_see_protected(user):
        raise _refuse(user, req, list(everyone.values()), "staff_not_permitted")
    # 支援措置: only the person themself (or a public body, as the catalog says).
    if protected:
        allowed = req.requester_type in cat.protected_allowed
        if req.requester_type == RequesterType.SELF:
            allowed = all(p.atena_no == subject.atena_no for p in protected)
        if not allowed:
            raise _refuse(user, req, list(everyone.values()), "support_measure")

    for ql in lines:
        if "card" in ql.kind.requesters and req.requester_type not in ql.kind.requesters:
            # 印鑑条例: whoever presents the 印鑑登録証 may ask; a 委任状 does not replace it.
            if not req.seal_card_no.strip():
                raise CertificateError(
                    "seal_card_no",
                    _("%(k)sには印鑑登録証の提示が必要です（委任状では交付できません）")
                    % {"k": ql.kind.name},
                )
            continue
        if req.requester_type not in ql.kind.requesters:
            raise CertificateError(
                "requester_type",
                _("%(r)sは%(k)sを請求できません（%(b)s）")
                % {"r": requester.name, "k": ql.kind.name, "b": ql.kind.basis},
            )
    for ask in requester.asks:
        value = getattr(req, ask)
        if value in (None, ""):
            raise CertificateError(ask, _("%(r)sの請求には入力が必要です") % {"r": requester.name})
    requester_name = req.requester_name
    if req.requester_type == RequesterType.SELF:
        requester_name = subject.name
    if req.requester_type == RequesterType.HOUSEHOLD:
        other = _person(req.requester_atena_no, "requester_atena_no")
        if other.household_id != subject.household_id or other.is_removed:
            raise CertificateError(
                "requester_atena_no", _("請求者は対象者と同じ世帯の住民ではありません")
            )
        if _protected([other]) and not may_see_protected(user):
            raise _refuse(user, req, [subject, other], "staff_not_permitted")
        requester_name = other.name
    if req.requester_type == RequesterType.AGENT:
        dated = req.proxy_dated_on
        if dated > today:
            raise CertificateError("proxy_dated_on", _("委任状の作成日が未来の日付です"))
        if (today - dated).days > cat.proxy_valid_days:
            raise CertificateError(
                "proxy_dated_on",
                _("委任状の作成日（%(d)s）から%(n)d日を過ぎています。新しい委任状が必要です")
                % {"d": dated.isoformat(), "n": cat.proxy_valid_days},
            )
    if any(ql.kind.scope == "seal" for ql in lines):
        seal = seals.active_seal(subject.atena_no)
        if seal is None:
            raise CertificateError(
                "kind", _("印鑑登録（印影）がないため、印鑑登録証明書は交付できません")
            )
        if req.seal_card_no.strip() != seal.card_no:
            raise CertificateError(
                "seal_card_no",
                _("印鑑登録証の番号が登録と一致しません。印鑑登録証の提示が必要です"),
            )

    # Items and fees.
    exempt_reason = ""
    if requester.fee_exempt:
        exempt_reason = _("公用請求（%(b)s）") % {"b": requester.basis}
    elif req.payment_method == PaymentMethod.EXEMPT:
        if not req.exempt_reason.strip():
            raise CertificateError(
                "exempt_reason", _("手数料を免除する理由（法令の根拠）を入力してください")
            )
        exempt_reason = req.exempt_reason.strip()
    elif req.payment_method == PaymentMethod.PREPAID and req.deferred_id:
        pass  # paid when the deferred request was recorded
    elif req.payment_method not in (PaymentMethod.CASH, PaymentMethod.CASHLESS):
        raise CertificateError("payment_method", _("支払方法を選んでください"))
    for ql, line in zip(lines, req.lines, strict=True):
        items = list(ql.kind.default_items) if line.items is None else list(line.items)
        for it in items:
            if it not in ql.kind.items:
                raise CertificateError(
                    "items", _("%(k)sには %(i)s を記載できません") % {"k": ql.kind.name, "i": it}
                )
            if it in requester.forbid_items:
                raise CertificateError(
                    "items",
                    _("%(r)sの請求では「%(i)s」は記載できません（%(b)s）")
                    % {"r": requester.name, "i": cat.items[it].name, "b": requester.basis},
                )
        ql.items = [it for it in ql.kind.items if it in items]  # catalog order
        ql.exempt_reason = exempt_reason if ql.kind.fee else ""
        ql.fee_per_copy = 0 if exempt_reason else ql.kind.fee
        ql.fee = ql.fee_per_copy * ql.copies
    return Quote(
        subject=subject, lines=lines, requester_name=requester_name, exempt_reason=exempt_reason
    )


def quote(req: RequestIn, user, *, action: str = "quote") -> Quote:
    """``check`` for a quote or the request form before issuing, audited as a read of
    the persons concerned (``certificates.<action>``)."""
    q = check(req, user)
    persons = q.persons
    with transaction.atomic():
        audit.record(
            user,
            f"certificates.{action}",
            query=",".join(f"{ql.kind.id}x{ql.copies}" for ql in q.lines),
            person_ids=[p.atena_no for p in persons],
            household_ids=sorted({p.household.household_no for p in persons}),
            flagged=bool(_protected(persons)),
        )
    return q


# ------------------------------------------------------------------ issuing


def _next(name: str, year: int, municipality_code: str) -> int:
    seq, _created = IssueSequence.objects.select_for_update().get_or_create(
        municipality_code=municipality_code, year=year, name=name
    )
    seq.last += 1
    seq.save(update_fields=["last"])
    return seq.last


def _signature(issue_no: str, kind: str, atena_nos: list[str], items: list[str], on: date) -> str:
    """The verification code: an HMAC of what the certificate states (kind, persons,
    items, date), so a code cannot be made up and a record cannot be altered unseen."""
    msg = "|".join([issue_no, kind, ",".join(atena_nos), ",".join(items), on.isoformat()])
    digest = hmac.new(settings.SECRET_KEY.encode(), msg.encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest[:10]).decode()  # 16 characters, no padding
    return f"{text[:4]}-{text[4:8]}-{text[8:12]}-{text[12:16]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _make_certificate(
    request: CertificateRequest, ql: QuoteLine, user, now, reissue_of=None
) -> Certificate:
    on = timezone.localdate(now)
    n = _next("issue", on.year, request.municipality_code)
    issue_no = f"{on.year}-{n:06d}"
    atena_nos = [p.atena_no for p in ql.persons]
    seal = seals.active_seal(request.subject_atena_no) if ql.kind.scope == "seal" else None
    if ql.kind.scope == "seal" and seal is None:
        raise CertificateError(
            "kind", _("印鑑登録（印影）がないため、印鑑登録証明書は交付できません")
        )
    impression = bytes(seal.impression) if seal else b""
    cert = Certificate(
        municipality_code=request.municipality_code,
        issue_no=issue_no,
        code=_signature(issue_no, ql.kind.id, atena_nos, ql.items, on),
        request=request,
        kind=ql.kind.id,
        kind_name=ql.kind.name,
        subject_atena_no=request.subject_atena_no,
        person_atena_nos=atena_nos,
        items=ql.items,
        copies=ql.copies,
        fee_per_copy=ql.fee_per_copy,
        fee=ql.fee,
        exempt_reason=ql.exempt_reason,
        payment_method=PaymentMethod.EXEMPT if ql.fee == 0 else request.payment_method,
        counter_no=request.counter_no,
        issued_by=user,
        issued_at=now,
        issued_on=on,
        register_as_of=max((p.updated_at for p in ql.persons), default=None),
        # the impression printed, kept with the record (a reprint shows this one)
        seal_registration_no=seal.registration_no if seal else "",
        impression=impression,
        impression_format=seal.impression_format if seal else "",
        impression_digest=hashlib.sha256(impression).hexdigest() if seal else "",
        reissue_of=reissue_of,
    )
    cert.save()
    return cert


def issue(req: RequestIn, user, *, today: date | None = None) -> CertificateRequest:
    """Check and issue: the request, one record per kind, the receipt number; audited."""
    quote = check(req, user, today=today)
    now = timezone.now()
    with transaction.atomic():
        subject = quote.subject
        request = CertificateRequest.objects.create(
            municipality_code=subject.municipality_code,
            ticket_id=req.ticket_id,
            visit_id=req.visit_id,
            clerk=user,
            counter_no=req.counter_no,
            channel=req.channel,
            subject_atena_no=subject.atena_no,
            requester_type=req.requester_type,
            requester_atena_no=req.requester_atena_no,
            requester_name=quote.requester_name,
            requester_address=req.requester_address,
            purpose=req.purpose,
            legal_basis=req.legal_basis,
            proxy_dated_on=req.proxy_dated_on,
            id_document=req.id_document,
            seal_card_no=req.seal_card_no,
            payment_method=PaymentMethod.EXEMPT if quote.total == 0 else req.payment_method,
            fee_total=quote.total,
        )
        for ql in quote.lines:
            _make_certificate(request, ql, user, now)
        if quote.total and req.payment_method != PaymentMethod.PREPAID:
            n = _next("receipt", now.year, request.municipality_code)
            request.receipt_no = f"R{now.year}-{n:06d}"
            request.save(update_fields=["receipt_no"])
        persons = quote.persons
        audit.record(
            user,
            "certificates.issue",
            query=",".join(f"{ql.kind.id}x{ql.copies}" for ql in quote.lines)
            + f" requester={req.requester_type} channel={req.channel}",
            person_ids=[p.atena_no for p in persons],
            household_ids=sorted({p.household.household_no for p in persons}),
            flagged=bool(_protected(persons)),
        )
    return request


def _voided(cert: Certificate) -> bool:
    return cert.actions.filter(action=ActionKind.VOID).exists()


def status_of(cert: Certificate) -> str:
    return "void" if _voided(cert) else "valid"


def refunded(cert: Certificate) -> tuple[int, int]:
    """(copies, amount) refunded so far for copies not delivered."""
    rows = cert.actions.filter(action=ActionKind.REFUND).values_list("copies", "refund")
    return sum(c for c, _r in rows), sum(r for _c, r in rows)


def delivered_copies(cert: Certificate) -> int:
    """The copies the resident took: 0 once void, else those not refunded."""
    if _voided(cert):
        return 0
    return cert.copies - refunded(cert)[0]


def _action_row(cert, user, kind, reason, counter_no, refund=0, copies=0) -> CertificateAction:
    now = timezone.now()
    return CertificateAction.objects.create(
        certificate=cert,
        action=kind,
        reason=reason,
        refund=refund,
        copies=copies,
        counter_no=counter_no or cert.counter_no,
        by=user,
        at=now,
        on=timezone.localdate(now),
    )


def _locked_valid(cert_id: int, user) -> Certificate:
    """The certificate, row-locked, that this staff member may change and is not void."""
    cert = Certificate.objects.select_for_update().get(pk=cert_id)
    _authorise(cert, user)
    if _voided(cert):
        raise CertificateError("certificate", _("この証明書はすでに取り消されています"))
    return cert


def void(cert_id: int, user, reason: str, counter_no: str = "") -> CertificateAction:
    """Void an issued certificate with a reason; the fee of the copies still delivered
    (not refunded before) is refunded (a new record)."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason", _("取消の理由を入力してください"))
    with transaction.atomic():
        cert = _locked_valid(cert_id, user)
        copies, amount = refunded(cert)
        action = _action_row(
            cert,
            user,
            ActionKind.VOID,
            reason,
            counter_no,
            refund=cert.fee - amount,
            copies=cert.copies - copies,
        )
        audit.record(
            user,
            "certificates.void",
            query=f"{cert.issue_no} {reason}"[:500],
            person_ids=cert.person_atena_nos,
        )
    return action


def refund_copies(
    cert_id: int, user, copies, reason: str, counter_no: str = ""
) -> CertificateAction:
    """Refund the fee of copies paid for but not delivered (e.g. 3 paid, 1 not needed):
    the certificate stays valid for the copies the resident keeps. A refund of every
    copy left is a void."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason", _("返金の理由を入力してください"))
    try:
        n = int(copies)
    except (TypeError, ValueError):
        raise CertificateError("copies", _("返金する通数は数字で指定してください")) from None
    with transaction.atomic():
        cert = _locked_valid(cert_id, user)
        done, _amount = refunded(cert)
        left = cert.copies - done
        if n < 1 or n >= left:
            raise CertificateError(
                "copies",
                _("返金する通数は1〜%(m)d通です（すべての通数なら取消にしてください）")
                % {"m": left - 1},
            )
        action = _action_row(
            cert,
            user,
            ActionKind.REFUND,
            reason,
            counter_no,
            refund=cert.fee_per_copy * n,
            copies=n,
        )
        audit.record(
            user,
            "certificates.refund",
            query=f"{cert.issue_no} {n} {reason}"[:500],
            person_ids=cert.person_atena_nos,
        )
    return action


def reissue(cert_id: int, user, reason: str, counter_no: str = "") -> Certificate:
    """Void the certificate (if not yet void) and issue it again as a new record: new
    issue number, new code, the same kind, persons, items and copies, re-read from the
    register as it is now."""
    cat = current()
    with transaction.atomic():
        old = Certificate.objects.select_related("request").get(pk=cert_id)
        _authorise(old, user)
        if not _voided(old):
            void(cert_id, user, reason, counter_no)
        kind = cat.kinds.get(old.kind)
        if kind is None:
            raise CertificateError("kind", _("この種類はカタログにありません"))
        persons = current_persons(old.person_atena_nos)
        missing = [a for a in old.person_atena_nos if a not in persons]
        if missing:
            raise CertificateError("persons", _("住民記録にない方が含まれています"))
        copies = old.copies - refunded(old)[0]  # the copies the resident had kept
        ql = QuoteLine(
            kind=kind,
            persons=[persons[a] for a in old.person_atena_nos],
            items=list(old.items),
            copies=copies,
            fee_per_copy=old.fee_per_copy,
            fee=old.fee_per_copy * copies,
            exempt_reason=old.exempt_reason,
        )
        cert = _make_certificate(old.request, ql, user, timezone.now(), reissue_of=old)
        audit.record(
            user,
            "certificates.reissue",
            query=f"{old.issue_no}→{cert.issue_no} {reason}"[:500],
            person_ids=cert.person_atena_nos,
            flagged=bool(_protected(ql.persons)),
        )
    return cert


def record_reprint(cert_id: int, user, reason: str, counter_no: str = "") -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason", _("再印刷の理由を入力してください"))
    with transaction.atomic():
        cert = Certificate.objects.get(pk=cert_id)
        _authorise(cert, user)
        if _voided(cert):
            raise CertificateError("certificate", _("取り消された証明書は再印刷できません"))
        _action_row(cert, user, ActionKind.REPRINT, reason, counter_no)
        audit.record(
            user, "certificates.reprint", query=cert.issue_no, person_ids=cert.person_atena_nos
        )
    return cert


def _authorise(cert: Certificate, user) -> None:
    """Staff who may not see a protected person may not touch their certificates."""
    if may_see_protected(user):
        return
    if protected_atena_nos(cert.person_atena_nos):
        raise Refused()


def audited_read(user, action: str, query: str, atena_nos: list[str]) -> None:
    """Audit a read of the persons named (``certificates.<action>``); a protected person
    for staff without the permission is refused (audited ``.denied``, flagged)."""
    with transaction.atomic():
        protected = bool(protected_atena_nos(atena_nos))
        denied = protected and not may_see_protected(user)
        audit.record(
            user,
            f"certificates.{action}" + (".denied" if denied else ""),
            query=query,
            person_ids=list(atena_nos),
            flagged=protected,
        )
    if denied:
        raise Refused()


def certificate_for(cert_id: int, user, action: str) -> Certificate:
    """An issued certificate for display or printing, audited (``certificates.<action>``)."""
    cert = Certificate.objects.select_related("request").filter(pk=cert_id).first()
    if cert is None:
        raise CertificateError("certificate", _("証明書が見つかりません"))
    audited_read(user, action, cert.issue_no, cert.person_atena_nos)
    return cert


def request_for(request_id: int, user) -> CertificateRequest:
    req = CertificateRequest.objects.filter(pk=request_id).first()
    if req is None:
        raise CertificateError("request", _("申請が見つかりません"))
    atena = sorted({a for c in req.certificates.all() for a in c.person_atena_nos})
    audited_read(user, "request", str(req.pk), atena)
    return req


# ------------------------------------------------------------------ verification


@dataclass
class Verification:
    found: bool
    authentic: bool = False
    status: str = ""
    certificate: Certificate | None = None
    reissued_as: str = ""


def verify(code: str, user, channel: str = "ui") -> Verification:
    """Check a verification code against the issued records (audited)."""
    norm = normalise_code(code)
    with transaction.atomic():
        cert = Certificate.objects.filter(code=norm).first()
        audit.record(
            user,
            "certificates.verify",
            query=f"{norm} {channel}",
            person_ids=cert.person_atena_nos if cert else [],
        )
    if cert is None:
        return Verification(found=False)
    expected = _signature(
        cert.issue_no, cert.kind, list(cert.person_atena_nos), list(cert.items), cert.issued_on
    )
    newer = cert.reissues.order_by("-id").first()
    return Verification(
        found=True,
        authentic=hmac.compare_digest(expected, cert.code),
        status=status_of(cert),
        certificate=cert,
        reissued_as=newer.issue_no if newer else "",
    )


# ------------------------------------------------------------------ the till (日計表)


@dataclass
class TillRow:
    kind: str
    kind_name: str
    method: str
    count: int = 0
    copies: int = 0
    amount: int = 0


@dataclass
class Till:
    """The day's money at a counter. ``total``: fees taken at issue (a ``prepaid``
    certificate was paid on the day its deferred request was recorded); ``prepaid``:
    fees taken today for certificates to be issued later; ``refunds``: voids, refunds of
    copies not delivered and refunds of deferred requests given up."""

    day: date
    counter_no: str
    issued: list[Certificate]
    voids: list[CertificateAction]  # every action with a refund: voids and partial refunds
    rows: list[TillRow]
    void_count: int
    refunds: int
    total: int
    prepayments: list = field(default_factory=list)  # DeferredRequest paid today
    deferred_refunds: list = field(default_factory=list)  # DeferredRequest refunded today

    @property
    def prepaid(self) -> int:
        return sum(d.fee_total for d in self.prepayments)

    @property
    def refund_count(self) -> int:
        return len(self.voids) + len(self.deferred_refunds)

    @property
    def net(self) -> int:
        return self.total + self.prepaid - self.refunds


def collected(c: Certificate) -> int:
    """What was taken for this record at its issue (nothing when paid in advance)."""
    return 0 if c.payment_method == PaymentMethod.PREPAID else c.fee


def till(day: date, counter_no: str = "") -> Till:
    """The day's till per counter: every certificate issued, every refund (void or copies
    not delivered) and every deferred request paid or refunded that day (at that counter,
    or all counters when ``counter_no`` is empty)."""
    from .models import DeferredRequest

    cat = current()
    issued = Certificate.objects.filter(issued_on=day).order_by("issue_no")
    actions = CertificateAction.objects.filter(
        on=day, action__in=(ActionKind.VOID, ActionKind.REFUND)
    ).select_related("certificate")
    prepaid = DeferredRequest.objects.filter(paid_on=day, paid_now=True, fee_total__gt=0)
    given_back = DeferredRequest.objects.filter(closed_on=day, refund__gt=0)
    if counter_no:
        issued = issued.filter(counter_no=counter_no)
        actions = actions.filter(counter_no=counter_no)
        prepaid = prepaid.filter(counter_no=counter_no)
        given_back = given_back.filter(closed_counter_no=counter_no)
    issued = list(issued)
    actions = list(actions.order_by("at", "id"))
    order = {k: i for i, k in enumerate(cat.kinds)}
    rows: dict[tuple[str, str], TillRow] = {}
    for c in issued:
        row = rows.setdefault(
            (c.kind, c.payment_method), TillRow(c.kind, c.kind_name, c.payment_method)
        )
        row.count += 1
        row.copies += c.copies
        row.amount += collected(c)
    ordered = sorted(
        rows.values(),
        key=lambda r: (order.get(r.kind, 99), PaymentMethod.values.index(r.method)),
    )
    prepayments = list(prepaid.order_by("id"))
    deferred_refunds = list(given_back.order_by("id"))
    return Till(
        day=day,
        counter_no=counter_no,
        issued=issued,
        voids=actions,
        rows=ordered,
        void_count=sum(1 for a in actions if a.action == ActionKind.VOID),
        refunds=sum(a.refund for a in actions) + sum(d.refund for d in deferred_refunds),
        total=sum(collected(c) for c in issued),
        prepayments=prepayments,
        deferred_refunds=deferred_refunds,
    )


def till_csv(t: Till) -> bytes:
    """The till as CSV in UTF-8 with BOM (opens in Excel): one line per issued record,
    refund and deferred payment, then the totals per kind and method, fees, refunds, net."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["区分", "交付番号", "種類", "支払方法", "通数", "金額", "窓口", "時刻", "理由"])
    for c in t.issued:
        w.writerow(
            [
                "交付",
                c.issue_no,
                c.kind_name,
                PaymentMethod(c.payment_method).label,
                c.copies,
                collected(c),
                c.counter_no,
                timezone.localtime(c.issued_at).strftime("%H:%M:%S"),
                c.exempt_reason,
            ]
        )
    for d in t.prepayments:
        w.writerow(
            [
                "前納（後日交付）",
                d.slip_no,
                d.kinds_text,
                PaymentMethod(d.payment_method).label,
                "",
                d.fee_total,
                d.counter_no,
                timezone.localtime(d.created_at).strftime("%H:%M:%S"),
                "",
            ]
        )
    for v in t.voids:
        w.writerow(
            [
                "取消" if v.action == ActionKind.VOID else "一部返金",
                v.certificate.issue_no,
                v.certificate.kind_name,
                PaymentMethod(v.certificate.payment_method).label,
                v.copies,
                -v.refund,
                v.counter_no,
                timezone.localtime(v.at).strftime("%H:%M:%S"),
                v.reason,
            ]
        )
    for d in t.deferred_refunds:
        w.writerow(
            [
                "前納の返金（後日交付の取りやめ）",
                d.slip_no,
                d.kinds_text,
                PaymentMethod(d.payment_method).label,
                "",
                -d.refund,
                d.counter_no,
                "",
                d.closed_reason,
            ]
        )
    w.writerow([])
    w.writerow(["集計", "", "種類", "支払方法", "通数", "金額", "件数", "", ""])
    for r in t.rows:
        w.writerow(
            [
                "",
                "",
                r.kind_name,
                PaymentMethod(r.method).label,
                r.copies,
                r.amount,
                r.count,
                "",
                "",
            ]
        )
    w.writerow(["手数料（交付時）", "", "", "", "", t.total, len(t.issued), "", ""])
    w.writerow(["前納", "", "", "", "", t.prepaid, len(t.prepayments), "", ""])
    w.writerow(["返金合計", "", "", "", "", -t.refunds, t.refund_count, "", ""])
    w.writerow(["差引", "", "", "", "", t.net, "", "", ""])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def ticket_days(days: int = 0) -> date:
    return timezone.localdate() - timedelta(days=days)
