"""Benchmark: register import of a large MADO-layout CSV.

    .venv/bin/python bench/import_register.py [--rows 1000000] [--seed 1]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--reimport]

1. writes a synthetic city of ``--rows`` persons as a MADO-layout CSV (122 columns, UTF-8
   with BOM, full-width digits) with the demo generator,
2. creates a fresh database (PostgreSQL: ``madoguchi_bench_register`` on the server of
   ``--database-url``; SQLite when no URL is given) and migrates it,
3. runs ``madoguchi register import FILE --mapping mado-sample.yaml --json`` in a child
   process and prints rows/s, wall time and the child's peak RSS;
   ``--reimport`` imports the same file again (every row unchanged) and prints that too.

Target: 1,000,000 rows into PostgreSQL in ≤ 3 minutes with ≤ 1 GiB peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchdb import child_env, drop_database, fresh_database  # noqa: E402

BENCH_DB = "madoguchi_bench_register"


def run(cmd: list[str], env: dict) -> tuple[float, int, str]:
    """(seconds, peak RSS of the child in bytes, stdout); prints the child's CPU time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = usage.ru_maxrss
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss
    run.cpu = usage.ru_utime + usage.ru_stime - cpu_before
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd[:4])} …")
    # ru_maxrss is the maximum over all waited-for children, in KiB on Linux
    return elapsed, max(peak, before) * 1024, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    ap.add_argument("--reimport", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the CSV and the database")
    ap.add_argument("--csv", default="", help="reuse this CSV (written when missing)")
    args = ap.parse_args()

    import django

    django.setup()
    from madoguchi.register.generator import write_mado_csv

    workdir = Path(tempfile.mkdtemp(prefix="bench-register-"))
    csv_path = Path(args.csv) if args.csv else workdir / "register.csv"
    if csv_path.exists():
        with csv_path.open(encoding="utf-8-sig") as fh:
            rows = sum(1 for _ in fh) - 1
        print(f"reusing {csv_path}: {rows:,} rows")
    else:
        t0 = time.perf_counter()
        rows = write_mado_csv(csv_path, args.rows, args.seed)
        gen_s = time.perf_counter() - t0
        size_mb = csv_path.stat().st_size / 2**20
        print(f"generated CSV: {rows:,} rows, {size_mb:,.0f} MiB in {gen_s:.1f} s")

    url, backend = fresh_database(args.database_url, BENCH_DB, workdir)
    env = child_env(url)
    py = sys.executable
    run([py, "manage.py", "migrate", "-v", "0"], env)

    cmd = [py, "manage.py", "register", "import", str(csv_path), "--mapping", "mado-sample.yaml"]
    cmd += ["--json", "--quiet"]
    elapsed, peak, out = run(cmd, env)
    summary = json.loads(out)
    first_elapsed, first_peak = elapsed, peak
    imported = summary["persons"]["imported"]
    print(
        f"import into {backend}: {imported:,} persons, "
        f"{summary['households']['imported']:,} households in {elapsed:.1f} s "
        f"= {rows / elapsed:,.0f} rows/s; peak RSS {peak / 2**20:,.0f} MiB; "
        f"importer CPU {run.cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
    )
    if args.reimport:
        elapsed, peak2, out = run(cmd, env)
        summary = json.loads(out)
        print(
            f"re-import (unchanged {summary['persons']['unchanged']:,}): {elapsed:.1f} s "
            f"= {rows / elapsed:,.0f} rows/s; peak RSS (max of both runs) {peak2 / 2**20:,.0f} MiB"
        )
    target = "met" if first_elapsed <= 180 and first_peak <= 2**30 else "NOT met"
    print(f"target (1,000,000 rows ≤ 180 s, ≤ 1 GiB) for {rows:,} rows: {target}")
    if not args.keep and not args.csv:
        csv_path.unlink()
    if not args.keep:
        drop_database(url)


if __name__ == "__main__":
    main()
