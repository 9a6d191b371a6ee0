"""Erlang C, the simulated counter day and ``madoguchi staffing``."""

import json
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from madoguchi.analytics import staffing


def test_erlang_c_matches_the_textbook_case():
    # One desk (M/M/1): P(wait) = ρ, Wq = ρ/(μ-λ); ρ = 0.5 with 6-minute service.
    e = staffing.erlang_c(5, 6, 1)
    assert e.p_wait == pytest.approx(0.5)
    assert e.mean_wait_minutes == pytest.approx(6.0)
    # P(W > t) = ρ e^{-(μ-λ)t} = 0.1  →  t = ln 5 / (1/12 per minute)
    assert e.p90_wait_minutes == pytest.approx(12 * math.log(5))


def test_erlang_c_more_counters_wait_less():
    waits = [staffing.erlang_c(30, 12, n).mean_wait_minutes for n in range(7, 12)]
    assert waits == sorted(waits, reverse=True) and waits[-1] < waits[0] / 10
    assert staffing.erlang_c(30, 12, 20).p90_wait_minutes == 0  # under 10 % ever wait


@pytest.mark.parametrize(
    "args,field",
    [
        ((30, 12, 6), "counters"),
        ((0, 12, 6), "arrivals_per_hour"),
        ((30, -1, 6), "service_minutes"),
    ],
)
def test_erlang_c_refuses_unstable_or_non_positive(args, field):
    with pytest.raises(staffing.StaffingError) as exc:
        staffing.erlang_c(*args)
    assert exc.value.field == field


def test_mmn_simulation_lands_within_5_percent_of_erlang_c():
    erlang = staffing.erlang_c(30, 12, 8)
    sim = staffing.simulate_steady(30, 12, 8, hours=200, replications=20, seed=1)
    assert abs(sim.mean - erlang.mean_wait_minutes) <= 0.05 * erlang.mean_wait_minutes
    assert sim.low <= erlang.mean_wait_minutes <= sim.high


def test_simulated_day_has_intervals_per_hour_and_more_counters_help():
    scenario = staffing.Scenario({9: 60, 10: 50, 11: 30}, [(0.7, 10), (0.3, 25)], cv=0.8)
    few = staffing.simulate_day(scenario, 6, replications=20)
    many = staffing.simulate_day(scenario, 12, replications=20)
    assert few.replications == 20 and set(few.by_hour) == {9, 10, 11}
    assert few.p90_wait.low <= few.p90_wait.mean <= few.p90_wait.high
    assert many.mean_wait.mean < few.mean_wait.mean
    assert 120 < few.residents.mean < 160  # 60 + 50 + 30 expected arrivals (8:30 start)


def test_counters_needed_meets_the_target_and_one_fewer_does_not():
    scenario = staffing.Scenario.flat(40, 15)
    n, tried = staffing.counters_needed(scenario, target_p90_minutes=10)
    assert n is not None and tried[-1].counters == n
    assert tried[-1].p90_wait.high <= 10
    assert all(t.p90_wait.high > 10 for t in tried[:-1])


def test_cli_erlang_json(capsys):
    call_command("staffing", "erlang", "--arrivals-per-hour", "30", "--service-minutes", "12",
                 "--counters", "8", "--json")  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert {"p_wait", "mean_wait_minutes", "p90_wait_minutes"} <= set(out)
    assert out["mean_wait_minutes"] == pytest.approx(
        staffing.erlang_c(30, 12, 8).mean_wait_minutes, abs=1e-3
    )


def test_cli_simulate_prints_both(capsys):
    call_command("staffing", "simulate", "--arrivals-per-hour", "20", "--service-minutes", "10",
                 "--counters", "5", "--json")  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["replications"] >= 20 and len(out["p90_wait_minutes"]["ci95"]) == 2
    assert out["erlang_c"]["counters"] == 5


@pytest.mark.parametrize(
    "a,s,n,word",
    [("30", "12", "6", "unstable"), ("0", "12", "6", "positive"), ("30", "12", "-2", "positive")],
)
def test_cli_exit_2_with_a_clear_message(a, s, n, word):
    for action in ("erlang", "simulate"):
        with pytest.raises(CommandError) as exc:
            call_command("staffing", action, "--arrivals-per-hour", a, "--service-minutes", s,
                         "--counters", n)  # fmt: skip
        assert exc.value.returncode == 2 and word in str(exc.value)
