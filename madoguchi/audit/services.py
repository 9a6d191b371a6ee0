"""Writing and verifying the audit trail.

Call :func:`record` inside the transaction that builds the response of the read it
describes (``transaction.atomic``); the row is then committed with the response or not
at all. Records are serialised by a lock on the chain head so that two writers never
share a ``prev_hash``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from . import anchor
from .models import AuditHead, AuditRecord

GENESIS = "0" * 64
_LOCK_KEY = 7_254_001  # advisory-lock key of the audit chain on PostgreSQL


def content(rec: AuditRecord) -> dict:
    """What a record's hash covers (also each row of an audit archive)."""
    return {
        "seq": rec.seq,
        "at": rec.at.isoformat(),
        "actor": rec.actor_username,
        "action": rec.action,
        "query": rec.query,
        "persons": list(rec.person_ids),
        "households": list(rec.household_ids),
        "flagged": rec.flagged,
    }


def _content(rec: AuditRecord) -> str:
    return json.dumps(
        content(rec),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def compute_hash(prev_hash: str, rec: AuditRecord) -> str:
    return hashlib.sha256((prev_hash + _content(rec)).encode("utf-8")).hexdigest()


def lock_chain() -> None:
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
        lock_chain()
        last = AuditRecord.objects.order_by("-seq").only("seq", "hash").first()
        if last is None:
            # Every row archived (audit/archive.py): the chain goes on from its head.
            last = AuditHead.objects.filter(pk=1).first()
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
        rec.mac = anchor.row_mac(rec.seq, rec.hash)
        rec.save()
        if not AuditHead.objects.filter(pk=1).update(seq=rec.seq, hash=rec.hash):
            AuditHead.objects.create(pk=1, seq=rec.seq, hash=rec.hash)  # the first record
        seq, hash_ = rec.seq, rec.hash
        transaction.on_commit(lambda: anchor.checkpoint(seq, hash_))
        return rec


def head() -> tuple[int, str]:
    """The chain's last (seq, hash); (0, GENESIS) when empty."""
    last = AuditRecord.objects.order_by("-seq").only("seq", "hash").first()
    last = last or AuditHead.objects.filter(pk=1).first()  # every row archived
    return (last.seq, last.hash) if last else (0, GENESIS)


def _ranges(seqs: list[int]) -> list[str]:
    out: list[str] = []
    for s in seqs:
        if out and out[-1][1] == s - 1:
            out[-1][1] = s
        else:
            out.append([s, s])
    return [f"seq {a}" if a == b else f"seq {a}–{b}" for a, b in out]


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]
    archived: int = 0  # rows checked in archive files


def verify(archive_files: Iterable = ()) -> VerifyResult:
    """Walk the chain in order; report every break (altered, deleted or inserted rows),
    every row whose keyed MAC does not match (a rewritten chain with recomputed hashes),
    and every disagreement with the checkpoints kept outside the database. Rows moved
    to audit archives are checked in their files (audit/archive.py): the archive
    directory, or ``archive_files`` for archives kept elsewhere."""
    from pathlib import Path

    from . import archive

    anc = anchor.read(GENESIS)
    problems: list[str] = list(anc.problems)
    archived, archive_problems = archive.verify_archives(
        anc.archives, [Path(p) for p in archive_files]
    )
    problems += archive_problems
    bad_mac: list[int] = []
    prev_hash = anc.prev_hash
    expected_seq = anc.first_seq
    checked = 0
    for rec in (
        AuditRecord.objects.filter(seq__gte=anc.first_seq).order_by("seq").iterator(chunk_size=2000)
    ):
        checked += 1
        if rec.seq != expected_seq:
            problems.append(f"seq {expected_seq}–{rec.seq - 1}: 記録が欠落しています（削除の疑い）")
        if rec.prev_hash != prev_hash:
            problems.append(f"seq {rec.seq}: 直前の記録のハッシュと一致しません")
        if compute_hash(rec.prev_hash, rec) != rec.hash:
            problems.append(f"seq {rec.seq}: 内容がハッシュと一致しません（改ざんの疑い）")
        if not hmac.compare_digest(rec.mac, anchor.row_mac(rec.seq, rec.hash)):
            bad_mac.append(rec.seq)
        expected_hash = anc.checkpoints.get(rec.seq)
        if expected_hash is not None and expected_hash != rec.hash:
            problems.append(f"seq {rec.seq}: 外部チェックポイントと一致しません（書き換えの疑い）")
        prev_hash = rec.hash
        expected_seq = rec.seq + 1
    problems += [
        f"{r}: 鍵付きMACが一致しません（ハッシュを再計算した書き換えの疑い）"
        for r in _ranges(bad_mac)
    ]
    last_seq = expected_seq - 1
    if anc.last_seq > last_seq:
        problems.append(
            f"seq {last_seq + 1}–{anc.last_seq}: 外部チェックポイントにある記録が"
            "ありません（末尾削除の疑い）"
        )
    elif checked and not anc.exists:
        problems.append(
            f"外部チェックポイント（{anchor.path()}）がありません"
            "（削除の疑い。導入直後は `madoguchi audit checkpoint`）"
        )
    head_row = AuditHead.objects.filter(pk=1).first()
    if head_row is not None and (head_row.seq, head_row.hash) != (last_seq, prev_hash):
        if head_row.seq > last_seq:
            problems.append(
                f"seq {last_seq + 1}–{head_row.seq}: 末尾の記録が欠落しています（削除の疑い）"
            )
        else:
            problems.append(f"seq {last_seq}: 最後の記録がチェーンの先頭と一致しません")
    elif head_row is None and checked:
        problems.append("チェーンの先頭の記録がありません（削除の疑い）")
    return VerifyResult(ok=not problems, checked=checked, problems=problems, archived=archived)
