"""schemathesis over the whole JSON API, once per role (issue 9).

The OpenAPI schema is the one the Django app serves at ``/api/openapi.json``; every
operation is called in-process through WSGI (no network) with generated data, as each
role of the permission world (``permissions_world.py``: clerk, clerk with the 支援措置
permission, department, manager, admin), logged in with a real session cookie and the
CSRF token. Checks on every response: no server error (5xx), the status code documented
for the operation, the content type and the body matching the documented response
(error bodies included: ``core/apierrors.py``).

Bounded and reproducible: per operation and role ``POSITIVE`` valid and ``NEGATIVE``
invalid generated cases (hypothesis derandomized, no example database), and one case per
object of the world for path parameters (own, another's and the protected visit/task, the
ticket, the ordinary and the protected person, a certificate), so the doors are reached
beyond 404. Every finding is collected (no shrinking) and the test fails listing them all.

``pytest tests/test_api_schemathesis.py -q -s`` prints per role the operations, requests,
5xx and findings.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from permissions_world import NORMAL, PROTECTED, ROLES, build

# In the `test` extra (pyproject.toml), so CI always runs it; a development venv made
# before it was added skips until `pip install -e '.[test]'`.
schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

POSITIVE = 2  # generated valid cases per operation and role
NEGATIVE = 1  # generated invalid cases per operation and role
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CSRF = "schemathesiscsrftoken0123456789a"  # 32 characters: Django's unmasked token form


def _certificate(world) -> tuple[int, int, str]:
    """A certificate issued to an ordinary person (the ids for the certificates' paths)."""
    from madoguchi.certificates import services

    req = services.issue(
        services.RequestIn(
            subject_atena_no=NORMAL[0], lines=[services.Line(kind="juminhyo_all")], channel="api"
        ),
        world.staff["clerk"],
    )
    cert = req.certificates.get()
    return req.pk, cert.pk, cert.code


def _path_ids(world, role: str, certificate) -> dict[str, list]:
    request_id, cert_id, code = certificate
    return {
        "visit_id": [world.visit(role, k) for k in ("own", "other", "protected")],
        "task_id": [world.task(role, k) for k in ("own", "other", "protected")],
        "ticket_id": [world.tickets[role]],
        "atena_no": [NORMAL[0], PROTECTED],
        "household_no": ["310001", "310002"],
        "request_id": [request_id],
        "cert_id": [cert_id],
        "code": [code],
    }


def test_api_conforms_for_every_role(client, db):
    from django.core.wsgi import get_wsgi_application

    world = build()
    certificate = _certificate(world)
    app = _connection_kept_open(get_wsgi_application())
    findings: list[str] = []
    for role in ROLES:
        findings += _run_role(role, world, certificate, client, app)
    assert not findings, "\n" + "\n".join(findings)


def _connection_kept_open(app):
    """The WSGI app with the test's database connection kept across calls, as Django's
    test client does: the handler closes old connections when a request starts and ends,
    and the test's connection (holding the test's transaction) is one of them on
    PostgreSQL and on a SQLite file database (only an in-memory SQLite database ignores the
    close). Per call, because the test client used for the log-ins connects the receiver
    again after each of its own requests."""
    from django.core import signals
    from django.db import close_old_connections

    def call(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()  # sends request_finished, as a WSGI server would
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return [body]

    return call


def _run_role(role: str, world, certificate, client, app) -> list[str]:
    ids = _path_ids(world, role, certificate)
    client.force_login(world.staff[role])
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    headers = {"X-CSRFToken": CSRF}
    # The schema as the app serves it, read with the role's session (werkzeug's client,
    # which schemathesis.openapi.from_wsgi uses, drops a Cookie header).
    served = client.get("/api/openapi.json")
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.json())
    schema.app = app

    findings: list[str] = []
    statuses: Counter = Counter()
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1
        label = f"{op.method.upper()} {op.path}"

        def run(case, label=label):
            response = case.call(headers=headers, cookies=cookies)
            statuses[response.status_code // 100] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except BaseExceptionGroup as group:  # every finding collected, none stops the run
                for exc in group.exceptions:
                    text = " | ".join(str(exc).strip().splitlines()[:6])
                    body = response.content[:200].decode("utf-8", "replace")
                    findings.append(
                        f"{role} {label} → {response.status_code}: "
                        f"{type(exc).__name__}: {text} | body {body}"
                    )

        _explore(op.as_strategy(), run, POSITIVE)
        _explore(op.as_strategy(generation_mode=GenerationMode.NEGATIVE), run, NEGATIVE)
        names = [p.name for p in op.path_parameters]
        for combo in _combos({n: ids[n] for n in names if n in ids}):
            _explore(op.as_strategy(path_parameters=combo), run, 1)
    requests = sum(statuses.values())
    print(
        f"\nschemathesis {role}: {operations} operations, {requests} requests "
        f"(2xx {statuses[2]}, 4xx {statuses[4]}, 5xx {statuses[5]}), "
        f"{len(findings)} findings, {time.monotonic() - started:.1f} s"
    )
    assert operations >= 57
    assert statuses[2] > 0 and statuses[4] > 0  # the run reached both answers and refusals
    return findings


def _combos(overrides: dict[str, list]) -> list[dict]:
    """One path-parameter set per world object (parameters with several objects zipped)."""
    if not overrides:
        return []
    width = max(len(v) for v in overrides.values())
    return [{n: v[i % len(v)] for n, v in overrides.items()} for i in range(width)]


def _explore(strategy, run, examples: int) -> None:
    """``examples`` cases of ``strategy``, derandomized, no shrinking, no database."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def explore(case):
        run(case)

    explore()
