"""One error body for the whole API (core/apierrors.py, docs/api.md): every error path —
ninja's validation, login and CSRF errors, the views' refusals, the middleware before any
view — answers ``{"detail": str, "errors": [{"field", "message"}]}``, and the schema
declares it on every operation."""

import json

import pytest
from django.test import Client

JSON = "application/json"


def _shape(r, status: int) -> dict:
    assert r.status_code == status, r.content
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for e in body["errors"]:
        assert set(e) == {"field", "message"}
    return body


def test_every_operation_declares_the_error_body(clerk_client):
    schema = clerk_client.get("/api/openapi.json").json()
    assert "ApiError" in schema["components"]["schemas"]
    ops = [(p, m, op) for p, ops in schema["paths"].items() for m, op in ops.items()]
    assert len(ops) >= 57
    for path, method, op in ops:
        responses = op["responses"]
        for status in ("401", "403", "503"):
            assert status in responses, f"{method} {path} {status}"
        if op.get("parameters") or "requestBody" in op:
            assert "422" in responses, f"{method} {path}"
        for status, response in responses.items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ApiError"), f"{method} {path} {status}"


@pytest.mark.django_db
def test_not_logged_in_is_401_with_the_body():
    assert _shape(Client().get("/api/counter/queue"), 401)["errors"] == []


def test_validation_error_names_the_field(clerk_client):
    r = clerk_client.post("/api/register/search", {"limit": "x"}, content_type=JSON)
    fields = {e["field"] for e in _shape(r, 422)["errors"]}
    assert fields == {"q", "limit"}


def test_csrf_refusal_has_the_body(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    r = client.post("/api/register/search", json.dumps({"q": "北見"}), content_type=JSON)
    _shape(r, 403)


def test_views_refusals_have_the_body(clerk_client):
    _shape(clerk_client.get("/api/counter/visits/987654"), 404)
    _shape(clerk_client.get("/api/audit/records"), 403)
    body = _shape(
        clerk_client.post("/api/counter/tickets", {"purpose": "x"}, content_type=JSON), 400
    )
    assert body["errors"][0]["field"] == "purpose"
    body = _shape(clerk_client.post("/api/rules/determine", {"event": "x"}, content_type=JSON), 422)
    assert body["errors"][0]["field"] and body["message_en"]


def test_lone_surrogate_has_the_body(clerk_client):
    r = clerk_client.post("/api/register/search", '{"q": "\\ud800"}', content_type=JSON)
    _shape(r, 400)
