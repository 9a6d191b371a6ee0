"""The product starts, needs a login everywhere, and serves its own assets."""

import pytest


@pytest.mark.django_db
def test_pages_require_login(client):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")
    r = client.get("/api/openapi.json")
    assert r.status_code in (401, 200)


@pytest.mark.django_db
def test_login_page_is_open_and_local_only(client):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "ログイン" in html
    assert "http://" not in html and "https://" not in html  # no CDN


@pytest.mark.django_db
def test_home_after_login(clerk_client):
    r = clerk_client.get("/")
    assert r.status_code == 200
    assert "住民検索" in r.content.decode()


@pytest.mark.django_db
def test_api_needs_login(client):
    r = client.post("/api/rules/determine", data="{}", content_type="application/json")
    assert r.status_code in (401, 404)
