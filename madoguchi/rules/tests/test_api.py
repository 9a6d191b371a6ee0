"""POST /api/rules/determine gives the same answer as the Python API; 422 names the field."""

import json

import pytest
import yaml

from conftest import EXAMPLES_DIR
from madoguchi.catalog.loader import current_catalog
from madoguchi.rules import determine

EX = EXAMPLES_DIR


def post(client, url, data):
    return client.post(url, data=json.dumps(data, default=str), content_type="application/json")


@pytest.mark.django_db
def test_determine_api_matches_python(clerk_client):
    paths = sorted(EX.glob("*.situation.yaml"))
    assert len(paths) >= 9
    for path in paths:  # every example: HTTP == Python (== CLI, test_examples)
        situation = yaml.safe_load(path.read_text())
        r = post(clerk_client, "/api/rules/determine", situation)
        assert r.status_code == 200, r.content
        assert r.json() == json.loads(json.dumps(determine(situation, current_catalog())))


@pytest.mark.django_db
def test_invalid_situation_is_422_with_field(clerk_client):
    situation = yaml.safe_load((EX / "move_in_family_of_four.situation.yaml").read_text())
    situation["persons"][2]["birth_date"] = "2017-02-30"
    r = post(clerk_client, "/api/rules/determine", situation)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "persons[2].birth_date"
    r = clerk_client.post("/api/rules/determine", data="{not json", content_type="application/json")
    assert r.status_code in (400, 422)


@pytest.mark.django_db
def test_visit_and_needed_facts_api(clerk_client):
    s = yaml.safe_load((EX / "marriage_surname_change.situation.yaml").read_text())
    r = post(clerk_client, "/api/rules/determine_visit", {"situations": [s]})
    assert r.status_code == 200
    assert {p["id"] for p in r.json()["procedures"]} >= {"family_register.marriage"}
    s["persons"][1]["flags"] = []
    r = post(clerk_client, "/api/rules/needed_facts", {"situation": s})
    asked = {(q["person"], q["asks"]) for q in r.json()}
    assert ("p2", "my_number_card") in asked  # p2's surname changes
    assert ("p1", "my_number_card") not in asked  # p1's does not: nothing depends on it
    r = post(
        clerk_client,
        "/api/rules/needed_facts",
        {"situation": s, "known": {"p2": ["my_number_card"]}},
    )
    assert ("p2", "my_number_card") not in {(q["person"], q["asks"]) for q in r.json()}


@pytest.mark.django_db
def test_openapi_documents_determine(clerk_client):
    schema = clerk_client.get("/api/openapi.json").json()
    assert "/api/rules/determine" in schema["paths"]
    assert "422" in schema["paths"]["/api/rules/determine"]["post"]["responses"]


def test_api_requires_login(client):
    r = post(client, "/api/rules/determine", {})
    assert r.status_code in (401, 403)
