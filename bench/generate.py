"""Benchmark: the synthetic demo city as ``madoguchi demo`` builds it.

    .venv/bin/python bench/generate.py [--persons 120000] [--seed 20270401] [--pending 50]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Creates a fresh database (SQLite in a temporary directory by default, as the demo uses;
PostgreSQL ``madoguchi_bench_generate`` with ``--database-url``), migrates it, then times
``generate_city(persons, seed)`` and ``generate_pending(pending, seed)`` in one
transaction, and prints persons/s. Target: 120,000 persons in ≤ 60 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchdb import drop_database, fresh_database, setup_django  # noqa: E402

BENCH_DB = "madoguchi_bench_generate"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=120_000)
    ap.add_argument("--seed", type=int, default=20270401)
    ap.add_argument("--pending", type=int, default=50)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-generate-"))
    url, backend = fresh_database(args.database_url, BENCH_DB, tmp)
    setup_django(url)
    from django.db import transaction

    from madoguchi.register.generator import generate_city, generate_pending
    from madoguchi.register.models import Household, Person

    started = time.perf_counter()
    with transaction.atomic():
        created = generate_city(args.persons, args.seed)
        city_s = time.perf_counter() - started
        pending = generate_pending(args.pending, seed=args.seed)
    total = time.perf_counter() - started
    print(
        f"{backend}: generate_city({args.persons:,}) {city_s:.1f} s "
        f"= {created / city_s:,.0f} persons/s; with {pending} pending households {total:.1f} s"
    )
    print(
        f"rows: {Person.objects.count():,} persons, {Household.objects.count():,} households; "
        f"target (120,000 persons ≤ 60 s): {'met' if total <= 60 else 'NOT met'}"
    )
    drop_database(url)


if __name__ == "__main__":
    main()
