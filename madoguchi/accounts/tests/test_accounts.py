"""Staff login, lockout and its expiry, idle-session expiry, login required everywhere
(generated from the URL resolver), admin-only pages."""

import os
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from madoguchi.accounts.middleware import LoginRequiredMiddleware
from madoguchi.accounts.models import Staff

PASSWORD = "pw-Test-12345"
LOGIN = "/accounts/login/"

# Views deliberately open to anyone (the login page, the waiting-room display, language
# switch). A view that becomes open must be added here on purpose.
# ("admin/login/" is Django admin's own login view, shadowed by a redirect to ours.)
OPEN_ROUTES = {
    "accounts/login/",
    "admin/login/",
    "counter/display/",
    "counter/display/board/",
    "i18n/setlang/",
    "healthz",  # probes: a status word per check, nothing about persons
    "readyz",
}


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, username="clerk1", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_success_and_logout(client, clerk):
    r = login(client)
    assert r.status_code == 302 and r.url == django_settings.LOGIN_REDIRECT_URL
    assert client.get("/register/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/register/").status_code == 302


def test_wrong_password_shows_error_and_counts(client, clerk):
    r = login(client, password="wrong")
    assert r.status_code == 200 and "ロック" not in r.content.decode()
    clerk.refresh_from_db()
    assert clerk.failed_logins == 1 and not clerk.is_locked


def test_lockout_after_n_failures(client, clerk, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 3
    for _ in range(2):
        login(client, password="wrong")
    clerk.refresh_from_db()
    assert not clerk.is_locked
    r = login(client, password="wrong")
    assert "ロックされています" in r.content.decode()
    clerk.refresh_from_db()
    assert clerk.is_locked
    # Even the right password is refused while locked.
    r = login(client)
    assert r.status_code == 200 and "ロックされています" in r.content.decode()
    assert client.get("/register/").status_code == 302


def test_lockout_expires(client, clerk, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 2
    login(client, password="wrong")
    login(client, password="wrong")
    clerk.refresh_from_db()
    assert clerk.is_locked
    past = timezone.now() - timedelta(seconds=settings.MADOGUCHI_LOCKOUT_SECONDS + 1)
    Staff.objects.filter(pk=clerk.pk).update(
        locked_until=past + timedelta(seconds=1), last_failed_login=past
    )
    r = login(client)
    assert r.status_code == 302
    clerk.refresh_from_db()
    assert clerk.failed_logins == 0 and clerk.locked_until is None


def test_failures_outside_window_do_not_accumulate(client, clerk, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 2
    login(client, password="wrong")
    old = timezone.now() - timedelta(seconds=settings.MADOGUCHI_LOCKOUT_SECONDS + 5)
    Staff.objects.filter(pk=clerk.pk).update(last_failed_login=old)
    login(client, password="wrong")
    clerk.refresh_from_db()
    assert clerk.failed_logins == 1 and not clerk.is_locked


def test_unknown_user_is_rejected(client, db):
    r = login(client, username="nobody")
    assert r.status_code == 200 and client.get("/register/").status_code == 302


def test_idle_session_settings():
    assert django_settings.SESSION_COOKIE_AGE == int(
        os.environ.get("MADOGUCHI_IDLE_SECONDS", "1800")
    )
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.SESSION_COOKIE_HTTPONLY is True


def test_idle_session_expires_and_activity_renews(client, clerk):
    login(client)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=60))
    assert client.get("/register/").status_code == 200
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=django_settings.SESSION_COOKIE_AGE - 60)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    r = client.get("/register/")
    assert r.status_code == 302 and r.url.startswith(LOGIN)


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


_SAMPLES = {"IntConverter": "1", "UUIDConverter": "00000000-0000-0000-0000-000000000001"}


def _concrete(route: str, pattern) -> str:
    url = route
    for name, conv in getattr(pattern.pattern, "converters", {}).items():
        sample = _SAMPLES.get(type(conv).__name__, "1")
        url = url.replace(f"<{name}>", sample)
        url = url.replace(f"<{type(conv).__name__}:{name}>", sample)
        for prefix in ("int", "str", "slug", "uuid", "path"):
            url = url.replace(f"<{prefix}:{name}>", sample)
    return "/" + url


ROUTES = sorted(_walk(get_resolver()), key=lambda x: x[0])


def _is_open(route, pattern) -> bool:
    return not getattr(pattern.callback, "login_required", True) or ("/" + route).startswith(
        LoginRequiredMiddleware.open_prefixes
    )


def test_resolver_walk_finds_the_apps():
    routes = {r for r, _ in ROUTES}
    assert {"register/", "audit/", "api/register/search", "api/audit/records"} <= routes


def test_open_views_are_the_deliberate_ones():
    opened = {route for route, p in ROUTES if _is_open(route, p)}
    assert opened <= OPEN_ROUTES, f"views open without login: {opened - OPEN_ROUTES}"


@pytest.mark.parametrize("route,pattern", ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_every_view_requires_login(client, db, route, pattern):
    if _is_open(route, pattern):
        pytest.skip("deliberately open")
    url = _concrete(route, pattern)
    for method in (client.get, client.post):
        r = method(url)
        if url.startswith("/api/"):
            assert r.status_code == 401, (url, r.status_code)
        else:
            assert r.status_code == 302 and r.url.startswith(LOGIN), (url, r.status_code)


@pytest.mark.parametrize("url", ["/audit/", "/api/audit/records"])
def test_admin_only_pages_forbidden_for_clerks(clerk_client, url):
    assert clerk_client.get(url).status_code == 403


def test_manager_pages_forbidden_for_clerks_open_to_managers(client, clerk, staff_factory):
    client.force_login(clerk)
    assert client.get("/analytics/").status_code == 403
    client.force_login(staff_factory("boss", "manager", "citizen"))
    assert client.get("/analytics/").status_code == 200
    assert client.get("/audit/").status_code == 403  # managers are not administrators


def test_admin_only_pages_open_to_admins(admin_client):
    assert admin_client.get("/audit/").status_code == 200
    assert admin_client.get("/api/audit/records").status_code == 200
