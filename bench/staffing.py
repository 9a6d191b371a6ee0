"""Benchmark: simulate one peak counter day with 12 counters (simpy, 20 replications).

    .venv/bin/python bench/staffing.py [--counters 12] [--replications 20] [--runs 5]

The day is the demo city's busiest: a Monday in the last fortnight of March, its
arrivals per hour from the history generator's year (``demo.history``: the moving
season, the Monday-morning rush, the lunch dip) and its service-time mix from the worked
examples run through the rules (one template per life event). Each run simulates the
whole day ``--replications`` times and computes the 95 % intervals; prints each run's
time and the figures. Target: ≤ 2 s per peak day.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")


def peak_scenario():
    import django

    django.setup()
    from madoguchi.analytics import staffing
    from madoguchi.demo import history

    day = date(2027, 3, 29)  # a Monday in the last week of March
    onestop, _cert = history.day_factor(day)
    per_day = history.ONESTOP_PER_DAY * onestop
    shape = dict(history.HOUR_SHAPE)
    for h in (8, 9, 10, 11):
        shape[h] *= 1.5  # Monday morning
    total = sum(shape.values())
    open_hours = {8: 0.5, 17: 0.25}
    arrivals = {h: per_day * w / total / open_hours.get(h, 1.0) for h, w in shape.items()}
    tpl = history.templates(day)
    mix = [
        (history.EVENT_MIX[e] * (2.6 if e in history.MOVES else 1), 9 + 2.2 * len(t.procedures))
        for e, t in tpl.items()
        if e in history.EVENT_MIX
    ]
    return staffing.Scenario(arrivals, mix, cv=0.35), per_day


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counters", type=int, default=12)
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from madoguchi.analytics import staffing

    scenario, per_day = peak_scenario()
    print(
        f"peak day: {per_day:.0f} one-stop visits expected, peak {max(scenario.arrivals.values()):.1f}"
        f"/h, mean service {scenario.mean_service:.1f} min; {args.counters} counters, "
        f"{args.replications} replications"
    )
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = staffing.simulate_day(scenario, args.counters, args.replications, seed=len(times))
        times.append(time.perf_counter() - t0)
    print("runs (s): " + ", ".join(f"{t:.2f}" for t in times))
    print(
        f"max {max(times):.2f} s — target ≤ 2 s: {'met' if max(times) <= 2 else 'NOT met'}; "
        f"p90 wait {result.p90_wait.mean:.1f} min [{result.p90_wait.low:.1f}–"
        f"{result.p90_wait.high:.1f}], residents {result.residents.mean:.0f}"
    )


if __name__ == "__main__":
    main()
