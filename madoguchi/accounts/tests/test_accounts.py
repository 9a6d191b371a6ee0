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
from madoguchi.accounts.models import LoginThrottle

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


def login_from(client, address, username="clerk1", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_locked_page(r):
    return r.status_code == 200 and "ロックされています" in r.content.decode()


def test_wrong_password_shows_error_and_counts(client, clerk):
    r = login(client, password="wrong")
    assert r.status_code == 200 and "ロック" not in r.content.decode()
    clerk.refresh_from_db()
    assert clerk.failed_logins == 1 and not clerk.is_locked


def test_unknown_user_and_wrong_password_get_the_same_answer(client, clerk):
    import re

    def errors(r):
        return re.findall(r'<ul class="errorlist[^"]*">.*?</ul>', r.content.decode(), re.S)

    wrong = errors(login(client, password="wrong"))
    assert wrong and wrong == errors(login(client, username="nobody-here"))


def test_pair_locks_after_n_failures_even_for_the_right_password(client, clerk, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 3
    for _ in range(2):
        assert not is_locked_page(login(client, password="wrong"))
    assert is_locked_page(login(client, password="wrong"))
    r = login(client)  # the right password, same address: refused while locked
    assert is_locked_page(r) and client.get("/register/").status_code == 302


def test_unknown_accounts_lock_the_same_way(client, db, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 3
    pages = [login(client, username="ghost", password="x") for _ in range(3)]
    assert [is_locked_page(p) for p in pages] == [False, False, True]


def test_pair_lock_expires(client, clerk, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 2
    login(client, password="wrong")
    assert is_locked_page(login(client, password="wrong"))
    past = timezone.now() - timedelta(seconds=1)
    LoginThrottle.objects.update(locked_until=past, last_failure=past - timedelta(hours=1))
    assert login(client).status_code == 302


def test_failures_outside_window_do_not_accumulate(client, clerk, settings):
    settings.MADOGUCHI_LOCKOUT_FAILURES = 2
    login(client, password="wrong")
    old = timezone.now() - timedelta(seconds=settings.MADOGUCHI_LOCKOUT_SECONDS + 5)
    LoginThrottle.objects.update(last_failure=old)
    assert not is_locked_page(login(client, password="wrong"))
    clerk.refresh_from_db()
    assert clerk.failed_logins == 1


def test_failures_from_elsewhere_do_not_lock_the_clerk_out_at_their_own_pc(
    client, clerk, monkeypatch
):
    # The account's delay is measured in wall-clock seconds: a still clock keeps the test
    # from depending on how fast the machine runs the attempts (it failed on an idle one).
    still = timezone.now()
    monkeypatch.setattr("madoguchi.accounts.backends.timezone.now", lambda: still)
    own_pc = "192.168.10.21"
    assert login_from(client, own_pc).status_code == 302
    client.post("/accounts/logout/")
    for i in range(100):  # an attacker elsewhere, spreading over addresses
        login_from(client, f"10.9.{i // 200}.{i % 200}", password=f"guess{i}")
    clerk.refresh_from_db()
    # The account's delay slowed the attacker down (most guesses never reached the
    # password check), and nothing locked the account itself.
    assert 5 <= clerk.failed_logins < 100 and not clerk.is_locked
    r = login_from(client, own_pc)
    assert r.status_code == 302, r.content.decode()[:500]
    # A machine the account never used waits the account's capped delay instead.
    client.post("/accounts/logout/")
    assert is_locked_page(login_from(client, "10.77.0.1"))


def test_account_delay_grows_and_is_capped(settings):
    from madoguchi.accounts.backends import account_delay

    settings.MADOGUCHI_LOCKOUT_FAILURES = 5
    settings.MADOGUCHI_LOGIN_DELAY_CAP = 30
    delays = [account_delay(n) for n in range(4, 12)]
    assert delays == [0, 1, 2, 4, 8, 16, 30, 30]


def test_one_address_trying_many_accounts_is_throttled(client, staff_factory, settings):
    settings.MADOGUCHI_ADDRESS_FAILURES = 10
    victim = staff_factory("clerk9", "clerk")
    pages = [
        login_from(client, "10.0.0.66", username=f"user{i}", password="guess") for i in range(12)
    ]
    assert not any(is_locked_page(p) for p in pages[:10])
    assert all(is_locked_page(p) for p in pages[10:])
    # Even a right password from that address is refused now; elsewhere it works.
    assert is_locked_page(login_from(client, "10.0.0.66", username=victim.username))
    assert login_from(client, "10.0.0.67", username=victim.username).status_code == 302


def test_authentication_events_are_in_the_audit_chain(
    client, clerk, settings, django_capture_on_commit_callbacks
):
    from madoguchi.audit.models import AuditRecord
    from madoguchi.audit.services import verify

    settings.MADOGUCHI_LOCKOUT_FAILURES = 2
    settings.MADOGUCHI_LOGIN_DELAY_CAP = 0  # no account delay in this test
    with django_capture_on_commit_callbacks(execute=True):
        login_from(client, "10.1.1.1", password="wrong")
        login_from(client, "10.1.1.1", password="wrong")  # locks the pair
        login_from(client, "10.1.1.1")  # refused while locked
        login_from(client, "10.1.1.2", username="nobody", password="pw")
        login_from(client, "10.1.1.3")
        client.post("/accounts/logout/")
    rows = list(
        AuditRecord.objects.order_by("seq").values_list("action", "actor_username", "query")
    )
    actions = [a for a, _, _ in rows if a.startswith("auth.")]
    assert actions == [
        "auth.login.failed",
        "auth.login.failed",
        "auth.lockout",
        "auth.login.throttled",
        "auth.login.failed",
        "auth.login",
        "auth.logout",
    ]
    unknown = [q for a, u, q in rows if a == "auth.login.failed" and u == "system"]
    assert unknown == ["unknown-user addr=10.1.1.2"]  # the typed name is not stored
    assert verify().ok


def test_idle_session_settings():
    assert django_settings.SESSION_COOKIE_AGE == int(
        os.environ.get("MADOGUCHI_IDLE_SECONDS", "1800")
    )
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False  # activity renews (middleware)
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


MANAGER_PAGES = [
    "/analytics/",
    "/analytics/export/clerks.csv",
    "/analytics/export/counters.csv",
    "/analytics/report/",
    "/analytics/staffing/?arrivals=30&service=10",
]


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_manager_pages_forbidden_for_clerks_open_to_managers(client, clerk, staff_factory, url):
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    client.force_login(staff_factory("dept1", "department", "child", may_see_protected=True))
    assert client.get(url).status_code == 403  # seeing protected persons is not managing
    client.force_login(staff_factory("boss", "manager", "citizen"))
    assert client.get(url).status_code == 200
    assert client.get("/audit/").status_code == 403  # managers are not administrators


def test_admin_only_pages_open_to_admins(admin_client):
    assert admin_client.get("/audit/").status_code == 200
    assert admin_client.get("/api/audit/records").status_code == 200
