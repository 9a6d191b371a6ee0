"""Smaller holes of the security review (issue 9): the print page frames only the
product's bundles, security headers, same-site redirects, the admin for non-admins,
missing records and an unavailable database answered clearly."""

import pytest
from django.db import OperationalError
from django.test import Client

CSP_PARTS = ("default-src 'self'", "script-src 'self'", "object-src 'none'")


@pytest.mark.parametrize(
    "pdf",
    [
        "/%09/example.invalid/evil.pdf",
        "/\t/example.invalid/evil.pdf",
        "//example.invalid/evil.pdf",
        "https://example.invalid/evil.pdf",
        "/static/anything.pdf",
        "/counter/visits/1/bundle.pdf?x=//evil",
        "/api/documents/bundle",
        "",
    ],
)
def test_print_page_refuses_anything_but_the_products_bundles(clerk_client, pdf):
    r = clerk_client.get("/documents/print/", {"pdf": pdf})
    assert r.status_code == 400


def test_print_page_frames_a_counter_bundle(clerk_client):
    r = clerk_client.get("/documents/print/", {"pdf": "/counter/visits/12/bundle.pdf"})
    assert r.status_code == 200
    assert 'src="/counter/visits/12/bundle.pdf"' in r.content.decode()
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]


def test_security_headers_on_pages(clerk_client):
    r = clerk_client.get("/counter/")
    csp = r["Content-Security-Policy"]
    assert all(p in csp for p in CSP_PARTS) and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in r["Permissions-Policy"]
    # Even the login page and static files carry them.
    assert "script-src 'self'" in Client().get("/accounts/login/")["Content-Security-Policy"]


def test_bundle_pdfs_may_be_framed_by_the_product_only():
    from madoguchi.core.middleware import SecurityHeadersMiddleware
    from madoguchi.documents.views import pdf_response

    response = SecurityHeadersMiddleware(lambda request: pdf_response(b"%PDF-1.7"))(None)
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_no_inline_script_in_any_template():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "madoguchi"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"\son[a-z]+\s*=\s*[\"']", text
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_bundle_of_a_visit_that_does_not_exist_is_404(clerk_client):
    r = clerk_client.get("/counter/visits/987654/bundle.pdf")
    assert r.status_code == 404


@pytest.mark.parametrize(
    "target, expected",
    [
        ("https://evil.example/", "/tasks/"),
        ("//evil.example/x", "/tasks/"),
        ("/\t/evil.example/", "/tasks/"),
        ("/tasks/?dept=child", "/tasks/?dept=child"),
    ],
)
def test_task_retry_goes_back_only_to_our_own_pages(clerk_client, target, expected):
    r = clerk_client.post("/tasks/retry/", {"next": target})
    assert r.status_code == 302 and r.url == expected


def test_admin_for_a_logged_in_non_admin_is_a_403_page_not_a_loop(clerk_client, client, db):
    r = clerk_client.get("/admin/", follow=True)
    assert r.status_code == 403 and len(r.redirect_chain) <= 1
    assert "システム管理者" in r.content.decode()
    anonymous = Client().get("/admin/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_database_down_gives_a_clear_page_and_json(clerk, monkeypatch, caplog):
    from django.db.backends.utils import CursorWrapper

    client = Client(raise_request_exception=False)
    client.force_login(clerk)

    def fail(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    with monkeypatch.context() as m:  # every query fails as when the server is gone
        m.setattr(CursorWrapper, "execute", fail)
        m.setattr(CursorWrapper, "executemany", fail)
        page = client.get("/counter/")
        api = client.get("/api/tasks/1")
    assert page.status_code == 503 and page["Retry-After"]
    assert "サービスを一時的に利用できません" in page.content.decode()
    assert api.status_code == 503
    assert api.json()["error"] == "service unavailable"
    logged = [r.getMessage() for r in caplog.records if r.name == "madoguchi.errors"]
    assert logged and "OperationalError" in logged[0] and "Connection refused" in logged[0]


def test_a_missing_record_in_the_api_is_404_json(clerk_client):
    r = clerk_client.get("/api/counter/visits/987654")
    assert r.status_code == 404, r.content
    assert r.json()["detail"]


def test_serve_checks_the_database_at_start_up(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    drop = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["MADOGUCHI_DATA_DIR"] = str(tmp_path)  # a database without its tables
    r = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "serve", "--port", "1"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 4, r.stdout + r.stderr
    assert "start-up check failed: migrations" in r.stderr
