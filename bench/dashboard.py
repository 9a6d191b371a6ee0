"""Benchmark: the full manager dashboard over 12 months of ~1,000,000 visits (PostgreSQL).

    .venv/bin/python bench/dashboard.py [--visits 1000000] [--requests 10]
        [--database-url postgres://postgres@127.0.0.1:5432/madoguchi_bench_dashboard]
        [--reuse]

Set-up (not timed): a fresh database, migrated; four weeks of the synthetic counter
history of ``madoguchi.demo.history`` (the demo's generator scaled to a million
visits a year: tickets, visits, time segments, tasks, bundle rows — written with COPY; the
tasks' status-history rows are left out, the dashboard never reads them), copied in SQL
12 times 4 weeks later (364 days before today; weekdays kept, the March peak is not
repeated); then the product rolls the closed days, weeks and months up (printed, with
the time each step took). ``--reuse`` keeps a database a previous run prepared;
``--reuse --copy-rollups`` (for a set-up interrupted while rolling up) copies the first
block's day rollups to the other blocks in SQL, as the visits were, instead.

Timed: the product is started in a second process (``madoguchi serve``: nothing warm,
no Python-level cache), a manager logs in, and ``--requests`` GETs of
``/analytics/?start=<364 days ago>&end=<today>`` follow — every widget of the page:
figures, visits per day/hour/weekday, life events, segments, departments, procedures,
counters, clerks, with their SVG charts. The first request is the cold one and counts.
Prints every request's time, p50, p95 and max. Target: p95 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

from benchdb import recreate_database  # noqa: E402
from load_test import Client, Stats, _user, free_port, start_server  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_dashboard"
TICKETS_PER_SCALE = 19_000  # one year of the demo city at scale 1 (history.generate)


BLOCK_DAYS = 28
BLOCKS = 13  # 13 × 4 weeks = 364 days


def replicate(blocks: int) -> None:
    """Copy the first block of history (tickets, visits, segments, tasks, bundle rows)
    ``blocks - 1`` times, each 4 weeks later (weekdays kept), in SQL: ids shifted past
    the block, every date and timestamp moved, every reference between them kept."""
    from django.db import connection, models

    from madoguchi.analytics.models import TimeSegment
    from madoguchi.counter.models import Ticket, Visit
    from madoguchi.documents.models import BundleRecord
    from madoguchi.tasks.models import Task

    copied = [Ticket, Visit, Task, TimeSegment, BundleRecord]
    offset = {m: m.objects.aggregate(top=models.Max("pk"))["top"] or 0 for m in copied}
    with connection.cursor() as cur:
        for model in copied:
            cols, exprs = [], []
            for f in model._meta.concrete_fields:
                col = connection.ops.quote_name(f.column)
                cols.append(col)
                target = f.related_model if f.is_relation else None
                if f.primary_key:
                    exprs.append(f"{col} + k * {offset[model]}")
                elif target in offset:
                    exprs.append(f"{col} + k * {offset[target]}")
                elif isinstance(f, models.DateTimeField):
                    exprs.append(f"{col} + k * interval '{BLOCK_DAYS} days'")
                elif isinstance(f, models.DateField):
                    exprs.append(f"{col} + k * {BLOCK_DAYS}")
                elif model is BundleRecord and f.name == "reference":
                    exprs.append(
                        f"'visit:' || (split_part({col}, ':', 2)::bigint + k * {offset[Visit]})"
                    )
                else:
                    exprs.append(col)
            cur.execute(
                f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
                f"SELECT {', '.join(exprs)} FROM {model._meta.db_table}, "
                f"generate_series(1, {blocks - 1}) AS k"
            )
    from madoguchi.analytics.bulk import Writer

    Writer(*copied).reset_sequences()


def copy_rollups(blocks: int) -> None:
    """The day rollups of the first block, copied to the other blocks as the visits were
    (``--copy-rollups``): what ``rollups.build_days`` computes from the copied visits,
    except tasks of one block finished in the next (counted on their own block's days)."""
    from django.db import connection

    from madoguchi.analytics.models import Rollup, RollupMark

    with connection.cursor() as cur:
        for model in (Rollup, RollupMark):
            cols = [f.column for f in model._meta.concrete_fields if not f.primary_key]
            exprs = [
                f"period + k * {BLOCK_DAYS}" if c == "period" else connection.ops.quote_name(c)
                for c in cols
            ]
            cur.execute(
                f"INSERT INTO {model._meta.db_table} "
                f"({', '.join(connection.ops.quote_name(c) for c in cols)}) "
                f"SELECT {', '.join(exprs)} FROM {model._meta.db_table}, "
                f"generate_series(1, {blocks - 1}) AS k "
                f"WHERE grain = 'd' AND period < %s",
                [_first_day() + timedelta(days=BLOCK_DAYS)],
            )


def _first_day():
    from django.utils import timezone

    return timezone.localdate() - timedelta(days=BLOCK_DAYS * BLOCKS)


def prepare(url: str, visits: int, copy_rolled: bool = False) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from madoguchi.accounts.models import Staff
    from madoguchi.analytics.models import Rollup
    from madoguchi.analytics.rollups import ensure
    from madoguchi.counter.models import Ticket
    from madoguchi.demo import history
    from madoguchi.demo.builder import create_staff

    call_command("migrate", interactive=False, verbosity=0)
    create_staff()
    for i in range(40):  # a city's worth of counter clerks for the per-clerk table
        _user(Staff, f"bench_clerk{i}", "clerk", "citizen")
    _user(Staff, "bench_manager", "manager", "citizen")
    today = timezone.localdate()
    first = today - timedelta(days=BLOCK_DAYS * BLOCKS)
    t0 = time.perf_counter()
    # the first 4 weeks from the demo's generator at the scale of a million a year
    written = history.generate(
        days=BLOCK_DAYS,
        end=first + timedelta(days=BLOCK_DAYS),
        scale=visits / TICKETS_PER_SCALE,
        task_history=False,
    )
    t1 = time.perf_counter()
    replicate(BLOCKS)
    t2 = time.perf_counter()
    if copy_rolled:  # the first block was rolled up by the generator: copy its day rows
        copy_rollups(BLOCKS)
    ensure(first, today)
    t3 = time.perf_counter()
    print(
        f"history: {written:,} tickets generated in {t1 - t0:.0f} s, copied to "
        f"{Ticket.objects.count():,} in {t2 - t1:.0f} s; rolled up in {t3 - t2:.0f} s "
        f"({Rollup.objects.count():,} rollup rows)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    ap.add_argument("--reuse", action="store_true", help="keep a prepared database")
    ap.add_argument(
        "--copy-rollups",
        action="store_true",
        help="copy the first block's day rollups to the copied blocks instead of rolling "
        "up the copied visits (minutes instead of an hour on a loaded machine)",
    )
    args = ap.parse_args()
    url = args.database_url
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark runs on PostgreSQL (--database-url postgres://…)")
    os.environ["DATABASE_URL"] = url
    if not args.reuse:
        recreate_database(url)
        prepare(url, args.visits, args.copy_rollups)
    else:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)  # the code may be newer
    from django.utils import timezone

    from madoguchi.analytics.models import RollupMark
    from madoguchi.analytics.rollups import ensure

    if args.copy_rollups and not RollupMark.objects.filter(grain="d").count() > BLOCK_DAYS:
        t0 = time.perf_counter()
        copy_rollups(BLOCKS)
        print(f"day rollups of the first block copied in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()

    ensure(timezone.localdate() - timedelta(days=BLOCK_DAYS * BLOCKS), timezone.localdate())
    print(f"rollups completed (weeks, months) in {time.perf_counter() - t0:.0f} s")
    from madoguchi.counter.models import Ticket

    n = Ticket.objects.count()
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=False)
    today = timezone.localdate()
    start = today - timedelta(days=BLOCK_DAYS * BLOCKS)
    port = free_port()
    server = start_server(url, port, threads=4)
    try:
        stats = Stats()
        c = Client(port, stats)
        c.login("bench_manager")
        path = f"/analytics/?start={start.isoformat()}&end={today.isoformat()}"
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            status, body = c.request("GET", path, name="dashboard")
            times.append(time.perf_counter() - t0)
            if status != 200 or b'id="w-clerks"' not in body:
                raise SystemExit(f"dashboard answered {status}")
    finally:
        server.terminate()
        server.wait(10)
    times_ms = [t * 1000 for t in times]
    p95 = statistics.quantiles(times_ms, n=20, method="inclusive")[18]
    print(f"tickets in the database: {n:,}; period {start} – {today}")
    print("requests (ms): " + ", ".join(f"{t:.0f}" for t in times_ms))
    print(
        f"p50 {statistics.median(times_ms):.0f} ms, p95 {p95:.0f} ms, max {max(times_ms):.0f} ms "
        f"(first, cold: {times_ms[0]:.0f} ms) — target p95 ≤ 1000 ms: "
        f"{'met' if p95 <= 1000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
