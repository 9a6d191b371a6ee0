"""Benchmark: ``madoguchi purge`` of a period of counter history and old audit rows, then
``audit verify`` reading the archive (docs/retention.md).

    .venv/bin/python bench/purge.py [--days 60] [--scale 1.0] [--audit 5000]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Set-up (not timed): a fresh database (SQLite in a temporary folder, or PostgreSQL
``madoguchi_bench_purge`` dropped and created again), migrated, the demo catalog
published; ``--days`` of the demo's counter history (tickets, visits, segments, tasks,
bundle rows) ending 400 days ago; ``--audit`` audit records written 400 days ago, then
50 today. Retention: 365 days for visits, tasks, segments, bundles and the audit trail.

Timed: ``purge --dry-run``, ``purge`` (rollup of the period first, then the deletions in
one transaction, then the audit archive), ``audit verify`` (live chain and archive file).
No target: the figures are printed (a purge runs monthly at night).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdb import drop_database, fresh_database, setup_django  # noqa: E402

BENCH_DB = "madoguchi_bench_purge"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--audit", type=int, default=5000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-purge-"))
    os.environ["MADOGUCHI_DATA_DIR"] = str(tmp)
    for kind in ("VISITS", "TASKS", "SEGMENTS", "BUNDLES", "AUDIT"):
        os.environ[f"MADOGUCHI_RETAIN_{kind}_DAYS"] = "365"
    url, backend = fresh_database(args.database_url, BENCH_DB, tmp)
    setup_django(url)
    from django.utils import timezone

    from madoguchi.accounts.models import Staff
    from madoguchi.audit import services as audit
    from madoguchi.audit.models import AuditRecord
    from madoguchi.catalog.services import load_into_db
    from madoguchi.counter.models import Visit
    from madoguchi.demo import history
    from madoguchi.operations.retention import purge

    load_into_db()
    Staff.objects.create_user("kitami-clerk", password="Tsubame-Hashiru-2027", role="clerk")
    end = timezone.localdate() - timedelta(days=400)
    history.generate(days=args.days, end=end, scale=args.scale, rollup_days=0)
    visits = Visit.objects.count()
    then = timezone.now() - timedelta(days=400)
    real_now = audit.timezone.now
    audit.timezone.now = lambda: then
    try:
        for i in range(args.audit):
            audit.record(None, "register.search", query=f"bench {i}", person_ids=[str(i)])
    finally:
        audit.timezone.now = real_now
    for i in range(50):
        audit.record(None, "register.search", query=f"today {i}")
    rows = AuditRecord.objects.count()
    print(f"{backend}: {visits:,} visits over {args.days} days, {rows:,} audit rows")

    t0 = time.perf_counter()
    dry = purge(dry_run=True)
    t_dry = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = purge()
    t_purge = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = audit.verify()
    t_verify = time.perf_counter() - t0
    print(
        f"purge --dry-run {t_dry:.1f} s (would delete {dry.deleted.get('visits', 0):,} visits, "
        f"archive {dry.audit_archived:,} audit rows)"
    )
    print(
        f"purge {t_purge:.1f} s: rolled up {report.rolled_up_days} days, deleted "
        f"{report.deleted.get('visits', 0):,} visits, {report.deleted.get('tasks', 0):,} tasks, "
        f"{report.deleted.get('time_segments', 0):,} segments, "
        f"{report.deleted.get('bundle_records', 0):,} bundles; archived "
        f"{report.audit_archived:,} audit rows"
    )
    print(
        f"audit verify {t_verify:.1f} s: {result.checked:,} live + {result.archived:,} "
        f"archived rows, {'OK' if result.ok else 'BROKEN'} (no target: figures only)"
    )
    drop_database(url)
    sys.exit(0 if result.ok and report.audit_archived >= args.audit else 1)


if __name__ == "__main__":
    main()
