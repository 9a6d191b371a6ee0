"""POST /api/documents/bundle, the preview page and the print page."""

from __future__ import annotations

import json

import pytest

from madoguchi.audit.models import AuditRecord
from madoguchi.documents.models import BundleRecord
from madoguchi.documents.samples import load_example, with_register

pytestmark = pytest.mark.django_db


def _situation():
    s = with_register(load_example("move_out_elderly_couple"))
    s["persons"][0]["register"]["atena_no"] = "0000000017"
    return s


def test_api_bundle_returns_pdf_and_audits(clerk_client):
    response = clerk_client.post(
        "/api/documents/bundle?date=2027-04-01",
        data=json.dumps(_situation(), ensure_ascii=False),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert int(response["X-Handwritten-Chars"]) > 0
    assert int(response["X-Pages"]) >= 3
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "documents.bundle.api" and rec.person_ids == ["0000000017"]
    assert "juminido" in rec.query
    stored = BundleRecord.objects.get()  # analytics: what the resident did not handwrite
    assert stored.handwritten_chars == int(response["X-Handwritten-Chars"])
    assert stored.pages == int(response["X-Pages"]) and "juminido" in stored.forms
    assert stored.channel == "api"


def test_api_bundle_names_the_field(clerk_client):
    bad = _situation()
    bad["persons"][0]["register"]["nmae"] = "typo"
    response = clerk_client.post(
        "/api/documents/bundle", data=json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("register.nmae")
    bad = _situation()
    bad["event_date"] = "2027-13-01"
    response = clerk_client.post(
        "/api/documents/bundle", data=json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "event_date"
    response = clerk_client.post(
        "/api/documents/bundle", data="{not json", content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"
    response = clerk_client.post(
        "/api/documents/bundle?date=2027-02-30",
        data=json.dumps(_situation()),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "date"
    assert not AuditRecord.objects.filter(action__startswith="documents.").exists()


def test_api_requires_login(client):
    response = client.post(
        "/api/documents/bundle", data=json.dumps(_situation()), content_type="application/json"
    )
    assert response.status_code == 401


def test_preview_page_renders_pdf_or_error(clerk_client):
    import yaml

    page = clerk_client.get("/documents/")
    assert page.status_code == 200 and "situation" in page.content.decode()
    text = yaml.safe_dump(_situation(), allow_unicode=True)
    response = clerk_client.post("/documents/", {"situation": text, "lang": ["ja"]})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    response = clerk_client.post("/documents/", {"situation": "event: nope\n", "lang": ["ja"]})
    assert response.status_code == 422 and "event" in response.content.decode()


def test_print_page_only_same_site(clerk_client):
    ok = clerk_client.get("/documents/print/", {"pdf": "/counter/visits/1/bundle.pdf"})
    assert ok.status_code == 200 and 'src="/counter/visits/1/bundle.pdf"' in ok.content.decode()
    assert clerk_client.get("/documents/print/", {"pdf": "//evil.example/x.pdf"}).status_code == 400
    assert clerk_client.get("/documents/print/", {"pdf": "https://x/y.pdf"}).status_code == 400


def test_api_bundle_of_a_visit(clerk_client):
    marriage = with_register(load_example("marriage_surname_change"))
    marriage["persons"][0]["register"]["atena_no"] = "0000000025"
    move = {k: v for k, v in marriage.items() if k not in ("couple", "surname_changes")}
    move["event"] = "move_within"
    response = clerk_client.post(
        "/api/documents/bundle?lang=ja",
        data=json.dumps([marriage, move], ensure_ascii=False),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.person_ids == ["0000000025"] and "juminido" in rec.query
