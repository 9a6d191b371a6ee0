"""What was printed and handed to the resident, and what has changed since.

Every print of a visit is recorded in ``Visit.state["prints"]`` (and audited): the
bundle (every form and the guide sheet, ``visit.print``) or the guide sheet alone
(``visit.reprint_guide``), its edition (第1版, 第2版 …), when, by whom, the visit's
version, and a digest of what each part was rendered from — the forms (the situations,
the procedures with their forms, the person at the counter, the 届出日, the catalog) and
the guide sheet (the same with each procedure's 同席 mark and the languages). A change
after printing that alters printed output — a procedure withdrawn, a 同席 mark, a
correction — makes the digest differ from the last print's: the screen says which
documents are stale (``stale``) and offers to print them again, the guide sheet alone
when only it changed (``guide_pdf``: rendered again from the visit's stored data).
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit.services import record

from .. import access, determination
from ..models import Visit, VisitStep
from .errors import CounterError
from .visit import _atena_nos

BUNDLE, GUIDE = "bundle", "guide"
PRINTABLE = (VisitStep.CONFIRMED, VisitStep.PRINTED, VisitStep.DONE)


def _digest(value) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def rendered_from(visit: Visit) -> dict:
    """What the printed output depends on: the digests of the forms and of the guide
    sheet, and the 同席 marks and withdrawn procedures (to say why it changed)."""
    from .. import safety
    from .atcounter import marked_result

    state = visit.state or {}
    sits = determination.situations(visit)
    result = marked_result(visit)
    procs = result.get("procedures", [])
    common = {
        "situations": sits,
        "notified_on": safety.notified_on(visit),
        "catalog": (visit.catalog_version or {}).get("label", ""),
    }
    forms = {
        **common,
        "procedures": [(p["id"], p.get("persons"), p.get("forms")) for p in procs],
        "applicant": state.get("applicant"),
        "phone": state.get("contact_phone"),
    }
    guide = {
        **common,
        "procedures": [{k: v for k, v in p.items() if k != "because"} for p in procs],
        "languages": state.get("guide_languages") or ["ja"],
    }
    return {
        "forms": _digest(forms),
        "guide": _digest(guide),
        "at_counter": {p["id"]: p["at_counter"] for p in procs if p.get("at_counter")},
        "procedures": sorted(p["id"] for p in procs),
    }


def prints(visit: Visit) -> list[dict]:
    return list((visit.state or {}).get("prints") or [])


def record_print(visit_id: int, actor, kind: str, made: dict) -> dict:
    """Append the print to the visit's record (no new version: nothing the clerk edits
    changed). Call inside the transaction that audits the print."""
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    done = prints(visit)
    entry = {
        "kind": kind,
        "edition": sum(1 for p in done if p["kind"] == kind) + 1,
        "at": timezone.localtime().isoformat(timespec="seconds"),
        "by": actor.username,
        "version": visit.version,
        "step": visit.step,
        **made,
    }
    state = {**(visit.state or {}), "prints": [*done, entry]}
    Visit.objects.filter(pk=visit_id).update(state=state)
    return entry


def stale(visit: Visit) -> dict:
    """The printed documents that no longer match the visit: ``{}`` when nothing was
    printed (or printed before prints were recorded) or nothing changed, else
    ``{"forms": bool, "guide": bool, "reasons": […], "last": the last print}``."""
    done = prints(visit)
    if not done or visit.step not in (VisitStep.PRINTED, VisitStep.DONE):
        return {}
    last_bundle = next((p for p in reversed(done) if p["kind"] == BUNDLE), None)
    last = done[-1]
    now = rendered_from(visit)
    forms = last_bundle is not None and last_bundle["forms"] != now["forms"]
    guide = last["guide"] != now["guide"]
    if not (forms or guide):
        return {}
    reasons = []
    if now["at_counter"] != last.get("at_counter", {}):
        reasons.append(_("窓口での対応（同席）を記録しました"))
    if now["procedures"] != last.get("procedures", now["procedures"]):
        reasons.append(_("手続が変わりました（取下げなど）"))
    if forms and not reasons:
        reasons.append(_("印刷した内容を訂正しました"))
    if not reasons:
        reasons.append(_("案内票の内容が変わりました"))
    return {"forms": forms, "guide": guide, "reasons": reasons, "last": last}


def bundle_pdf(visit_id: int, actor) -> bytes:
    """Render the bundle of a confirmed visit (forms + guide sheet); audited as a read.

    Rendering takes a while, so it runs outside the write transaction; only marking the
    visit printed, the print record and the audit row are written, in one short
    transaction.
    """
    from django.db.models import F

    from madoguchi.documents.services import record_bundle

    visit = _printable(visit_id, actor)
    made = rendered_from(visit)
    bundle = determination.render(visit)
    with transaction.atomic():
        record_bundle(bundle, "counter", f"visit:{visit.pk}")  # analytics: chars saved
        Visit.objects.filter(pk=visit_id, step=VisitStep.CONFIRMED).update(
            step=VisitStep.PRINTED,
            printed_at=timezone.now(),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        _recorded(visit, actor, BUNDLE, made, "visit.print")
    return bundle.pdf


def guide_pdf(visit_id: int, actor) -> bytes:
    """The guide sheet alone, rendered again from the visit's stored data (after a
    同席 mark or another change that alters only it); recorded as a print
    (``visit.reprint_guide``, the edition handed over)."""
    visit = _printable(visit_id, actor)
    if not visit.printed_at:
        raise CounterError(_("申請書一式を先に印刷してください"), "step")
    made = rendered_from(visit)
    bundle = determination.render(visit, guide_only=True)
    with transaction.atomic():
        _recorded(visit, actor, GUIDE, made, "visit.reprint_guide")
    return bundle.pdf


def _recorded(visit: Visit, actor, kind: str, made: dict, action: str) -> None:
    """The print in the visit's record and its audit row (naming the edition), flagged
    when a protected person is concerned."""
    entry = record_print(visit.pk, actor, kind, made)
    record(
        actor,
        action,
        query=f"visit:{visit.pk} {kind}#{entry['edition']} v{entry['version']}",
        person_ids=_atena_nos(visit),
        flagged=bool(access.protected_in(visit)),
    )


def _printable(visit_id: int, actor) -> Visit:
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None:
        raise CounterError(_("案件が見つかりません"), "visit")
    access.check(actor, visit)  # the door (access.read_visit) audited a refusal
    if visit.step not in PRINTABLE:
        raise CounterError(_("確認前の案件は印刷できません"), "step")
    return visit
