"""Procedures handled together at the counter (同席で対応).

In a 書かない窓口 a department's staff may come to the counter (同席), or the counter clerk
completes a procedure on the spot. The clerk marks such a procedure of the visit as done at
the counter (完了: by whom, when, the department) or in progress at the counter (対応中: the
department's staff present). The marks live in ``Visit.state["at_counter"]`` until signing;
``tasks.services.route_visit`` then creates those tasks already 完了 / 処理中 at the
counter, and the guide sheet prints 「窓口で手続済み」 instead of sending the resident to
the department. Which procedures may be *completed* at the counter is the department's
data: the catalog flag ``counter_completion`` of the procedure version in force on the
visit's date (docs/catalog.md).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.audit.services import record

from .. import determination
from ..models import Visit
from .errors import CounterError
from .visit import _atena_nos, _lock

DONE, IN_PROGRESS = "done", "in_progress"
STATUSES = (DONE, IN_PROGRESS)


def may_complete(visit: Visit, procedure_id: str) -> bool:
    """The catalog lets the counter complete this procedure (the version the visit's
    catalog has in force on its 異動日)."""
    cat = determination.catalog_of(visit)
    if cat is None or procedure_id not in cat.procedures:
        return False
    return cat.procedure(procedure_id, visit.event_date).counter_completion


def completable(visit: Visit) -> set[str]:
    """The visit's procedures the counter may complete (for the screen)."""
    ids = [p["id"] for p in (visit.result or {}).get("procedures", [])]
    return {pid for pid in ids if may_complete(visit, pid)}


def _department_name(dept: str) -> str:
    from madoguchi.catalog.labels import department_names

    return department_names().get(dept, dept)


def _staff(username: str, proc: dict, actor, status: str):
    """Who did it or is present: a member of the procedure's department; the clerk
    themselves when they complete it on the spot (no name given)."""
    from madoguchi.accounts.models import Staff

    dept = proc.get("department", "")
    username = (username or "").strip()
    if not username:
        if status == IN_PROGRESS:
            raise CounterError(
                _("同席している%(dept)sの職員を選んでください") % {"dept": _department_name(dept)},
                "staff",
            )
        return actor
    staff = Staff.objects.filter(username=username, is_active=True).first()
    if staff is None:
        raise CounterError(_("職員が見つかりません: %(u)s") % {"u": username}, "staff")
    if staff.pk != actor.pk and staff.department != dept:
        raise CounterError(
            _("%(name)sは%(dept)sの職員ではありません")
            % {"name": staff.display_name, "dept": _department_name(dept)},
            "staff",
        )
    return staff


def set_at_counter(
    visit_id: int, version: int, actor, procedure: str, status: str, staff: str = ""
) -> Visit:
    """Mark a procedure of the visit as done (``done``) or in progress (``in_progress``)
    at the counter, or clear the mark (``""``). Audited as ``visit.at_counter``."""
    status = (status or "").strip()
    if status and status not in STATUSES:
        raise CounterError(_("「窓口で完了」か「窓口で対応中」を選んでください"), "status")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        procs = {p["id"]: p for p in (visit.result or {}).get("procedures", [])}
        proc = procs.get(procedure)
        if proc is None:
            raise CounterError(_("この案件の手続を選んでください"), "procedure")
        marks = dict((visit.state or {}).get("at_counter") or {})
        if not status:
            marks.pop(procedure, None)
        else:
            if status == DONE and not may_complete(visit, procedure):
                raise CounterError(
                    _("%(name)sは%(dept)sが窓口での完了を認めていない手続です（カタログ）")
                    % {
                        "name": proc.get("name", procedure),
                        "dept": _department_name(proc.get("department", "")),
                    },
                    "status",
                )
            person = _staff(staff, proc, actor, status)
            marks[procedure] = {
                "status": status,
                "staff_id": person.pk,
                "staff_name": person.display_name,
                "department": proc.get("department", ""),
                "at": timezone.localtime().isoformat(timespec="seconds"),
                "by": actor.username,
            }
        visit.state = {**(visit.state or {}), "at_counter": marks}
        visit.version += 1
        visit.save()
        record(
            actor,
            "visit.at_counter",
            query=f"visit:{visit.pk} {procedure} {status or 'cleared'}",
            person_ids=_atena_nos(visit),
        )
    return visit


def marks(visit: Visit) -> dict[str, dict]:
    """The at-counter marks of the visit's current procedures (a procedure that left the
    result — an answer changed it, it was withdrawn — keeps no mark)."""
    ids = {p["id"] for p in (visit.result or {}).get("procedures", [])}
    return {k: v for k, v in ((visit.state or {}).get("at_counter") or {}).items() if k in ids}


def for_signing(visit: Visit, actor, legacy_ids=()) -> dict[str, dict]:
    """The marks routed at signing; ``legacy_ids`` (the sign step's older ``at_counter``
    list) are in progress at the counter with the signing clerk."""
    out = marks(visit)
    now = timezone.localtime().isoformat(timespec="seconds")
    ids = {p["id"] for p in (visit.result or {}).get("procedures", [])}
    for pid in legacy_ids:
        if pid in ids and pid not in out:
            out[pid] = {"status": IN_PROGRESS, "staff_id": actor.pk, "at": now}
    return out


def marked_result(visit: Visit) -> dict:
    """The visit's result with each procedure's at-counter status (``at_counter``), for
    the guide sheet; without the procedures withdrawn after signing (a signed visit keeps
    its determination: ``services.undo``), so a reprint leaves them out."""
    done = marks(visit)
    result = visit.result or {}
    withdrawn = (visit.state or {}).get("withdrawn") or {}
    if withdrawn and any(p["id"] in withdrawn for p in result.get("procedures", [])):
        result = {
            **result,
            "procedures": [p for p in result["procedures"] if p["id"] not in withdrawn],
        }
    if not done:
        return result
    return {
        **result,
        "procedures": [
            {**p, "at_counter": done[p["id"]]["status"]} if p["id"] in done else p
            for p in result.get("procedures", [])
        ],
    }
