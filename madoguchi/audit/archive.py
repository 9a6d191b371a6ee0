"""The audit archive: old rows leave the database for a signed file, the chain stays whole.

An archive file (``MADOGUCHI_AUDIT_ARCHIVE_DIR``, default ``<data dir>/audit-archive``)
holds a contiguous run of the chain, one JSON line per row with everything ``verify``
needs (content, ``prev_hash``, ``hash``, ``mac``), between a header line (the run's first
seq and the hash it is chained to) and an end line (last seq, last hash, SHA-256 of the
lines before it), each MAC'd with ``MADOGUCHI_AUDIT_KEY``. The end line's hash is the
``prev_hash`` of the first row left in the database; it is recorded, with the file's
name and digest, by a signed ``archive`` line in the audit anchor (``anchor.py``), so:

* ``verify`` accepts the missing rows as archived (not deleted) and checks that the live
  chain starts from the archive's last hash;
* it also re-reads every archive file the anchor names and checks its digest, every
  row's hash, chain link and MAC, and that each archive starts where the previous one
  ended (the first at the genesis hash): an edited, truncated, replaced or missing
  archive file is reported.

Order of work (so that a crash never looks like tampering): the file is written and
synced, then the anchor line is appended, then the rows are deleted in one transaction.
A crash after the anchor line leaves rows that ``verify`` no longer reads (they are in
the file); the next archive run deletes them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import anchor
from .models import AuditRecord

FORMAT = "madoguchi-audit-archive/1"


class ArchiveError(Exception):
    pass


def directory() -> Path:
    configured = getattr(settings, "MADOGUCHI_AUDIT_ARCHIVE_DIR", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-archive"


def _dumps(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _signed(entry: dict) -> str:
    return _dumps({**entry, "mac": anchor.line_mac(entry)})


def _row(rec: AuditRecord) -> dict:
    from .services import content

    return {
        "kind": "row",
        **content(rec),
        "prev_hash": rec.prev_hash,
        "hash": rec.hash,
        "row_mac": rec.mac,
    }


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


@dataclass
class ArchiveResult:
    path: Path | None
    first_seq: int = 0
    last_seq: int = 0
    count: int = 0
    last_hash: str = ""
    digest: str = ""


def rows_before(cutoff: datetime) -> tuple[int, int, int]:
    """(first seq, last seq, count) of the live rows older than ``cutoff`` that an archive
    would take: the chain's oldest rows up to the last one written before ``cutoff``."""
    from .services import GENESIS

    start = anchor.read(GENESIS).first_seq
    live = AuditRecord.objects.filter(seq__gte=start)
    last = live.filter(at__lt=cutoff).order_by("-seq").values_list("seq", flat=True).first()
    if last is None:
        return 0, 0, 0
    first = live.order_by("seq").values_list("seq", flat=True).first()
    return first, last, live.filter(seq__lte=last).count()


def archive_before(cutoff: datetime) -> ArchiveResult:
    """Move the rows older than ``cutoff`` to a new archive file (see the module text).

    Refuses when the chain does not verify: archiving must never launder tampering."""
    from . import services

    first, last, count = rows_before(cutoff)
    if not count:
        return ArchiveResult(path=None)
    result = services.verify()
    if not result.ok:
        raise ArchiveError(
            "the audit chain does not verify; archive refused: " + "; ".join(result.problems[:3])
        )
    anc = anchor.read(services.GENESIS)
    rows = AuditRecord.objects.filter(seq__gte=first, seq__lte=last).order_by("seq")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    out_dir = directory()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"audit-{first:012d}-{last:012d}-{stamp}.jsonl"
    tmp = final.with_suffix(".partial")
    body = hashlib.sha256()
    last_hash = anc.prev_hash
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:

        def put(line: str) -> None:
            fh.write(line + "\n")
            body.update((line + "\n").encode("utf-8"))

        put(
            _signed(
                {
                    "kind": "header",
                    "format": FORMAT,
                    "first_seq": first,
                    "prev_hash": anc.prev_hash,
                    "created": timezone.now().isoformat(),
                }
            )
        )
        for rec in rows.iterator(chunk_size=2000):
            put(_signed(_row(rec)))
            last_hash = rec.hash
        fh.write(
            _signed(
                {
                    "kind": "end",
                    "last_seq": last,
                    "last_hash": last_hash,
                    "count": count,
                    "body_sha256": body.hexdigest(),
                }
            )
            + "\n"
        )
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    digest = file_digest(final)
    anchor.record_archive(last + 1, last_hash, digest, file=final.name, from_seq=first)
    with transaction.atomic():
        services.lock_chain()
        AuditRecord.objects.filter(seq__lte=last).delete()
        services.record(None, "audit.archive", query=f"seq {first}–{last} {final.name} {digest}")
    return ArchiveResult(final, first, last, count, last_hash, digest)


@dataclass
class FileCheck:
    first_seq: int = 0
    last_seq: int = 0
    prev_hash: str = ""
    last_hash: str = ""
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def check_file(path: Path) -> FileCheck:
    """Everything an archive file says about itself: line MACs, each row's hash and MAC,
    the chain inside the file, and the end line's count, last hash and body digest."""
    from .services import compute_hash

    out = FileCheck()
    name = path.name
    body = hashlib.sha256()
    end: dict | None = None
    prev = None
    expected_seq = None
    for lineno, raw, entry, problem in anchor.signed_lines(path, name):
        if problem:
            out.problems.append(problem)
        if entry is None:
            continue
        kind = entry["kind"]
        if kind == "end":
            end = entry
            continue
        body.update(raw)
        if kind == "header":
            out.first_seq, out.prev_hash = int(entry["first_seq"]), entry["prev_hash"]
            prev, expected_seq = out.prev_hash, out.first_seq
            continue
        try:
            rec = AuditRecord(
                seq=int(entry["seq"]),
                at=datetime.fromisoformat(entry["at"]),
                actor_username=entry["actor"],
                action=entry["action"],
                query=entry["query"],
                person_ids=entry["persons"],
                household_ids=entry["households"],
                flagged=entry["flagged"],
            )
            entry["prev_hash"], entry["hash"], entry["row_mac"]  # noqa: B018
        except (KeyError, TypeError, ValueError):
            out.problems.append(f"{name} line {lineno}: 読み取れません（改ざんの疑い）")
            continue
        out.rows += 1
        if rec.seq != expected_seq:
            out.problems.append(f"{name}: seq {expected_seq} の次が seq {rec.seq} です（欠落）")
        if entry["prev_hash"] != prev:
            out.problems.append(f"{name}: seq {rec.seq}: 直前の記録のハッシュと一致しません")
        if compute_hash(entry["prev_hash"], rec) != entry["hash"]:
            out.problems.append(
                f"{name}: seq {rec.seq}: 内容がハッシュと一致しません（改ざんの疑い）"
            )
        if not hmac.compare_digest(entry["row_mac"], anchor.row_mac(rec.seq, entry["hash"])):
            out.problems.append(f"{name}: seq {rec.seq}: 鍵付きMACが一致しません")
        prev, expected_seq = entry["hash"], rec.seq + 1
        out.last_seq, out.last_hash = rec.seq, entry["hash"]
    if end is None:
        out.problems.append(f"{name}: 終端行がありません（切り詰めの疑い）")
    else:
        if (int(end["last_seq"]), end["last_hash"], int(end["count"])) != (
            out.last_seq,
            out.last_hash,
            out.rows,
        ):
            out.problems.append(f"{name}: 終端行と記録が一致しません（切り詰め・追加の疑い）")
        if end["body_sha256"] != body.hexdigest():
            out.problems.append(f"{name}: 本文のダイジェストが一致しません（改ざんの疑い）")
    return out


def verify_archives(archives: list[dict], extra: list[Path] = ()) -> tuple[int, list[str]]:
    """Check every archive the anchor names (in order): found (in the archive directory or
    among ``extra``), same digest as when it was written, sound in itself, and chained to
    the archive before it. Returns (rows checked, problems)."""
    from .services import GENESIS

    by_name = {p.name: p for p in extra}
    by_digest = {}
    for p in extra:
        if p.exists():
            by_digest[file_digest(p)] = p
    problems: list[str] = []
    checked = 0
    prev_hash = GENESIS
    for a in archives:
        name, digest = a.get("file", ""), a.get("archive", "")
        path = by_digest.get(digest) or by_name.get(name) or directory() / name
        if not name or not path.exists():
            problems.append(
                f"監査アーカイブ {name or digest} が見つかりません"
                f"（{directory()}、または --archive FILE で指定）"
            )
            prev_hash = a["prev_hash"]
            continue
        if file_digest(path) != digest:
            problems.append(
                f"{path.name}: ダイジェストが監査アンカーの記録と一致しません（改ざんの疑い）"
            )
        fc = check_file(path)
        problems += fc.problems
        checked += fc.rows
        if fc.prev_hash != prev_hash:
            problems.append(f"{path.name}: 前のアーカイブの最後の記録につながりません")
        if (fc.last_seq + 1, fc.last_hash) != (int(a["first_seq"]), a["prev_hash"]):
            problems.append(
                f"{path.name}: 監査アンカーの記録（seq {a['first_seq']} の直前）と一致しません"
            )
        prev_hash = a["prev_hash"]
    return checked, problems
