"""Load test of the counter: simulated counters and department clerks on the JSON API.

    .venv/bin/python bench/load_test.py [--duration 600] [--counters 30] [--clerks 10]
        [--no-pauses] [--persons 3000]
        [--database-url postgres://postgres@127.0.0.1:5432/madoguchi_bench_counter]

The script prepares a fresh database (dropped and created again, migrated, a synthetic
city from the register generator, staff), starts the product in a **second process** (waitress, ``madoguchi
serve``) on loopback, and drives it from this process over HTTP:

- each counter issues a ticket (reception), calls the next one (it may win another
  counter's ticket: that is what ``call next`` is for), identifies a resident household,
  enters the new address of a 転居, answers a question, confirms, prints the bundle
  (PDF), marks it signed (tasks are routed), and starts again;
- each department clerk polls the department queue and takes tasks 受付 → 処理中 → 完了.

Everyone pauses 2–5 s between actions as a person does; ``--no-pauses`` drops the pauses
to measure saturation throughput. At the end it prints throughput, p50/p95 latency per
endpoint, errors, and checks that no ticket was lost or handed to two counters.
Target (human pace): p95 ≤ 200 ms on every endpoint.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

from benchdb import recreate_database, setup_django  # noqa: E402

TARGET_P95_MS = 200  # at human pace (2–5 s pauses); saturation mode has no target
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/madoguchi_bench_counter"
PASSWORD = "bench-Pass-12345"
SERVER_LOG = Path(os.environ.get("TMPDIR", "/tmp")) / "madoguchi-bench-server.log"
DEPARTMENTS = ["citizen", "citizen", "citizen", "insurance", "insurance", "care", "child",
               "education", "environment", "disability"]  # fmt: skip


# ------------------------------------------------------------------ set-up


def prepare(url: str, persons: int, n_counters: int, n_clerks: int) -> None:
    if url.startswith("postgres"):
        recreate_database(url)
    setup_django(url)
    from madoguchi.accounts.models import Staff
    from madoguchi.register.generator import generate_city
    from madoguchi.register.models import Person

    if not Person.objects.exists():
        generate_city(persons, seed=20270401)
    for i in range(n_counters):
        _user(Staff, f"bench_counter{i}", "clerk", "citizen")
    for i in range(n_clerks):
        _user(Staff, f"bench_dept{i}", "department", DEPARTMENTS[i % len(DEPARTMENTS)])


def _user(Staff, username, role, department):
    user, _ = Staff.objects.get_or_create(username=username)
    user.role, user.department = role, department
    user.failed_logins, user.locked_until = 0, None  # a fresh run is never locked out
    user.set_password(PASSWORD)
    user.save()


def resident_heads(limit: int = 400) -> list[str]:
    from madoguchi.register.models import Person

    return list(
        Person.objects.filter(status="1", relationship="世帯主", support_measure=False)
        .order_by("atena_no")
        .values_list("atena_no", flat=True)[:limit]
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, threads: int = 16) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "CONN_MAX_AGE": "60"}
    # The walks are dated scenarios (the demo move-in family on 2027-03-29): each visit is
    # notified on its own 異動日 (madoguchi/core/clock.py), as in the test suite.
    env.setdefault("MADOGUCHI_BUSINESS_DATE", "event")
    # The server's log goes to a file: a pipe nobody reads would fill up and block it.
    log = open(SERVER_LOG, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "manage.py"),
            "serve",
            "--port",
            str(port),
            "--threads",
            str(threads),
        ],  # fmt: skip
        env=env,
        cwd=str(REPO),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/accounts/login/")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"the server did not start; see {SERVER_LOG}")


# ------------------------------------------------------------------ client


class Client:
    """One member of staff: a keep-alive connection, a session and the CSRF token."""

    def __init__(self, port: int, stats: Stats):
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method, path, body=None, name=None, form=False):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        data = None
        if body is not None:
            if form:
                from urllib.parse import urlencode

                data = urlencode(body)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body)
                headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    self.stats.add(name or path, time.perf_counter() - start, 599)
                    return 599, b""
        self.stats.add(name or path, time.perf_counter() - start, resp.status)
        for header in resp.headers.get_all("Set-Cookie") or []:
            c = SimpleCookie(header)
            for k, m in c.items():
                self.cookies[k] = m.value
        return resp.status, payload

    def login(self, username: str):
        self.request("GET", "/accounts/login/", name="login_page")
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            },
            name="login",
            form=True,
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed for {username}: {status} {_[-1500:]!r}")
        self.request("GET", "/counter/display/", name="display")  # fresh CSRF cookie

    def api(self, method, path, body=None, name=None):
        status, payload = self.request(method, "/api" + path, body, name or path)
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.issued: list[int] = []
        self.called: list[int] = []
        self.visits_done = 0
        self.tasks_done = 0

    def add(self, name, seconds, status):
        with self.lock:
            self.latency[name].append(seconds)
            if status >= 500 or status in (401, 403, 404):
                self.errors[f"{name} {status}"] += 1


def pause(no_pauses: bool, rng: random.Random) -> None:
    if not no_pauses:
        time.sleep(rng.uniform(2, 5))


def counter_worker(c, i, stats, stop, heads, no_pauses, seed):
    rng = random.Random(seed + i)
    while not stop.is_set():
        status, t = c.api("POST", "/counter/tickets", {"purpose": "move_within"}, "tickets")
        if status == 201:
            with stats.lock:
                stats.issued.append(t["id"])
        pause(no_pauses, rng)
        status, t = c.api(
            "POST", "/counter/call-next", {"group": "onestop", "counter_no": str(i)}, "call-next"
        )
        if status != 200:
            continue
        with stats.lock:
            stats.called.append(t["id"])
        vid = t["visit_id"]
        _, v = c.api("GET", f"/counter/visits/{vid}", name="visit")
        steps = [
            ("identify", {"atena_no": rng.choice(heads)}),
            (
                "address",
                {"postal_code": "0900025", "town_index": 0, "banchi": f"{rng.randint(1, 30)}番地"},
            ),
            ("answers", {"flags": {"p1": {"dog_owner": rng.random() < 0.3}}}),
            ("confirm", {}),
        ]
        ok = v is not None
        for name, body in steps:
            if stop.is_set() or not ok:
                break
            pause(no_pauses, rng)
            status, v2 = c.api(
                "POST", f"/counter/visits/{vid}/{name}", {"version": v["version"], **body}, name
            )
            ok = status == 200
            v = v2 if ok else v
        if not ok or stop.is_set():
            continue
        pause(no_pauses, rng)
        status, _ = c.request("GET", f"/api/counter/visits/{vid}/bundle.pdf", name="bundle.pdf")
        if status != 200:
            continue
        _, v = c.api("GET", f"/counter/visits/{vid}", name="visit")
        pause(no_pauses, rng)
        status, _ = c.api(
            "POST",
            f"/counter/visits/{vid}/sign",
            {"version": v["version"], "id_document": "my_number_card"},
            "sign",
        )
        if status == 200:
            with stats.lock:
                stats.visits_done += 1


def clerk_worker(c, i, stats, stop, no_pauses, seed):
    rng = random.Random(seed * 7 + i)
    while not stop.is_set():
        _, queue = c.api("GET", "/tasks/", name="tasks")
        pause(no_pauses, rng)
        if not isinstance(queue, list) or not queue:
            if no_pauses:
                time.sleep(0.2)
            continue
        task = rng.choice(queue[:5])
        c.api("GET", f"/tasks/{task['id']}", name="task")
        pause(no_pauses, rng)
        status, _ = c.api(
            "POST", f"/tasks/{task['id']}/status", {"status": "in_progress"}, "task-status"
        )
        pause(no_pauses, rng)
        status, _ = c.api("POST", f"/tasks/{task['id']}/status", {"status": "done"}, "task-status")
        if status == 200:
            with stats.lock:
                stats.tasks_done += 1


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def check_tickets(stats: Stats) -> dict:
    """No ticket lost (issued but neither called nor still waiting) or called twice."""
    from django.db import connection

    connection.close()
    from madoguchi.counter.models import Ticket

    dup_called = len(stats.called) - len(set(stats.called))
    rows = dict(Ticket.objects.filter(pk__in=stats.issued).values_list("pk", "status"))
    lost = [t for t in stats.issued if t not in rows]
    unaccounted = [t for t in stats.issued if rows.get(t) == "waiting" and t in set(stats.called)]
    numbers = list(Ticket.objects.values_list("issued_on", "group", "number"))
    dup_numbers = len(numbers) - len(set(numbers))
    return {
        "issued": len(stats.issued),
        "called": len(stats.called),
        "called_twice": dup_called,
        "lost": len(lost) + len(unaccounted),
        "duplicate_numbers": dup_numbers,
        "waiting_at_end": sum(1 for s in rows.values() if s == "waiting"),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=float, default=600, help="seconds (default 600)")
    ap.add_argument("--counters", type=int, default=30)
    ap.add_argument("--clerks", type=int, default=10)
    ap.add_argument("--no-pauses", action="store_true", help="saturation mode")
    ap.add_argument("--persons", type=int, default=3000)
    ap.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    ap.add_argument("--threads", type=int, default=16, help="server threads")
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    prepare(args.database_url, args.persons, args.counters, args.clerks)
    heads = resident_heads()
    args.port = args.port or free_port()
    server = start_server(args.database_url, args.port, args.threads)
    stats = Stats()
    stop = threading.Event()
    # Log everyone in first (password hashing is deliberately slow), then start the clock.
    counters = [Client(args.port, stats) for _ in range(args.counters)]
    clerks = [Client(args.port, stats) for _ in range(args.clerks)]
    for i, c in enumerate(counters):
        c.login(f"bench_counter{i}")
    for i, c in enumerate(clerks):
        c.login(f"bench_dept{i}")
    stats.latency.clear()
    threads = [
        threading.Thread(
            target=counter_worker, args=(c, i, stats, stop, heads, args.no_pauses, args.seed)
        )
        for i, c in enumerate(counters)
    ] + [
        threading.Thread(target=clerk_worker, args=(c, i, stats, stop, args.no_pauses, args.seed))
        for i, c in enumerate(clerks)
    ]
    started = time.time()
    try:
        for t in threads:
            t.start()
        time.sleep(args.duration)
        stop.set()
        for t in threads:
            t.join(timeout=180)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    elapsed = time.time() - started
    mode = "saturation (no pauses)" if args.no_pauses else "human pace (2–5 s pauses)"
    db = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"load test: {args.counters} counters + {args.clerks} department clerks, {mode}, "
          f"{elapsed:.0f} s, {db}, server: waitress {args.threads} threads")  # fmt: skip
    total = sum(len(v) for v in stats.latency.values())
    print(f"requests: {total}  ({total / elapsed:.1f}/s)   visits signed: {stats.visits_done} "
          f"({stats.visits_done / elapsed * 3600:.0f}/h)   tasks done: {stats.tasks_done}")  # fmt: skip
    print(f"{'endpoint':<14}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name in sorted(stats.latency):
        v = stats.latency[name]
        print(
            f"{name:<14}{len(v):>7}{pct(v, 50) * 1000:>9.0f}{pct(v, 95) * 1000:>9.0f}{max(v) * 1000:>9.0f}"
        )
    if not args.no_pauses and stats.latency:
        worst = max(stats.latency, key=lambda n: pct(stats.latency[n], 95))
        p95 = pct(stats.latency[worst], 95) * 1000
        verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
        print(f"target p95 ≤ {TARGET_P95_MS} ms on every endpoint: {verdict} "
              f"(highest: {worst} {p95:.0f} ms)")  # fmt: skip
    print("errors:", dict(stats.errors) or "none")
    check = check_tickets(stats)
    print("tickets:", check)
    ok = (
        check["issued"] > 0
        and check["called_twice"] == 0
        and check["lost"] == 0
        and check["duplicate_numbers"] == 0
    )
    print("ticket check:", "OK (no ticket lost or duplicated)" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
