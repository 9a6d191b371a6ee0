"""Benchmark: load and validate the demo catalog (YAML with line numbers, JSON Logic
checks, versions, forms). Target ≤ 1 s. Run: ``.venv/bin/python bench/catalog_load.py``."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from madoguchi.catalog.loader import DEMO_DIR, load_catalog  # noqa: E402


def main(rounds: int = 10) -> None:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        cat = load_catalog(DEMO_DIR)
        times.append(time.perf_counter() - t0)
    n_files = len(cat.files) + len(cat.forms)
    print(
        f"catalog load+validate: {len(cat.procedures)} procedures, {len(cat.conditions)} conditions, "
        f"{len(cat.questions)} questions, {n_files} files"
    )
    print(
        f"  median {statistics.median(times) * 1000:.0f} ms   max {max(times) * 1000:.0f} ms "
        f"over {rounds} rounds"
    )
    print(f"  target <= 1 s: {'OK' if max(times) <= 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
