"""Audit browsing: administrators only, filters, pagination, API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.audit import services
from madoguchi.audit.models import AuditRecord


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def records(db, clerk, staff_factory):
    other = staff_factory("clerk2", "clerk")
    services.record(clerk, "register.search", query="高橋", person_ids=["101", "1010"])
    services.record(other, "register.person", query="102", person_ids=["102"], household_ids=["5"])
    services.record(clerk, "register.person.denied", query="201", person_ids=["201"], flagged=True)
    old = services.record(other, "register.search", query="old", person_ids=["1010"])
    AuditRecord.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    return clerk, other


def test_clerk_gets_403(clerk_client):
    assert clerk_client.get("/audit/").status_code == 403
    assert clerk_client.post("/audit/", {}).status_code == 403
    assert clerk_client.get("/api/audit/records").status_code == 403


def test_admin_sees_records_and_browse_is_audited(admin_client, records):
    r = admin_client.get("/audit/")
    html = r.content.decode()
    assert r.status_code == 200 and "register.person.denied" in html and "高橋" in html
    assert AuditRecord.objects.order_by("-seq").first().action == "audit.browse"


def _api(client, **params):
    r = client.get("/api/audit/records", params)
    assert r.status_code == 200, r.content
    return r.json()


def test_api_filters(admin_client, records):
    def actions(**params):
        return [r["action"] for r in _api(admin_client, **params)["records"]]

    assert actions(actor="clerk2") == ["register.search", "register.person"]
    # (creating admin1 with 支援措置 access is itself a flagged staff.create record)
    assert actions(flagged=True) == ["register.person.denied", "staff.create"]
    assert actions(person="101") == ["register.search"]  # not 1010
    assert len(actions(person="1010")) == 2
    assert actions(action="register.person") == ["register.person.denied", "register.person"]
    today = timezone.localdate()
    recent = actions(date_from=(today - timedelta(days=1)).isoformat(), actor="clerk2")
    assert recent == ["register.person"]
    old = actions(date_to=(today - timedelta(days=30)).isoformat())
    assert old == ["register.search"]


def test_api_pagination(admin_client, records, clerk):
    for i in range(7):
        services.record(clerk, "counter.visit", query=str(i))
    first = _api(admin_client, action="counter.visit", page_size=5)
    second = _api(admin_client, action="counter.visit", page_size=5, page=2)
    assert first["count"] == 7 and first["pages"] == 2
    assert [r["query"] for r in first["records"]] == ["6", "5", "4", "3", "2"]
    assert [r["query"] for r in second["records"]] == ["1", "0"]


def test_api_bad_range(admin_client, db):
    r = admin_client.get("/api/audit/records", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert r.status_code == 400


def test_page_filter_post_and_htmx(admin_client, records):
    r = admin_client.post("/audit/", {"flagged": "on", "page": "1"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert "register.person.denied" in html and "高橋" not in html
    r = admin_client.post("/audit/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "開始日が終了日より後です" in r.content.decode()


def test_page_pagination_buttons(admin_client, clerk, db):
    for i in range(55):
        services.record(clerk, "counter.visit", query=f"v{i}")
    html = admin_client.post("/audit/", {"action": "counter.visit"}).content.decode()
    assert "次へ" in html and "v54" in html and "v4<" not in html
    html = admin_client.post("/audit/", {"action": "counter.visit", "page": "2"}).content.decode()
    assert "前へ" in html and "v4<" in html and "v54" not in html
