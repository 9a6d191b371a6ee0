"""`madoguchi backup` / `madoguchi restore`: a consistent snapshot with the audit chain;
restored into an empty database, `audit verify` passes (on the database the suite runs
on: SQLite by default, PostgreSQL with DATABASE_URL)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PG = os.environ.get("DATABASE_URL", "").startswith("postgres")

SEED = """
from madoguchi.accounts.models import Staff
from madoguchi.audit.services import record
u = Staff.objects.create_user('bk1', password='x-Backup-12345')
for i in range(7):
    record(u, 'register.search', query=f'q{i}', person_ids=[str(i)])
"""


def _db_url(tmp_path, name):
    if PG:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        db = f"h_bk_{name}_{uuid.uuid4().hex[:8]}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db], check=True)
        return f"{base}/{db}", db
    return f"sqlite:///{tmp_path / (name + '.sqlite3')}", None


def _run(env, *args, ok=True):
    r = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture
def dbs(tmp_path):
    made = []

    def make(name):
        url, db = _db_url(tmp_path, name)
        if db:
            made.append(db)
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update(
            DATABASE_URL=url,
            MADOGUCHI_DATA_DIR=str(tmp_path / name),
            MADOGUCHI_AUDIT_KEY="backup-test-key-" * 3,
            MADOGUCHI_AUDIT_ANCHOR=str(tmp_path / name / "anchor.jsonl"),
        )
        return env

    yield make
    for db in made:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", db], check=False
        )


def _damage(src, dst):
    import tarfile

    with tarfile.open(src) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("database."))
    raw = bytearray(src.read_bytes())
    raw[member.offset_data + member.size // 2] ^= 0xFF
    dst.write_bytes(bytes(raw))


def test_backup_restore_and_verify(dbs, tmp_path):
    """One test (migrations are the slow part): restore into an empty database on a new
    server, refuse a non-empty target and a damaged file, and restore an older backup on
    the same server without `verify` calling it tampering."""
    live = dbs("live")
    _run(live, "migrate", "-v0")
    _run(live, "shell", "-c", SEED)
    out = tmp_path / "madoguchi.tar"
    _run(live, "backup", str(out))
    assert out.exists() and oct(out.stat().st_mode)[-3:] == "600"

    # A new server: empty database, its own (empty) anchor file.
    fresh = dbs("fresh")
    _run(fresh, "restore", str(out))
    r = _run(fresh, "audit", "verify", "--json")
    # staff.create, 7 searches, the backup's own record and the restore's record.
    assert json.loads(r.stdout) == {"ok": True, "checked": 10, "archived": 0, "problems": []}
    who = "from madoguchi.accounts.models import Staff; print(Staff.objects.get().username)"
    r = _run(fresh, "shell", "-c", who)
    assert r.stdout.strip().splitlines()[-1] == "bk1"

    r = _run(fresh, "restore", str(out), ok=False)
    assert r.returncode == 2 and "not empty" in r.stderr
    damaged = tmp_path / "damaged.tar"
    _damage(out, damaged)
    r = _run(fresh, "restore", "--force", str(damaged), ok=False)
    assert r.returncode == 2 and "digest" in r.stderr

    # The live server works on, then goes back to the backup: the rows written since are
    # gone legitimately, the anchor says so.
    _run(live, "shell", "-c", SEED.replace("bk1", "bk2"))
    _run(live, "restore", "--force", str(out))
    r = _run(live, "audit", "verify", "--json")
    assert json.loads(r.stdout)["ok"] is True, r.stdout
