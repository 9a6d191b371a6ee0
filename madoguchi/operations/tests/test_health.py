"""Probes without login or personal data; one log line per request without the path."""

import io
import logging

import pytest

from madoguchi.core.logfilters import LineFormatter, RequestContext
from madoguchi.operations import health


def test_healthz_answers_without_login(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_fails_until_a_catalog_is_published(client):
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "catalog": "fail",
        "audit": "ok",
    }
    from madoguchi.catalog.services import load_into_db

    load_into_db()
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_reports_a_database_that_does_not_answer(client, monkeypatch):
    def down():
        raise OSError("connection refused to 10.0.0.5 for user madoguchi")

    monkeypatch.setitem(health.CHECKS, "database", down)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["database"] == "fail"
    assert "10.0.0.5" not in r.content.decode()


@pytest.fixture
def request_log():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(LineFormatter())
    handler.addFilter(RequestContext())
    logger = logging.getLogger("madoguchi.request")
    logger.addHandler(handler)
    yield out
    logger.removeHandler(handler)


def test_request_line_has_ids_status_and_route_but_no_path(clerk_client, clerk, request_log):
    clerk_client.get("/register/person/123456789012/?q=高橋", HTTP_X_REQUEST_ID="abc-123")
    line = request_log.getvalue().strip().splitlines()[-1]
    assert " INFO madoguchi.request rid=abc-123 " in line
    assert f"user={clerk.pk} " in line
    assert "status=" in line and "ms=" in line and "route=" in line
    assert "/register/person" not in line and "高橋" not in line and "123456789012" not in line


def test_json_lines(request_log, client):
    handler = logging.getLogger("madoguchi.request").handlers[-1]
    handler.setFormatter(LineFormatter(json_lines=True))
    client.get("/healthz", HTTP_X_REQUEST_ID="not a token!")
    import json

    rec = json.loads(request_log.getvalue().strip().splitlines()[-1])
    assert rec["level"] == "INFO" and rec["route"] == "healthz" and rec["status"] == 200
    assert rec["request_id"] != "not a token!" and len(rec["request_id"]) == 32
