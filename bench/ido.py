"""Benchmark: the 異動 hand-off and the reconciliation of persons without 宛名番号
(docs/ido.md).

    .venv/bin/python bench/ido.py [--persons 120000] [--wanted 200] [--records 200]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Set-up (not timed): a fresh database (SQLite in a temporary folder, or PostgreSQL
``madoguchi_bench_ido`` dropped and created again), migrated, a synthetic city of
``--persons`` persons (the demo generator). ``--wanted`` register persons stand for
newborns and paper move-ins the core system has just registered: the counter recorded
half of them exactly as the register stores them, a quarter with a half-width space in the
name (never normalised: listed for a clerk), a quarter with a birth date nobody has
(not registered yet).

Timed: the register's door ``candidates_for_reconcile`` for all of them at once (one
query, one audit row) and the conservative rule ``ido.match`` on its answer; then
``--records`` 異動 records of four rows each delivered by the ``ido_file`` plugin (two
files written, flushed and renamed per record) into a temporary drop folder. No target:
the reconciliation runs nightly after the import, a delivery once per signed visit.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdb import drop_database, fresh_database, setup_django  # noqa: E402

BENCH_DB = "madoguchi_bench_ido"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=120_000)
    ap.add_argument("--wanted", type=int, default=200)
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ido-"))
    os.environ["MADOGUCHI_DATA_DIR"] = str(tmp)
    url, backend = fresh_database(args.database_url, BENCH_DB, tmp)
    setup_django(url)
    from django.db import transaction
    from django.test import override_settings

    from madoguchi.accounts.models import Staff
    from madoguchi.counter import ido, ido_handoff
    from madoguchi.counter.models import IdoHandOff, Visit
    from madoguchi.register.generator import generate_city
    from madoguchi.register.models import Person
    from madoguchi.register.services import candidates_for_reconcile

    t = time.perf_counter()
    generate_city(args.persons, seed=7)
    print(f"set-up: {args.persons} persons on {backend} in {time.perf_counter() - t:.1f} s")
    clerk = Staff.objects.create_user("bench-clerk", password="Tsubame-Hashiru-2027")
    rng = random.Random(7)
    ids = list(Person.objects.filter(status="1").values_list("id", flat=True))
    chosen = Person.objects.select_related("household").filter(id__in=rng.sample(ids, args.wanted))
    wants = {}
    for i, p in enumerate(chosen):
        want = {
            "name": p.name,
            "sex": p.sex,
            "birth_date": p.birth_date,
            "address": f"{p.address}{p.katagaki}",
            "household": p.household.household_no,
        }
        if i % 4 == 2:
            want["name"] = p.name.replace("\u3000", " ")
        elif i % 4 == 3:
            want["birth_date"] = date(1899, 1, 1)
        wants[f"{i}:p1"] = want

    t = time.perf_counter()
    with transaction.atomic():
        found, masked = candidates_for_reconcile(wants, clerk, query="bench.ido")
    outcomes = [ido.match(w, found.get(k, []), masked.get(k, 0), set()) for k, w in wants.items()]
    took = time.perf_counter() - t
    counts: dict[str, int] = {}
    for outcome, _hit in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    print(
        f"reconcile {len(wants)} persons without 宛名番号 against {args.persons}: "
        f"{took * 1000:.0f} ms ({took * 1000 / len(wants):.2f} ms per person); {counts}"
    )

    drop = tmp / "drop"
    drop.mkdir()
    visit = Visit.objects.create(clerk=clerk, event_date=date(2027, 6, 12), step="done")
    row = {c: "" for c, _h in ido.COLUMNS} | {
        "visit_id": visit.pk,
        "event": "move_in",
        "name": "星野　陽葵",
        "record_type": "ido",
    }
    items = [
        IdoHandOff.objects.create(visit=visit, version=n + 1, rows=[row] * 4)
        for n in range(args.records)
    ]
    with override_settings(
        MADOGUCHI_HANDOFF_ROUTES={"ido": "ido_file"}, MADOGUCHI_IDO_DROP_DIR=str(drop)
    ):
        t = time.perf_counter()
        attempts = ido_handoff.attempt([i.pk for i in items])
        took = time.perf_counter() - t
    assert all(a.ok for a in attempts) and len(list(drop.iterdir())) == 2 * args.records
    print(
        f"ido_file: {args.records} records delivered in {took:.2f} s "
        f"({took * 1000 / args.records:.1f} ms per record: 2 files, fsync, rename, audit row)"
    )
    drop_database(url)


if __name__ == "__main__":
    main()
