"""Writing and verifying the audit trail.

Call :func:`record` inside the transaction that builds the response of the read it
describes (``transaction.atomic``); the row is then committed with the response or not
at all. Records are serialised by a lock on the chain head so that two writers never
share a ``prev_hash``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditHead, AuditRecord

GENESIS = "0" * 64
_LOCK_KEY = 7_254_001  # advisory-lock key of the audit chain on PostgreSQL


def _content(rec: AuditRecord) -> str:
    return json.dumps(
        {
            "seq": rec.seq,
            "at": rec.at.isoformat(),
            "actor": rec.actor_username,
            "action": rec.action,
            "query": rec.query,
            "persons": list(rec.person_ids),
            "households": list(rec.household_ids),
            "flagged": rec.flagged,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def compute_hash(prev_hash: str, rec: AuditRecord) -> str:
    return hashlib.sha256((prev_hash + _content(rec)).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (settings), so writers are already serialised.


def record(
    actor,
    action: str,
    *,
    query: str = "",
    person_ids: Iterable[str] = (),
    household_ids: Iterable[str] = (),
    flagged: bool = False,
) -> AuditRecord:
    """Append one audit record. ``actor`` is a Staff (or None for the system)."""
    with transaction.atomic():
        _lock_chain()
        last = AuditRecord.objects.order_by("-seq").only("seq", "hash").first()
        rec = AuditRecord(
            seq=(last.seq + 1) if last else 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_username=getattr(actor, "username", "") or "system",
            action=action,
            query=query,
            person_ids=[str(p) for p in person_ids],
            household_ids=[str(h) for h in household_ids],
            flagged=flagged,
            prev_hash=last.hash if last else GENESIS,
        )
        rec.hash = compute_hash(rec.prev_hash, rec)
        rec.save()
        if not AuditHead.objects.filter(pk=1).update(seq=rec.seq, hash=rec.hash):
            AuditHead.objects.create(pk=1, seq=rec.seq, hash=rec.hash)  # the first record
        return rec


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify() -> VerifyResult:
    """Walk the chain in order; report every break (altered, deleted or inserted rows)."""
    problems: list[str] = []
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=2000):
        checked += 1
        if rec.seq != expected_seq:
            problems.append(f"seq {expected_seq}–{rec.seq - 1}: 記録が欠落しています（削除の疑い）")
        if rec.prev_hash != prev_hash:
            problems.append(f"seq {rec.seq}: 直前の記録のハッシュと一致しません")
        if compute_hash(rec.prev_hash, rec) != rec.hash:
            problems.append(f"seq {rec.seq}: 内容がハッシュと一致しません（改ざんの疑い）")
        prev_hash = rec.hash
        expected_seq = rec.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq, head.hash) != (last_seq, prev_hash):
        if head.seq > last_seq:
            problems.append(
                f"seq {last_seq + 1}–{head.seq}: 末尾の記録が欠落しています（削除の疑い）"
            )
        else:
            problems.append(f"seq {last_seq}: 最後の記録がチェーンの先頭と一致しません")
    elif head is None and checked:
        problems.append("チェーンの先頭の記録がありません（削除の疑い）")
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
