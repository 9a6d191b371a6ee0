"""Read-only catalog API."""

import pytest


@pytest.mark.django_db
def test_catalog_api(clerk_client):
    info = clerk_client.get("/api/catalog/").json()
    assert info["municipality"] == "demo" and len(info["departments"]) == 12
    assert info["departments"][0]["place"]
    births = clerk_client.get("/api/catalog/procedures?event=birth").json()
    ids = {p["id"] for p in births}
    assert "family_register.birth" in ids and "registry.move_in" not in ids
    one = clerk_client.get("/api/catalog/procedures/nhi.enroll").json()
    assert one["department"] == "insurance" and "all" in one["events"]
    assert one["counter_completion"] is True  # the 保険医療課 lets the counter complete it
    assert clerk_client.get("/api/catalog/procedures/nope").status_code == 404
    qs = clerk_client.get("/api/catalog/questions?event=divorce").json()
    assert qs and all("divorce" in q["events"] for q in qs)
