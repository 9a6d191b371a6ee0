"""Benchmark: register search latency (p50/p95) over mixed queries.

    .venv/bin/python bench/search.py [--persons 120000] [--queries 200] [--seed 1]
        [--database-url postgres://postgres@127.0.0.1:5432/madoguchi_bench_search]

Without ``--database-url`` (or ``DATABASE_URL``) the bench uses its own SQLite file
``<MADOGUCHI_DATA_DIR>/bench_search.sqlite3``. The database is migrated; when it holds no
persons, the demo generator (``madoguchi.register.generator.generate_city``) writes
``--persons`` of them first (a PostgreSQL database named in the URL is created if
missing). Then ``--queries`` queries are built from persons sampled with ``--seed``, in
equal shares of twelve kinds — kanji surname, variant kanji (髙/﨑/𠮷/邊 … typed for the
common form or the reverse), katakana, hiragana, half-width kana, 和暦 7 digits, H5.1.1,
宛名番号, name + birth date, the 名 alone in kanji, the 名 alone in hiragana, and one
character of the 氏 + space + one character of the 名 (高 太) — and each is run through ``madoguchi.register.search.search``
exactly as the page does (parse, query, audit row, one transaction). Prints p50/p95/max
per kind and overall. Target: p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

from benchdb import create_database_if_missing  # noqa: E402

KINDS = [
    "kanji",
    "variant",
    "katakana",
    "hiragana",
    "halfwidth",
    "wareki7",
    "letter",
    "atena_no",
    "name+date",
    "given",
    "given_kana",
    "surname+given",
]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _sample_persons(n: int, rng: random.Random):
    from django.db.models import Max, Min

    from madoguchi.register.models import Person

    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    out: list = []
    while len(out) < n:
        ids = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(n * 2)]
        out.extend(
            Person.objects.filter(id__in=ids)
            .exclude(status="P")
            .only("atena_no", "name", "name_kana", "birth_date")
        )
    rng.shuffle(out)
    return out[:n]


def build_queries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    import jaconv

    from madoguchi.core.text import VARIANTS, given_part, name_key
    from madoguchi.core.wareki import format_wareki

    reverse: dict[str, str] = {}
    for variant, common in VARIANTS.items():
        reverse.setdefault(common, variant)

    def surname(p) -> str:
        return p.name.split("\u3000")[0]

    def given(p) -> str:
        return given_part(p.name)

    def kana_surname(p) -> str:
        return (p.name_kana or "").split("\u3000")[0]

    def variant_of(p) -> str | None:
        typed = surname(p)
        if name_key(typed) != typed:  # registered with a variant: type the common form
            return name_key(typed)
        swapped = "".join(reverse.get(ch, ch) for ch in typed)
        return swapped if swapped != typed else None

    makers = {
        "kanji": lambda p: name_key(surname(p)),
        "variant": variant_of,
        "katakana": lambda p: kana_surname(p) or None,
        "hiragana": lambda p: jaconv.kata2hira(p.name_kana) or None,
        "halfwidth": lambda p: jaconv.z2h(kana_surname(p), kana=True) or None,
        "wareki7": lambda p: format_wareki(p.birth_date, era_style="code"),
        "letter": lambda p: format_wareki(p.birth_date, era_style="letter"),
        "atena_no": lambda p: p.atena_no,
        "name+date": lambda p: f"{surname(p)} {format_wareki(p.birth_date, era_style='code')}",
        "given": lambda p: given(p) or None,
        "given_kana": lambda p: jaconv.kata2hira(given_part(p.name_kana)) or None,
        "surname+given": lambda p: f"{surname(p)[:1]} {given(p)[:1]}" if given(p) else None,
    }
    per_kind = -(-count // len(KINDS))
    queries: list[tuple[str, str]] = []
    pool = _sample_persons(per_kind * len(KINDS) * 4, rng)
    for kind in KINDS:
        made = 0
        for p in pool:
            if made >= per_kind:
                break
            try:
                q = makers[kind](p)
            except Exception:  # e.g. a pre-明治 date; skip that person for this kind
                q = None
            if q:
                queries.append((kind, q))
                made += 1
    rng.shuffle(queries)
    return queries[:count]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=120_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = ap.parse_args()

    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        if args.database_url.startswith("postgres"):
            create_database_if_missing(args.database_url)
    else:
        data = Path(os.environ.get("MADOGUCHI_DATA_DIR", REPO / "data"))
        data.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{(data / 'bench_search.sqlite3').resolve()}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from madoguchi.accounts.models import Staff
    from madoguchi.register import search as svc
    from madoguchi.register.models import Person

    call_command("migrate", interactive=False, verbosity=0)
    existing = Person.objects.count()
    if existing == 0:
        from madoguchi.register.generator import generate_city

        t0 = time.perf_counter()
        existing = generate_city(args.persons, args.seed)
        print(f"generated {existing:,} persons in {time.perf_counter() - t0:.1f} s")
        with connection.cursor() as cur:  # fresh statistics for the planner
            cur.execute("ANALYZE")
    user, _ = Staff.objects.get_or_create(
        username="bench-search", defaults={"role": "clerk", "may_see_protected": False}
    )

    rng = random.Random(args.seed)
    queries = build_queries(args.queries, rng)
    for _kind, q in queries[:20]:  # warm caches and connections
        svc.search(q, user)

    times: dict[str, list[float]] = {k: [] for k in KINDS}
    hits: dict[str, int] = {k: 0 for k in KINDS}
    capped = 0
    for kind, q in queries:
        t0 = time.perf_counter()
        result = svc.search(q, user)
        times[kind].append((time.perf_counter() - t0) * 1000)
        if result.error:
            raise SystemExit(f"query of kind {kind} failed: {result.error}")
        hits[kind] += bool(result.rows)
        capped += result.capped

    everything = [t for ts in times.values() for t in ts]
    print(
        f"database: {connection.vendor}, persons: {existing:,}, queries: {len(everything)} "
        f"({capped} capped at {svc.DEFAULT_LIMIT})"
    )
    print(f"{'kind':<10} {'n':>4} {'found':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind in KINDS:
        ts = times[kind]
        if ts:
            print(
                f"{kind:<10} {len(ts):>4} {hits[kind]:>6} {statistics.median(ts):>8.1f} "
                f"{_percentile(ts, 95):>8.1f} {max(ts):>8.1f}"
            )
    p50, p95 = statistics.median(everything), _percentile(everything, 95)
    print(
        f"{'all':<10} {len(everything):>4} {sum(hits.values()):>6} {p50:>8.1f} {p95:>8.1f} "
        f"{max(everything):>8.1f}"
    )
    print(f"target p95 <= 50 ms: {'OK' if p95 <= 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
