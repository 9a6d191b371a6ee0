"""How many counters to open: the M/M/N queue (Erlang C) and a simulated counter day.

Pure Python (no database): the dashboard, the command line (``madoguchi staffing``) and
the benchmarks call the same functions. Times are in minutes, arrivals per hour.

Erlang C gives the steady state of a queue with Poisson arrivals, exponential service and
N counters sharing one queue. A real counter day is not steady (the Monday-morning rush,
the lunch dip), so ``simulate_day`` runs the day itself with simpy, hour by hour, several
times over (``replications``), and gives each figure with a 95 % confidence interval.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field

import simpy

#: a counter day: doors open 8:30, last arrival 17:15 (in minutes from midnight)
OPEN_MINUTE = 8 * 60 + 30
CLOSE_MINUTE = 17 * 60 + 15
MIN_REPLICATIONS = 20


class StaffingError(ValueError):
    """Input the queue model cannot take; ``field`` names the input."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ErlangC:
    arrivals_per_hour: float
    service_minutes: float
    counters: int
    p_wait: float
    mean_wait_minutes: float
    p90_wait_minutes: float
    utilisation: float

    def as_dict(self) -> dict:
        return {
            "arrivals_per_hour": self.arrivals_per_hour,
            "service_minutes": self.service_minutes,
            "counters": self.counters,
            "p_wait": round(self.p_wait, 6),
            "mean_wait_minutes": round(self.mean_wait_minutes, 4),
            "p90_wait_minutes": round(self.p90_wait_minutes, 4),
            "utilisation": round(self.utilisation, 6),
        }


def check_inputs(arrivals_per_hour: float, service_minutes: float, counters: int) -> float:
    """The offered load in Erlangs (A·S/60); raises for input the queue cannot take."""
    for name, value in (
        ("arrivals_per_hour", arrivals_per_hour),
        ("service_minutes", service_minutes),
        ("counters", counters),
    ):
        if value is None or not math.isfinite(value) or value <= 0:
            raise StaffingError(f"{name} must be positive (got {value})", name)
    if int(counters) != counters:
        raise StaffingError(f"counters must be a whole number (got {counters})", "counters")
    load = arrivals_per_hour * service_minutes / 60
    if load >= counters:
        raise StaffingError(
            f"unstable queue: arrivals × service time = {load:.2f} Erlang ≥ {int(counters)} "
            f"counters; the queue grows without limit (open more than {math.floor(load)} "
            "counters)",
            "counters",
        )
    return load


def erlang_c(arrivals_per_hour: float, service_minutes: float, counters: int) -> ErlangC:
    """Probability of waiting, mean wait and 90th-percentile wait of the M/M/N queue."""
    load = check_inputs(arrivals_per_hour, service_minutes, counters)
    n = int(counters)
    # Erlang B by its stable recursion, then Erlang C from it.
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    p_wait = n * b / (n - load * (1 - b))
    mean_wait = p_wait * service_minutes / (n - load)
    # P(W > t) = C · exp(-(N - A) t / S): the t at which it falls to 10 %.
    p90 = 0.0 if p_wait <= 0.1 else service_minutes / (n - load) * math.log(p_wait / 0.1)
    return ErlangC(arrivals_per_hour, service_minutes, n, p_wait, mean_wait, p90, load / n)


# ------------------------------------------------------------------ simulation

#: two-sided 95 % Student t quantiles by degrees of freedom (normal beyond 30)
_T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
    16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
    23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}  # fmt: skip


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95 % confidence interval."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Estimate:
        if not values:
            return cls(0.0, 0.0, 0.0)
        mean = statistics.fmean(values)
        if len(values) < 2:
            return cls(mean, mean, mean)
        half = _T975.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
        low = mean - half
        if min(values) >= 0:  # waits and counts: the interval does not go below zero
            low = max(0.0, low)
        return cls(mean, low, mean + half)

    def as_dict(self) -> dict:
        return {"mean": round(self.mean, 4), "ci95": [round(self.low, 4), round(self.high, 4)]}


@dataclass
class Scenario:
    """Arrivals per hour of the day (hour → rate) and the service-time mix.

    ``mix`` is a list of (share, mean service minutes): each resident's service time is
    drawn from the mix, exponential around that mean (``cv`` 1) or log-normal with the
    given coefficient of variation.
    """

    arrivals: dict[int, float]
    mix: list[tuple[float, float]]
    cv: float = 1.0
    names: list[str] = field(default_factory=list)  # the mix's events, when known

    @property
    def mix_rows(self) -> list[dict]:
        """The named mix as the page shows it: event, share (%), service minutes."""
        if len(self.names) != len(self.mix):
            return []
        total = sum(share for share, _m in self.mix)
        return [
            {"name": name, "share": 100 * share / total, "minutes": minutes}
            for name, (share, minutes) in zip(self.names, self.mix, strict=True)
        ]

    @classmethod
    def flat(cls, arrivals_per_hour: float, service_minutes: float, cv: float = 1.0):
        hours = range(OPEN_MINUTE // 60, math.ceil(CLOSE_MINUTE / 60))
        return cls({h: arrivals_per_hour for h in hours}, [(1.0, service_minutes)], cv)

    def check(self) -> None:
        if not self.arrivals or any(r < 0 for r in self.arrivals.values()):
            raise StaffingError("arrivals per hour must be zero or positive", "arrivals")
        if not any(self.arrivals.values()):
            raise StaffingError("no arrivals in the day", "arrivals")
        if not self.mix or any(s <= 0 or m <= 0 for s, m in self.mix):
            raise StaffingError("service minutes and shares must be positive", "mix")
        if self.cv <= 0:
            raise StaffingError("cv must be positive", "cv")

    @property
    def mean_service(self) -> float:
        total = sum(s for s, _ in self.mix)
        return sum(s * m for s, m in self.mix) / total

    @property
    def mean_arrivals(self) -> float:
        """Arrivals per hour averaged over the hours with arrivals."""
        rates = [r for r in self.arrivals.values() if r > 0]
        return statistics.fmean(rates) if rates else 0.0

    @property
    def peak_load(self) -> float:
        return max(self.arrivals.values()) * self.mean_service / 60


@dataclass
class DayResult:
    counters: int
    replications: int
    residents: Estimate
    mean_wait: Estimate
    p90_wait: Estimate
    max_wait: Estimate
    utilisation: Estimate
    by_hour: dict[int, Estimate] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "counters": self.counters,
            "replications": self.replications,
            "residents": self.residents.as_dict(),
            "mean_wait_minutes": self.mean_wait.as_dict(),
            "p90_wait_minutes": self.p90_wait.as_dict(),
            "max_wait_minutes": self.max_wait.as_dict(),
            "utilisation": self.utilisation.as_dict(),
            "by_hour": {str(h): e.as_dict() for h, e in sorted(self.by_hour.items())},
        }


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) with linear interpolation between order statistics."""
    if not values:
        return 0.0
    s = sorted(values)
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _service_sampler(scenario: Scenario, rng: random.Random):
    shares = [s for s, _ in scenario.mix]
    means = [m for _, m in scenario.mix]
    cv = scenario.cv
    sigma = math.sqrt(math.log(1 + cv * cv))

    def draw() -> float:
        mean = means[0] if len(means) == 1 else rng.choices(means, shares)[0]
        if cv == 1.0:
            return rng.expovariate(1 / mean)
        return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)

    return draw


def _one_day(
    scenario: Scenario,
    counters: int,
    rng: random.Random,
    open_minute: float = OPEN_MINUTE,
    close_minute: float = CLOSE_MINUTE,
):
    """One simulated day: list of (arrival minute, wait minutes) and the utilisation."""
    env = simpy.Environment(initial_time=open_minute)
    desks = simpy.Resource(env, capacity=counters)
    draw = _service_sampler(scenario, rng)
    waits: list[tuple[int, float]] = []
    busy = [0.0]

    def resident():
        arrived = env.now
        with desks.request() as req:
            yield req
            waits.append((arrived, env.now - arrived))
            service = draw()
            busy[0] += service
            yield env.timeout(service)

    def arrivals():
        # Piecewise-constant Poisson arrivals: exponential gaps at the hour's rate.
        t = float(open_minute)
        while t < close_minute:
            hour = int(t // 60) % 24
            rate = scenario.arrivals.get(hour, 0.0) / 60
            hour_end = min((t // 60 + 1) * 60, close_minute)
            if rate <= 0:
                t = float(hour_end)
                continue
            gap = rng.expovariate(rate)
            if t + gap >= hour_end:  # memoryless: restart at the next hour's rate
                t = float(hour_end)
                continue
            t += gap
            yield env.timeout(t - env.now)
            env.process(resident())

    env.process(arrivals())
    env.run()
    open_minutes = max(env.now, close_minute) - open_minute
    return waits, busy[0] / (counters * open_minutes)


def simulate_day(
    scenario: Scenario, counters: int, replications: int = MIN_REPLICATIONS, seed: int = 1
) -> DayResult:
    """Run the counter day ``replications`` times with ``counters`` desks open."""
    scenario.check()
    if counters <= 0 or int(counters) != counters:
        raise StaffingError(
            f"counters must be a positive whole number (got {counters})", "counters"
        )
    if replications < 2:
        raise StaffingError("at least 2 replications are needed for an interval", "replications")
    rng = random.Random(seed)
    n_res, means, p90s, maxes, utils = [], [], [], [], []
    hours: dict[int, list[float]] = {}
    for _ in range(replications):
        waits, util = _one_day(scenario, int(counters), rng)
        values = [w for _, w in waits]
        n_res.append(float(len(values)))
        means.append(statistics.fmean(values) if values else 0.0)
        p90s.append(percentile(values, 0.9))
        maxes.append(max(values, default=0.0))
        utils.append(util)
        per_hour: dict[int, list[float]] = {}
        for arrived, w in waits:
            per_hour.setdefault(int(arrived // 60), []).append(w)
        for h in scenario.arrivals:
            if h in per_hour:
                hours.setdefault(h, []).append(statistics.fmean(per_hour[h]))
    return DayResult(
        counters=int(counters),
        replications=replications,
        residents=Estimate.of(n_res),
        mean_wait=Estimate.of(means),
        p90_wait=Estimate.of(p90s),
        max_wait=Estimate.of(maxes),
        utilisation=Estimate.of(utils),
        by_hour={h: Estimate.of(v) for h, v in sorted(hours.items())},
    )


def counters_needed(
    scenario: Scenario,
    target_p90_minutes: float,
    replications: int = MIN_REPLICATIONS,
    seed: int = 1,
    max_counters: int = 60,
) -> tuple[int | None, list[DayResult]]:
    """The fewest counters whose simulated p90 wait (upper 95 % bound) meets the target.

    Starts at the fewest counters that keep the peak hour stable and stops at the first
    that meets the target; returns every N tried, so the page can show the trade-off.
    """
    scenario.check()
    if target_p90_minutes is None or target_p90_minutes <= 0:
        raise StaffingError("the p90 target must be positive", "target")
    hours = [r for r in scenario.arrivals.values() if r > 0]
    start = max(1, math.ceil(statistics.fmean(hours) * scenario.mean_service / 60))
    tried = []
    for n in range(start, min(max_counters, start + 20) + 1):  # a page answers in seconds
        result = simulate_day(scenario, n, replications, seed)
        tried.append(result)
        if result.p90_wait.high <= target_p90_minutes:
            return n, tried
    return None, tried


def simulate_steady(
    arrivals_per_hour: float,
    service_minutes: float,
    counters: int,
    hours: float = 400,
    replications: int = MIN_REPLICATIONS,
    seed: int = 1,
) -> Estimate:
    """Mean wait (minutes) of the M/M/N queue in steady state, by the same simulation.

    Each replication runs the counter ``hours`` long at a constant arrival rate with
    exponential service and drops the first tenth as warm-up; this is what the Erlang C
    figure is checked against.
    """
    check_inputs(arrivals_per_hour, service_minutes, counters)
    rng = random.Random(seed)
    scenario = Scenario({h: arrivals_per_hour for h in range(24)}, [(1.0, service_minutes)])
    warm = hours * 60 / 10
    means = []
    for _ in range(replications):
        waits, _ = _one_day(scenario, int(counters), rng, 0.0, hours * 60)
        kept = [w for arrived, w in waits if arrived >= warm]
        means.append(statistics.fmean(kept))
    return Estimate.of(means)
