"""The audit chain's anchor outside the database.

The hash chain alone cannot stop someone with write access to the database: they can
delete the last rows, or rewrite a row and recompute every later hash. Two things that
such a person does not hold anchor the chain:

* a **key** (``MADOGUCHI_AUDIT_KEY``, from the environment, never stored in the
  database): every row carries ``mac = HMAC-SHA256(key, "seq:hash")``, so a recomputed
  chain no longer matches its MACs;
* **checkpoints** appended to a file outside the database (``MADOGUCHI_AUDIT_ANCHOR``,
  default ``<data dir>/audit-anchor.jsonl``) after each audit record commits, each line
  MAC'd with the same key, optionally mirrored to syslog. Rows deleted from the end of
  the chain are still named by the last checkpoint.

Legitimate gaps are recorded in the same file, so that ``verify`` tells them apart from
tampering: a **restore** from backup (the chain now ends at the restored head; later
checkpoints belong to the abandoned timeline) and an **archive** purge (the live chain
now starts at ``first_seq`` after ``prev_hash``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

log = logging.getLogger("madoguchi.audit.anchor")

# Used only in demo mode when no key is configured; `check --deploy` refuses it, so
# `madoguchi serve` does not start with it in production.
DEMO_KEY = "madoguchi-demo-audit-key-not-for-production"


def key() -> bytes:
    configured = getattr(settings, "MADOGUCHI_AUDIT_KEY", "")
    if not configured and getattr(settings, "MADOGUCHI_PRODUCTION", False):
        raise ImproperlyConfigured("MADOGUCHI_AUDIT_KEY is not set (docs/audit.md)")
    return (configured or DEMO_KEY).encode("utf-8")


def row_mac(seq: int, hash_: str) -> str:
    return hmac.new(key(), f"{seq}:{hash_}".encode(), hashlib.sha256).hexdigest()


def path() -> Path:
    configured = getattr(settings, "MADOGUCHI_AUDIT_ANCHOR", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-anchor.jsonl"


def line_mac(entry: dict) -> str:
    body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key(), body.encode("utf-8"), hashlib.sha256).hexdigest()


def _append(entry: dict) -> None:
    entry = {"at": timezone.now().isoformat(), **entry}
    entry["mac"] = line_mac(entry)
    line = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    # One write() of one short line on an O_APPEND descriptor: lines from several
    # workers never interleave.
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    if getattr(settings, "MADOGUCHI_AUDIT_SYSLOG", False):
        _syslog().info("madoguchi-audit-anchor %s", line)


_syslog_logger: logging.Logger | None = None


def _syslog() -> logging.Logger:
    global _syslog_logger
    if _syslog_logger is None:
        from logging.handlers import SysLogHandler

        lg = logging.getLogger("madoguchi.audit.anchor.syslog")
        lg.propagate = False
        lg.setLevel(logging.INFO)
        address = "/dev/log" if Path("/dev/log").exists() else ("localhost", 514)
        lg.addHandler(SysLogHandler(address=address, facility=SysLogHandler.LOG_AUTHPRIV))
        _syslog_logger = lg
    return _syslog_logger


def checkpoint(seq: int, hash_: str) -> None:
    """The chain's head after a committed record (called from ``on_commit``)."""
    try:
        _append({"kind": "head", "seq": seq, "hash": hash_})
    except OSError:
        # The record is committed; a missing checkpoint only weakens truncation
        # detection until the next one. Say so without any personal data.
        log.exception("audit anchor: checkpoint seq %s could not be written", seq)


def record_restore(seq: int, hash_: str, source_digest: str) -> None:
    """A restore from backup: the chain now ends at (seq, hash)."""
    _append({"kind": "restore", "seq": seq, "hash": hash_, "source": source_digest})


def record_archive(
    first_seq: int, prev_hash: str, archive_digest: str = "", *, file: str = "", from_seq: int = 0
) -> None:
    """An archive purge: rows before ``first_seq`` left the database legitimately, for the
    archive file ``file`` (rows ``from_seq``–``first_seq - 1``, digest ``archive_digest``;
    audit/archive.py)."""
    _append(
        {
            "kind": "archive",
            "first_seq": first_seq,
            "prev_hash": prev_hash,
            "archive": archive_digest,
            "file": file,
            "from_seq": from_seq,
        }
    )


@dataclass
class Anchor:
    """What the anchor file says the chain must contain."""

    exists: bool = False
    checkpoints: dict[int, str] = field(default_factory=dict)
    first_seq: int = 1
    prev_hash: str = ""
    problems: list[str] = field(default_factory=list)
    # The archive lines, oldest first: {first_seq, prev_hash, archive, file, from_seq}.
    archives: list[dict] = field(default_factory=list)

    @property
    def last_seq(self) -> int:
        return max(self.checkpoints, default=0)


def signed_lines(p: Path, label: str):
    """Each line of a file of MAC'd JSON lines (this anchor, audit archives):
    ``(lineno, raw bytes, entry without its mac or None, problem or None)``."""
    with p.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                entry = json.loads(raw.decode("utf-8"))
                mac = entry.pop("mac")
                entry["kind"]
            except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
                yield lineno, raw, None, f"{label} line {lineno}: 読み取れません（改ざんの疑い）"
                continue
            if not hmac.compare_digest(str(mac), line_mac(entry)):
                yield (
                    lineno,
                    raw,
                    entry,
                    f"{label} line {lineno}: MACが一致しません（改ざんの疑い）",
                )
                continue
            yield lineno, raw, entry, None


def read(genesis: str) -> Anchor:
    p = path()
    anchor = Anchor(prev_hash=genesis)
    if not p.exists():
        return anchor
    anchor.exists = True
    for _lineno, _raw, entry, problem in signed_lines(p, "anchor"):
        if problem:
            anchor.problems.append(problem)
            continue
        kind = entry["kind"]
        if kind == "head":
            anchor.checkpoints[int(entry["seq"])] = entry["hash"]
        elif kind == "restore":
            seq = int(entry["seq"])
            anchor.checkpoints = {s: h for s, h in anchor.checkpoints.items() if s <= seq}
            if seq:
                anchor.checkpoints[seq] = entry["hash"]
        elif kind == "archive":
            first = int(entry["first_seq"])
            anchor.first_seq, anchor.prev_hash = first, entry["prev_hash"]
            anchor.archives.append(entry)
            anchor.checkpoints = {s: h for s, h in anchor.checkpoints.items() if s >= first}
    return anchor
