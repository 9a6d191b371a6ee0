"""The 異動 record of each signed visit, handed to the core resident-register system
through the hand-off registry (``tasks/handoff.py``, route ``ido``; docs/ido.md).

``sync(visit)`` runs when a visit is signed, when a procedure of a signed visit is
withdrawn and when a signed visit is cancelled: it stores a new version of the visit's
record (``IdoHandOff``) when what the core system must do changed — the 異動 rows, or a
cancellation (``record_type`` ``cancel``, repeating the rows it voids) — and hands it off
after the commit. The plugin is chosen by ``settings.MADOGUCHI_HANDOFF_ROUTES["ido"]``:

* ``local`` (default): nothing leaves madoguchi per visit; the core system takes the
  nightly batch (``madoguchi ido export``);
* ``ido_file``: one JSON and one CSV per record version, written atomically into
  ``settings.MADOGUCHI_IDO_DROP_DIR`` (a folder the core system reads);
* ``simulated``: fails while switched off (tests, demonstrations).

A failed attempt is recorded (``IdoHandOffAttempt``), the record stays 連携失敗 and is
retried by every retry door of the tasks (``madoguchi tasks retry``, the department
queues' polling, the API), by ``madoguchi ido retry`` and by 「連携失敗を再送」 on the
異動 page; nothing is dropped. A record waits until the earlier versions of its visit are
delivered, so the core system never gets a cancellation before the record it voids. Logs
name the record (visit and version), never a person.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as _noop

from madoguchi.audit.services import record
from madoguchi.tasks import handoff
from madoguchi.tasks.models import HandOffState
from madoguchi.tasks.services import RETRY_AFTER

from . import ido
from .models import IdoHandOff, IdoHandOffAttempt, IdoRecordType, VisitStep

log = logging.getLogger("madoguchi.counter.ido")

FORMAT = "madoguchi-ido/1"


def _comparable(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "record_type"} for r in rows]


def sync(visit) -> IdoHandOff | None:
    """Store a new version of the visit's 異動 record if it changed; hand it off after
    the commit. Call inside the transaction that signed, changed or cancelled the visit
    (after ``visit.version`` is final for this change)."""
    last = visit.ido_handoffs.order_by("-version").first()
    cancelled = visit.step == VisitStep.CANCELLED
    rows = [] if cancelled else ido.records(visit)
    if last is not None and last.record_type == IdoRecordType.CANCEL:
        return None  # voided: a cancelled visit changes no more
    if rows:
        if last is not None and _comparable(last.rows) == _comparable(rows):
            return None
        kind = IdoRecordType.IDO
    else:
        if last is None:
            return None  # nothing was ever handed off (or nothing to register)
        kind = IdoRecordType.CANCEL
        rows = [{**r, "record_type": "cancel"} for r in last.rows]
    item = IdoHandOff.objects.create(
        municipality_code=visit.municipality_code,
        visit=visit,
        version=visit.version,
        record_type=kind,
        rows=rows,
    )
    pk = item.pk
    transaction.on_commit(lambda: attempt([pk]))
    return item


def header(item: IdoHandOff) -> dict:
    """The file's header: which visit and version, what it replaces (docs/ido.md)."""
    earlier = (
        IdoHandOff.objects.filter(visit_id=item.visit_id, version__lt=item.version)
        .order_by("-version")
        .first()
    )
    return {
        "format": FORMAT,
        "municipality_code": item.municipality_code,
        "visit_id": item.visit_id,
        "version": item.version,
        "record_type": item.record_type,
        "replaces": earlier.stem if earlier else "",
        "created_at": timezone.localtime(item.created_at).isoformat(timespec="seconds"),
    }


def _blocked(item: IdoHandOff) -> bool:
    """An earlier version of the same visit is not delivered yet (order is kept)."""
    return (
        IdoHandOff.objects.filter(visit_id=item.visit_id, version__lt=item.version)
        .exclude(handoff_state=HandOffState.SENT)
        .exists()
    )


def attempt_one(item: IdoHandOff) -> IdoHandOffAttempt | None:
    """One delivery attempt (None: it waits for an earlier version of its visit)."""
    if _blocked(item):
        return None
    try:
        plugin = handoff.plugin_for(IdoHandOff.ROUTE)
    except KeyError:  # a route to an unknown plugin (madoguchi check names it)
        plugin = None
    name = plugin.name if plugin is not None else "?"
    try:
        if plugin is None:
            raise handoff.HandOffError("MADOGUCHI_HANDOFF_ROUTES: 不明な連携方式です")
        ref = plugin.send(item)
    except handoff.HandOffError as exc:
        att = IdoHandOffAttempt.objects.create(
            handoff=item, plugin=name, ok=False, error=str(exc)[:300]
        )
        state = HandOffState.FAILED
        log.warning("ido hand-off failed: record=%s plugin=%s", item.stem, name)
    else:
        att = IdoHandOffAttempt.objects.create(
            handoff=item, plugin=name, ok=True, reference=str(ref)[:64]
        )
        state = HandOffState.SENT
        # a system door: the core system registers every person, protected or not
        record(
            None,
            "ido.handoff",
            query=f"{item.stem} {name}",
            person_ids=sorted({r["atena_no"] for r in item.rows if r.get("atena_no")}),
        )
    IdoHandOff.objects.filter(pk=item.pk).update(
        handoff_state=state, reference=att.reference if att.ok else item.reference
    )
    item.handoff_state = state
    return att


def attempt(ids) -> list[IdoHandOffAttempt]:
    """Attempt each record, oldest first (one transaction each)."""
    out = []
    for item in IdoHandOff.objects.filter(pk__in=list(ids)).order_by("visit_id", "version"):
        with transaction.atomic():
            att = attempt_one(item)
        if att is not None:
            out.append(att)
    return out


def retry(force: bool = False) -> dict:
    """Every record not delivered yet (failed, or pending after a crash); without
    ``force`` not those tried or made in the last ``RETRY_AFTER``."""
    qs = IdoHandOff.objects.exclude(handoff_state=HandOffState.SENT)
    if not force:
        cutoff = timezone.now() - RETRY_AFTER
        qs = qs.exclude(attempts__at__gt=cutoff).filter(created_at__lt=cutoff)
    attempts = attempt(qs.values_list("pk", flat=True).distinct())
    return {"retried": len(attempts), "sent": sum(a.ok for a in attempts)}


def resend(visit_id: int) -> list[IdoHandOffAttempt]:
    """Hand every version of a visit's record off again (the same file names: the core
    system gets no duplicate)."""
    return attempt(IdoHandOff.objects.filter(visit_id=visit_id).values_list("pk", flat=True))


# ------------------------------------------------------------------ on the visit screen

#: the states a clerk reads on the visit (送信待ち, 送信済み, 失敗); a cancellation record
#: is 取消 with its own delivery state
STATE_LABELS = {
    HandOffState.PENDING: _noop("送信待ち"),
    HandOffState.SENT: _noop("送信済み"),
    HandOffState.FAILED: _noop("失敗"),
}
#: the reconciliation of a signed visit as a clerk reads it: every person found in the
#: new state (一致), waiting for the core system (反映待ち), or listed for a clerk
RECONCILE_SUMMARY = {"一致": "一致", "反映待ち": "反映待ち"}  # any other → 要確認


def visit_versions(visit) -> list[dict]:
    """Each version of the visit's 異動 record, oldest first: its state (``pending``,
    ``sent``, ``failed``; ``cancel`` records marked), when and under which file names it
    was delivered, the last error, the attempts. No personal data (the record's rows are
    counted, never shown)."""
    from django.utils.translation import gettext as _

    items = list(visit.ido_handoffs.prefetch_related("attempts").order_by("version"))
    out = []
    for item in items:
        attempts = sorted(item.attempts.all(), key=lambda a: (a.at, a.pk))
        last = attempts[-1] if attempts else None
        ok = next((a for a in reversed(attempts) if a.ok), None)
        sent = item.handoff_state == HandOffState.SENT
        files = (
            [f"{item.stem}.json", f"{item.stem}.csv"]
            if sent and ok is not None and ok.reference.startswith("file:")
            else []
        )
        out.append(
            {
                "version": item.version,
                "stem": item.stem,
                "record_type": item.record_type,
                "cancel": item.record_type == IdoRecordType.CANCEL,
                "state": item.handoff_state,
                "state_label": _(STATE_LABELS.get(item.handoff_state, item.handoff_state)),
                "waiting_for_earlier": item.handoff_state != HandOffState.SENT and _blocked(item),
                "sent_at": ok.at if sent and ok is not None else None,
                "plugin": (ok or last).plugin if (ok or last) else "",
                "files": files,
                "nightly": sent and ok is not None and not files,  # local: the nightly batch
                "error": last.error if item.handoff_state == HandOffState.FAILED and last else "",
                "attempts": len(attempts),
                "persons": len({r.get("person") or r.get("atena_no") for r in item.rows}),
                "created_at": item.created_at,
                "latest": item is items[-1],
            }
        )
    return out


def visit_state(visit, user, today=None) -> dict:
    """The 異動 hand-off of one visit for its screen and its API read: the versions
    (:func:`visit_versions`) and, once the latest version reached the core system and
    the visit stands signed, the reconciliation of its persons against the register as
    last imported (``ido.reconcile_visits``: audited, 支援措置 masked for the reader):
    ``summary`` 一致 / 反映待ち / 要確認 and one row per person and event. ``{}`` for a
    visit never signed."""
    from .models import VisitStep

    versions = visit_versions(visit)
    if not versions:
        return {}
    latest = versions[-1]
    out = {
        "versions": versions,
        "state": "cancel" if latest["cancel"] else latest["state"],
        "retry": any(v["state"] != HandOffState.SENT for v in versions),
        "reconcile": None,
    }
    if (
        visit.step == VisitStep.DONE
        and latest["state"] == HandOffState.SENT
        and not latest["cancel"]
    ):
        checks = ido.reconcile_visits(
            [visit],
            user,
            today or timezone.localdate(),
            settings.MADOGUCHI_IDO_WAIT_DAYS,
        )
        rows = [ido.check_dict(c) | {"event_name": c.row["event_name"]} for c in checks]
        for r in rows:  # the field a difference is about, as the reconcile page names it
            for d in r["differences"]:
                d["field_name"] = ido.FIELD_NAMES.get(d["field"], d["field"])
        statuses = {r["status"] for r in rows}
        summary = (
            "一致"
            if statuses == {"一致"}
            else "反映待ち"
            if statuses <= {"一致", "反映待ち"}
            else "要確認"
        )
        out["reconcile"] = {"summary": summary, "rows": rows} if rows else None
    return out


def retry_visit(visit, actor) -> list[IdoHandOffAttempt]:
    """「再送」 on the visit screen: every version of this visit not delivered yet, now
    (oldest first, so order is kept). Audited ``ido.resend`` (who asked, which records)."""
    pending = list(
        visit.ido_handoffs.exclude(handoff_state=HandOffState.SENT)
        .order_by("version")
        .values_list("pk", "version")
    )
    if not pending:
        return []  # nothing to send: nothing done, nothing recorded
    attempts = attempt([pk for pk, _v in pending])
    record(
        actor,
        "ido.resend",
        query=f"visit:{visit.pk} " + ",".join(f"v{v}" for _pk, v in pending),
    )
    return attempts


def undelivered():
    """The records not delivered yet, for the staff page (no personal data)."""
    return (
        IdoHandOff.objects.exclude(handoff_state=HandOffState.SENT)
        .prefetch_related("attempts")
        .order_by("visit_id", "version")
    )


# ------------------------------------------------------------------ the drop-folder plugin


def _write_atomic(folder: Path, name: str, text: str) -> None:
    """Write ``folder/name`` so a reader sees either nothing or the whole file: a hidden
    temporary file in the same folder, flushed to disk, then renamed over the name."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class IdoFile:
    """One JSON and one CSV per record version in the drop folder the core system reads
    (``MADOGUCHI_IDO_DROP_DIR``). The CSV is renamed into place first and the JSON last,
    so a JSON file means its CSV is complete. Sending the same version again writes the
    same names with the same content (idempotent)."""

    name: str = "ido_file"

    def send(self, item) -> str:
        if not isinstance(item, IdoHandOff):
            raise handoff.HandOffError("ido_file: 異動記録以外は受け渡せません")
        folder = getattr(settings, "MADOGUCHI_IDO_DROP_DIR", "") or ""
        if not folder:
            raise handoff.HandOffError("MADOGUCHI_IDO_DROP_DIR（受け渡しフォルダ）が未設定です")
        path = Path(folder)
        if not path.is_dir():  # a share that is down: never create a local folder instead
            raise handoff.HandOffError("受け渡しフォルダがありません（MADOGUCHI_IDO_DROP_DIR）")
        try:
            _write_atomic(path, f"{item.stem}.csv", ido.to_csv(item.rows))
            _write_atomic(path, f"{item.stem}.json", ido.to_json(item.rows, header(item)))
        except OSError as exc:
            raise handoff.HandOffError(
                f"{item.stem}: 書き込めません（{exc.strerror or type(exc).__name__}）"
            ) from None
        return f"file:{item.stem}"


ido_file = handoff.register(IdoFile())
handoff.register_retry("ido", retry)
