"""``madoguchi staffing erlang|simulate``: the counters to open, for planning scripts."""

import json

from django.core.management.base import BaseCommand, CommandError

from madoguchi.analytics import staffing


def _add_queue_args(p, counters_required=True):
    p.add_argument("--arrivals-per-hour", type=float, required=True, dest="arrivals")
    p.add_argument("--service-minutes", type=float, required=True, dest="service")
    p.add_argument("--counters", type=int, required=counters_required)
    p.add_argument("--json", action="store_true", help="machine-readable output")


class Command(BaseCommand):
    help = "窓口数の見積り: erlang (M/M/N の理論値) / simulate (simpy による1日の模擬)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        e = sub.add_parser("erlang", help="Erlang C: probability of waiting, mean and p90 wait")
        _add_queue_args(e)
        s = sub.add_parser(
            "simulate", help="simulate a counter day (constant arrivals) with N counters"
        )
        _add_queue_args(s)
        s.add_argument("--replications", type=int, default=staffing.MIN_REPLICATIONS)
        s.add_argument("--seed", type=int, default=1)
        s.add_argument(
            "--cv", type=float, default=1.0, help="service-time variation (1 = exponential)"
        )

    def handle(self, *args, **opts):
        try:
            erlang = staffing.erlang_c(opts["arrivals"], opts["service"], opts["counters"])
            if opts["action"] == "erlang":
                out = erlang.as_dict()
            else:
                if opts["replications"] < staffing.MIN_REPLICATIONS:
                    raise staffing.StaffingError(
                        f"replications must be at least {staffing.MIN_REPLICATIONS}",
                        "replications",
                    )
                scenario = staffing.Scenario.flat(opts["arrivals"], opts["service"], opts["cv"])
                day = staffing.simulate_day(
                    scenario, opts["counters"], opts["replications"], opts["seed"]
                )
                out = {**day.as_dict(), "erlang_c": erlang.as_dict()}
        except staffing.StaffingError as exc:
            raise CommandError(f"{exc.field}: {exc.message}", returncode=2) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        elif opts["action"] == "erlang":
            self.stdout.write(
                f"counters {erlang.counters}, load {erlang.utilisation:.1%}: "
                f"P(wait) {erlang.p_wait:.3f}, mean wait {erlang.mean_wait_minutes:.2f} min, "
                f"p90 wait {erlang.p90_wait_minutes:.2f} min"
            )
        else:

            def ci(key):
                d = out[key]
                return f"{d['mean']:.2f} [{d['ci95'][0]:.2f}–{d['ci95'][1]:.2f}]"

            self.stdout.write(
                f"counters {day.counters}, {day.replications} simulated days "
                f"(95 % interval): residents {ci('residents')}, "
                f"mean wait {ci('mean_wait_minutes')} min, p90 wait {ci('p90_wait_minutes')} min"
            )
            for hour, est in sorted(day.by_hour.items()):
                self.stdout.write(f"  {hour:02d}:00  mean wait {est.mean:6.2f} min")
            self.stdout.write(
                f"Erlang C (steady state): P(wait) {erlang.p_wait:.3f}, "
                f"mean wait {erlang.mean_wait_minutes:.2f} min, "
                f"p90 wait {erlang.p90_wait_minutes:.2f} min"
            )
