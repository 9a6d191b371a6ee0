"""Certificates, the request form (交付申請書), the receipt and the till report as PDF.

Python binds the values (和暦, the items asked for, the QR code drawn by segno) and hands
Typst one JSON document; the layout is catalog data: ``<catalog>/certificates/*.typ``
with the 公印 image beside it. One warm compiler per folder (fonts loaded once).
"""

from __future__ import annotations

import io
import json
import threading
from datetime import date
from pathlib import Path

import segno
import typst
from django.utils import timezone

from madoguchi.core.wareki import WarekiError, format_wareki
from madoguchi.documents.engine import FONT_DIR
from madoguchi.register.models import Person, ResidentKind
from madoguchi.register.services import current_persons

from .catalog import CertificateCatalog, current
from .models import (
    ActionKind,
    Certificate,
    CertificateRequest,
    DeferredRequest,
    PaymentMethod,
    RequesterType,
)
from .services import collected, is_head

QR_PREFIX = "MADOGUCHI-CERT"


class RenderError(RuntimeError):
    pass


class _Compiler:
    _lock = threading.Lock()
    _cache: dict[str, _Compiler] = {}

    def __init__(self, root: Path):
        self.compiler = typst.Compiler(
            root=str(root), font_paths=[str(FONT_DIR)], ignore_system_fonts=True
        )
        self.lock = threading.Lock()

    @classmethod
    def for_dir(cls, root: Path) -> _Compiler:
        key = str(root.resolve())
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(root)
            return cls._cache[key]

    def compile(self, doc: str, data: dict, fmt: str = "pdf", ppi: float | None = None):
        source = (
            '#import "/templates.typ": *\n'
            "#let data = json(bytes(sys.inputs.data))\n"
            f"#show: setup.with(data)\n#{doc}(data)\n"
        ).encode()
        payload = json.dumps(data, ensure_ascii=False, default=str)
        kwargs = {"format": fmt, "sys_inputs": {"data": payload}}
        if ppi:
            kwargs["ppi"] = ppi
        with self.lock:
            try:
                return self.compiler.compile(input=source, **kwargs)
            except typst.TypstError as exc:
                raise RenderError(f"Typst: {getattr(exc, 'diagnostic', '') or exc}") from exc


def wareki(value: date | None) -> str:
    if value is None:
        return ""
    try:
        return format_wareki(value)
    except WarekiError:
        return f"{value.year}年{value.month}月{value.day}日"


def western(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def qr_svg(cert: Certificate) -> str:
    """The QR code: the issue number and the verification code only (no personal data)."""
    buf = io.BytesIO()
    # A fixed mask: segno's search for the best of eight masks costs ~25 ms, and any mask
    # scans; the content (upper case, digits, ":" and "-") uses the alphanumeric mode.
    segno.make(f"{QR_PREFIX}:{cert.issue_no}:{cert.code}", error="m", mask=0).save(
        buf, kind="svg", scale=1, border=0, xmldecl=False, svgns=True
    )
    return buf.getvalue().decode()


def _person_block(p: Person, items: list[str]) -> dict:
    foreign = p.resident_kind == ResidentKind.FOREIGN
    date_of = western if foreign else wareki
    out = {
        "name": p.name,
        "alt_name": p.alt_name,
        "kana": p.name_kana,
        "birth": p.birth_date_text
        if p.birth_date_uncertain
        else (western(p.birth_date) if foreign else wareki(p.birth_date)),
        "sex": p.get_sex_display(),
        "became_resident_on": date_of(p.became_resident_on or p.foreign_resident_since),
        "address_set_on": date_of(p.address_set_on),
        "notified_on": date_of(p.notified_on),
        "removed_on": date_of(p.removed_on),
        "removal_reason": p.removal_reason,
        "moved_out_to": p.moved_out_to,
        "planned_move_out_on": date_of(p.planned_move_out_on),
        "foreign": foreign,
        "rows": [],
    }
    rows = out["rows"]
    if "head_relationship" in items:  # the head's name is printed once, above the persons
        rows.append(["続柄", p.relationship])
    if "honseki" in items and not foreign:
        rows.append(["本籍", p.honseki])
        rows.append(["筆頭者", p.hittousha])
    if "former_address" in items:
        rows.append(["前住所", p.former_address])
    if "juminhyo_code" in items:
        rows.append(["住民票コード", p.juminhyo_code])
    if "foreign_details" in items and foreign:
        rows += [
            ["国籍・地域", p.nationality_name or p.nationality],
            ["法第30条の45に規定する区分", p.art30_45_class],
            ["在留資格", p.residence_status],
            ["在留期間", p.residence_period],
            ["在留期間の満了の日", western(p.residence_expires_on)],
            ["在留カード等の番号", p.residence_card_no],
        ]
    return out


def _fuhyo_block(persons: list[Person]) -> dict:
    """The 附票 as the register holds it: 本籍, 筆頭者 and per person the addresses known
    (the address before moving in, the address here from 住所を定めた日, the address moved
    out to from the day of removal). An address whose date the register does not hold
    is printed without one."""
    first = persons[0] if persons else None
    out = {
        "honseki": first.honseki if first else "",
        "hittousha": first.hittousha if first else "",
        "persons": [],
    }
    for p in persons:
        rows = []
        if p.former_address:
            rows.append({"address": p.former_address, "since": ""})
        rows.append({"address": p.address + (p.katagaki or ""), "since": wareki(p.address_set_on)})
        if p.is_removed and p.moved_out_to:
            rows.append({"address": p.moved_out_to, "since": wareki(p.removed_on)})
        out["persons"].append(
            {
                "name": p.name,
                "birth": p.birth_date_text if p.birth_date_uncertain else wareki(p.birth_date),
                "sex": p.get_sex_display(),
                "addresses": rows,
            }
        )
    return out


def _head_of(persons: list[Person]) -> Person | None:
    if not persons:
        return None
    hh = persons[0].household
    return next((m for m in hh.members.all() if is_head(m) and not m.is_removed), None)


def _common(cat: CertificateCatalog) -> dict:
    from madoguchi.documents.services import default_catalog, municipality_of

    return {
        "municipality": municipality_of(default_catalog()),
        "mayor": cat.mayor,
        "sample": cat.sample,
        "seal_image": cat.seal_image.name if cat.seal_image else "",
    }


def certificate_data(cert: Certificate, persons: dict[str, Person] | None = None) -> dict:
    cat = current()
    if persons is None:
        persons = current_persons(cert.person_atena_nos)
    ordered = [persons[a] for a in cert.person_atena_nos if a in persons]
    kind = cat.kinds.get(cert.kind)
    head = _head_of(ordered)
    subject = persons.get(cert.subject_atena_no) or (ordered[0] if ordered else None)
    impression = None
    if cert.impression_format:  # the 印影 as issued, kept with the record
        data = bytes(cert.impression)
        impression = {
            "format": cert.impression_format,
            "svg": data.decode("utf-8") if cert.impression_format == "svg" else "",
            "bytes": list(data) if cert.impression_format == "png" else [],
            "registration_no": cert.seal_registration_no,
        }
    return {
        **_common(cat),
        "title": kind.title if kind else cert.kind_name,
        "kind": cert.kind,
        "scope": kind.scope if kind else "",
        "certify": kind.certify if kind else "",
        "basis": kind.basis if kind else "",
        "issue_no": cert.issue_no,
        "code": cert.code,
        "qr": qr_svg(cert),
        "copies": cert.copies,
        "issued_on": wareki(cert.issued_on),
        "address": subject.address if subject else "",
        "katagaki": subject.katagaki if subject else "",
        "head": head.name if (head and "head_relationship" in cert.items) else "",
        "items": [cat.items[i].name for i in cert.items if i in cat.items],
        "persons": [_person_block(p, list(cert.items)) for p in ordered],
        "fuhyo": _fuhyo_block(ordered) if kind and kind.scope == "fuhyo" else None,
        "impression": impression,
        "reissue_of": cert.reissue_of.issue_no if cert.reissue_of_id else "",
    }


def render_certificates(certs: list[Certificate], fmt: str = "pdf", ppi: float | None = None):
    cat = current()
    data = {**_common(cat), "certificates": [certificate_data(c) for c in certs]}
    return _Compiler.for_dir(cat.templates).compile("certificates", data, fmt, ppi)


def _request_data(req: CertificateRequest, lines: list[dict], subject: Person) -> dict:
    cat = current()
    requester = cat.requesters.get(req.requester_type)
    return {
        **_common(cat),
        "date": wareki(
            timezone.localdate(req.created_at) if req.created_at else timezone.localdate()
        ),
        "requester_type": requester.name if requester else req.requester_type,
        "requester_basis": requester.basis if requester else "",
        "requester_name": req.requester_name
        or (subject.name if req.requester_type == RequesterType.SELF else ""),
        "requester_address": req.requester_address
        or (
            subject.address
            if req.requester_type in (RequesterType.SELF, RequesterType.HOUSEHOLD)
            else ""
        ),
        "purpose": req.purpose,
        "legal_basis": req.legal_basis,
        "proxy_dated_on": wareki(req.proxy_dated_on),
        "id_document": req.id_document,
        "subject": {
            "name": subject.name,
            "kana": subject.name_kana,
            "birth": wareki(subject.birth_date),
            "address": subject.address,
            "katagaki": subject.katagaki,
        },
        "lines": lines,
        "total": sum(line["fee"] for line in lines),
        "payment": PaymentMethod(req.payment_method).label if req.payment_method else "",
        "receipt_no": req.receipt_no,
    }


def render_request_form(
    req: CertificateRequest, lines: list[dict], subject: Person, fmt: str = "pdf", ppi=None
):
    """The 交付申請書, filled in: the resident checks and signs."""
    cat = current()
    data = _request_data(req, lines, subject)
    return _Compiler.for_dir(cat.templates).compile("request-form", data, fmt, ppi)


def lines_of_request(req: CertificateRequest) -> list[dict]:
    cat = current()
    return [
        {
            "kind": c.kind_name,
            "issue_no": c.issue_no,
            "items": [cat.items[i].name for i in c.items if i in cat.items],
            "copies": c.copies,
            "fee_per_copy": c.fee_per_copy,
            "fee": c.fee,
            "exempt_reason": c.exempt_reason,
        }
        for c in req.certificates.order_by("id")
        if c.reissue_of_id is None
    ]


def render_receipt(req: CertificateRequest, subject: Person, fmt: str = "pdf", ppi=None):
    cat = current()
    data = _request_data(req, lines_of_request(req), subject)
    return _Compiler.for_dir(cat.templates).compile("receipt", data, fmt, ppi)


def render_till(t, fmt: str = "pdf", ppi=None):
    cat = current()
    data = {
        **_common(cat),
        "day": wareki(t.day),
        "counter_no": t.counter_no or "全窓口",
        "rows": [
            {
                "kind": r.kind_name,
                "method": PaymentMethod(r.method).label,
                "count": r.count,
                "copies": r.copies,
                "amount": r.amount,
            }
            for r in t.rows
        ],
        "issued": [
            {
                "issue_no": c.issue_no,
                "kind": c.kind_name,
                "method": PaymentMethod(c.payment_method).label,
                "copies": c.copies,
                "fee": collected(c),
                "time": timezone.localtime(c.issued_at).strftime("%H:%M"),
                "counter": c.counter_no,
            }
            for c in t.issued
        ],
        "voids": [
            {
                "issue_no": v.certificate.issue_no,
                "kind": v.certificate.kind_name,
                "action": "取消" if v.action == ActionKind.VOID else "一部返金",
                "copies": v.copies,
                "refund": v.refund,
                "reason": v.reason,
                "time": timezone.localtime(v.at).strftime("%H:%M"),
            }
            for v in t.voids
        ]
        + [
            {
                "issue_no": d.slip_no,
                "kind": d.kinds_text,
                "action": "後日交付取りやめ",
                "copies": "",
                "refund": d.refund,
                "reason": d.closed_reason,
                "time": "",
            }
            for d in t.deferred_refunds
        ],
        "prepayments": [
            {
                "slip_no": d.slip_no,
                "kinds": d.kinds_text,
                "method": PaymentMethod(d.payment_method).label,
                "fee": d.fee_total,
                "time": timezone.localtime(d.created_at).strftime("%H:%M"),
            }
            for d in t.prepayments
        ],
        "total": t.total,
        "prepaid": t.prepaid,
        "prepaid_count": len(t.prepayments),
        "refunds": t.refunds,
        "refund_count": t.refund_count,
        "net": t.net,
        "count": len(t.issued),
        "void_count": t.void_count,
        "printed_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    return _Compiler.for_dir(cat.templates).compile("till", data, fmt, ppi)


def render_deferred_slip(d: DeferredRequest, subject: Person | None, fmt="pdf", ppi=None):
    """The slip the resident takes for a certificate to be issued later."""
    cat = current()
    if d.issue_on:
        when = f"{wareki(d.issue_on)}以後"
    else:
        when = "住民記録に新しい住所が記録された後（基幹システムの異動処理の後）"
    data = {
        **_common(cat),
        "slip_no": d.slip_no,
        "date": wareki(timezone.localdate(d.created_at)),
        "name": subject.name if subject else "",
        "kinds": d.kinds_text,
        "when": when,
        "paid": d.paid_now,
        "fee": d.fee_total,
        "receipt_no": d.receipt_no,
    }
    return _Compiler.for_dir(cat.templates).compile("deferred-slip", data, fmt, ppi)
