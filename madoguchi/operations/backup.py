"""Backup and restore of the whole database, audit chain included (docs/operations-backup.md).

A backup is one tar file: ``manifest.json`` (format, database vendor, time, the audit
chain's head at the snapshot, SHA-256 of the data) and the data itself —
``database.sqlite3`` (SQLite's online backup API: a consistent copy while the server
runs) or ``database.pgdump`` (``pg_dump -Fc`` on a snapshot exported from the same
transaction that read the audit head, so the manifest and the dump agree).

A restore goes into an empty database of the same vendor (``--force`` replaces a
non-empty one), checks the digest, and records the restore in the audit anchor and in
the chain, so ``audit verify`` does not report the rows lost since the backup as
tampering.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = "madoguchi-backup/1"


class BackupError(Exception):
    pass


@dataclass
class Manifest:
    vendor: str
    created: str
    audit_seq: int
    audit_hash: str
    data_name: str
    data_sha256: str

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=1).encode("utf-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _head_in(cur) -> tuple[int, str]:
    from madoguchi.audit.services import GENESIS

    cur.execute("SELECT seq, hash FROM audit_auditrecord ORDER BY seq DESC LIMIT 1")
    row = cur.fetchone()
    return (int(row[0]), row[1]) if row else (0, GENESIS)


def backup(out: Path) -> Manifest:
    """Write a consistent snapshot of the database to ``out``."""
    from madoguchi.audit.services import record

    record(None, "system.backup", query=out.name)  # the backup holds its own record
    with tempfile.TemporaryDirectory(prefix="madoguchi-backup-") as tmp:
        tmpdir = Path(tmp)
        if connection.vendor == "sqlite":
            data = tmpdir / "database.sqlite3"
            connection.ensure_connection()
            dest = sqlite3.connect(data)
            try:
                connection.connection.backup(dest)
                seq, hash_ = _head_in(dest.cursor())
            finally:
                dest.close()
        elif connection.vendor == "postgresql":
            data = tmpdir / "database.pgdump"
            args, env = _pg_env()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
                seq, hash_ = _head_in(cur)
                run = subprocess.run(
                    ["pg_dump", "-Fc", "--no-owner", "--snapshot", snapshot, "-f", str(data)]
                    + args,
                    env=env,
                    capture_output=True,
                    text=True,
                )
            if run.returncode:
                raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
        else:
            raise BackupError(f"unsupported database: {connection.vendor}")
        manifest = Manifest(
            vendor=connection.vendor,
            created=timezone.now().isoformat(),
            audit_seq=seq,
            audit_hash=hash_,
            data_name=data.name,
            data_sha256=_sha256(data),
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            info = tarfile.TarInfo("manifest.json")
            body = manifest.to_json()
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
            tar.add(data, arcname=data.name)
        os.replace(partial, out)  # never a half-written backup under the final name
        os.chmod(out, 0o600)
    return manifest


def _read(src: Path, tmpdir: Path) -> tuple[Manifest, Path]:
    try:
        with tarfile.open(src, "r") as tar:
            raw = json.loads(tar.extractfile("manifest.json").read())
            if raw.pop("format", None) != FORMAT:
                raise BackupError("not a madoguchi backup (format)")
            manifest = Manifest(**raw)
            if manifest.data_name not in ("database.sqlite3", "database.pgdump"):
                raise BackupError("unexpected data member in the backup")
            tar.extract(manifest.data_name, tmpdir, filter="data")
    except (OSError, tarfile.TarError, KeyError, TypeError, ValueError, AttributeError) as e:
        raise BackupError(f"cannot read the backup: {e.__class__.__name__}") from None
    data = tmpdir / manifest.data_name
    if _sha256(data) != manifest.data_sha256:
        raise BackupError("the backup's data does not match its digest (damaged or altered)")
    return manifest, data


def _is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(src: Path, *, force: bool = False) -> Manifest:
    from madoguchi.audit import anchor
    from madoguchi.audit.services import record

    with tempfile.TemporaryDirectory(prefix="madoguchi-restore-") as tmp:
        manifest, data = _read(src, Path(tmp))
        if manifest.vendor != connection.vendor:
            raise BackupError(
                f"the backup is of {manifest.vendor}; this database is {connection.vendor}"
            )
        if not force and not _is_empty():
            raise BackupError("the database is not empty (use --force to replace it)")
        if connection.vendor == "sqlite":
            target = Path(connection.settings_dict["NAME"])
            connections.close_all()
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data, target)
        else:
            args, env = _pg_env()
            connections.close_all()
            cmd = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
            if force:
                cmd += ["--clean", "--if-exists"]
            run = subprocess.run(cmd + args + [str(data)], env=env, capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"pg_restore failed: {run.stderr.strip()[:2000]}")
    with connection.cursor() as cur:
        seq, hash_ = _head_in(cur)
    if (seq, hash_) != (manifest.audit_seq, manifest.audit_hash):
        raise BackupError("the restored audit chain does not end where the backup said")
    anchor.record_restore(seq, hash_, f"sha256:{_sha256(src)}")
    record(None, "system.restore", query=f"{src.name} seq {seq}")
    return manifest
