"""Single sign-on with an OpenID Connect provider: a real provider (django-oauth-toolkit,
tests/oidc_op) run in a second process on a loopback port with its own database and RSA
key, madoguchi as the relying party through mozilla-django-oidc and
madoguchi.accounts.oidc (the code flow: authorize, login at the provider, callback,
token exchange over HTTP, ID token signature against the provider's JWKS, userinfo).

Skipped, saying why, where the packages are missing (the test extras install both).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_production import free_port  # tests/ is on sys.path (rootdir)

requests = pytest.importorskip("requests")
pytest.importorskip("mozilla_django_oidc", reason="pip install '.[oidc]'")
pytest.importorskip("oauth2_provider", reason="django-oauth-toolkit (test extras)")
pytestmark = pytest.mark.production

TESTS = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "madoguchi-test", "client-secret-for-the-test-only-0123456789"
USERS = [
    {"username": "sato", "password": "Sato-Op-Pass-2027", "last_name": "佐藤",
     "first_name": "一郎", "email": "sato@city.local",
     "groups": ["madoguchi-clerks", "shimin-ka"]},
    {"username": "suzuki", "password": "Suzuki-Op-Pass-2027", "last_name": "鈴木",
     "first_name": "花子", "groups": ["madoguchi-departments", "kosodate-ka",
                                       "shienshochi-etsuran"]},
    {"username": "yamada", "password": "Yamada-Op-Pass-2027", "groups": ["somebody-else"]},
]  # fmt: skip
GROUP_MAP = """
roles:
  admin: madoguchi-admins
  department: madoguchi-departments
  clerk: madoguchi-clerks
departments:
  citizen: shimin-ka
  child: kosodate-ka
protected: shienshochi-etsuran
"""


def _env(data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return {**env, "OIDC_OP_DATA": str(data), "DJANGO_SETTINGS_MODULE": "oidc_op.settings",
            "PYTHONPATH": str(TESTS)}  # fmt: skip


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    data = tmp_path_factory.mktemp("oidc-op")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (data / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    spec = {"users": USERS, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "redirect_uri": "http://testserver/oidc/callback/"}  # fmt: skip
    env = _env(data)
    subprocess.run([sys.executable, "-m", "oidc_op.seed", json.dumps(spec)], env=env,
                   check=True, cwd=TESTS)  # fmt: skip
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c",
         f"import waitress, oidc_op.wsgi as w; waitress.serve(w.application, "
         f"host='127.0.0.1', port={port}, threads=4)"],
        env=env, cwd=TESTS, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read().decode()
        try:
            if requests.get(f"{url}/o/.well-known/openid-configuration", timeout=5).ok:
                break
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "the OIDC provider did not answer"
        time.sleep(0.2)
    mapping = data / "groups.yaml"
    mapping.write_text(GROUP_MAP, encoding="utf-8")

    def set_groups(username, groups):
        subprocess.run([sys.executable, "-m", "oidc_op.seed", "groups", username,
                        ",".join(groups)], env=env, check=True, cwd=TESTS)  # fmt: skip

    try:
        yield {"url": url, "mapping": str(mapping), "set_groups": set_groups}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def oidc_settings(settings, provider):
    """The settings madoguchi.settings builds from MADOGUCHI_OIDC_* (docs/staff.md)."""
    from madoguchi.accounts import directory

    url = provider["url"]
    settings.ROOT_URLCONF = "oidc_urls"
    settings.AUTHENTICATION_BACKENDS = [
        "madoguchi.accounts.backends.LockoutBackend",
        "madoguchi.accounts.oidc.OIDCBackend",
    ]
    settings.MADOGUCHI_OIDC_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{url}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{url}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{url}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{url}/o/.well-known/jwks.json"
    settings.LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
    settings.MADOGUCHI_OIDC_GROUPS = provider["mapping"]
    directory.group_map.cache_clear()
    yield
    directory.group_map.cache_clear()


def sso_login(client, provider, username, password=None):
    """The browser's way: madoguchi → the provider's login → back to madoguchi. Returns
    madoguchi's answer to the callback, or None when the provider refused the password
    (no code ever reaches madoguchi)."""
    user = next((u for u in USERS if u["username"] == username), {})
    password = user.get("password", "") if password is None else password
    r = client.get("/oidc/authenticate/?next=/register/")
    assert r.status_code == 302 and r["Location"].startswith(provider["url"])
    authorize = r["Location"]
    op = requests.Session()
    op.get(f"{provider['url']}/login/", timeout=10)
    r = op.post(f"{provider['url']}/login/", timeout=10, allow_redirects=False, data={
        "username": username, "password": password,
        "csrfmiddlewaretoken": op.cookies.get("csrftoken", "")})  # fmt: skip
    if r.status_code != 302:
        return None
    r = op.get(authorize, timeout=10, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    back = urlsplit(r.headers["Location"])
    assert back.netloc == "testserver" and back.path == "/oidc/callback/", back
    return client.get(f"{back.path}?{back.query}")


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_provider_groups_make_role_department_and_protected_access(client, provider, oidc_settings):
    from madoguchi.accounts.models import Staff
    from madoguchi.audit.models import AuditRecord

    page = client.get("/accounts/login/").content.decode()
    assert 'id="sso-login"' in page and "統合認証でログイン" in page
    r = sso_login(client, provider, "sato")
    assert r.status_code == 302 and r["Location"] == "/register/" and logged_in(client)
    sato = Staff.objects.get(username="sato")
    assert (sato.role, sato.department, sato.may_see_protected) == ("clerk", "citizen", False)
    assert (sato.last_name, sato.first_name, sato.email) == ("佐藤", "一郎", "sato@city.local")
    assert not sato.has_usable_password()  # no local password for a provider's account
    assert AuditRecord.objects.filter(action="auth.login", actor_username="sato").exists()
    assert client.get("/register/").status_code == 200
    client.logout()
    sso_login(client, provider, "suzuki")
    suzuki = Staff.objects.get(username="suzuki")
    assert (suzuki.role, suzuki.department, suzuki.may_see_protected) == (
        "department", "child", True)  # fmt: skip


@pytest.mark.django_db
def test_refused_without_a_role_group_or_with_a_wrong_password(client, provider, oidc_settings):
    from madoguchi.accounts.models import Staff

    r = sso_login(client, provider, "yamada")  # at the provider, in no madoguchi group
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?sso=failed"
    assert not logged_in(client) and not Staff.objects.filter(username="yamada").exists()
    page = client.get(r["Location"]).content.decode()
    assert 'id="sso-failed"' in page
    assert sso_login(client, provider, "sato", "Wrong-Password-123") is None
    assert not logged_in(client) and not Staff.objects.filter(username="sato").exists()
    # a forged callback (no code the provider issued) logs nobody in
    client.get("/oidc/authenticate/")
    state = client.session["oidc_states"] and next(iter(client.session["oidc_states"]))
    r = client.get(f"/oidc/callback/?code=forged&state={state}")
    assert r.status_code in (302, 400) and not logged_in(client)


@pytest.mark.django_db
def test_a_change_at_the_provider_applies_at_the_next_login(client, provider, oidc_settings):
    from madoguchi.accounts.models import Staff

    sso_login(client, provider, "suzuki")
    assert logged_in(client)
    client.logout()
    # 支援措置 access revoked, transferred from 子育て支援課 to 市民課
    provider["set_groups"]("suzuki", ["madoguchi-departments", "shimin-ka"])
    try:
        sso_login(client, provider, "suzuki")
        suzuki = Staff.objects.get(username="suzuki")
        assert (suzuki.department, suzuki.may_see_protected) == ("citizen", False)
        client.logout()
        provider["set_groups"]("suzuki", ["kosodate-ka"])  # no role group any more
        r = sso_login(client, provider, "suzuki")
        assert r["Location"] == "/accounts/login/?sso=failed" and not logged_in(client)
    finally:
        provider["set_groups"]("suzuki", USERS[1]["groups"])


@pytest.mark.django_db
def test_local_deactivation_and_expiry_still_refuse(client, provider, oidc_settings):
    import datetime as dt

    from madoguchi.accounts.models import Staff

    sso_login(client, provider, "sato")
    client.logout()
    Staff.objects.filter(username="sato").update(is_active=False)
    sso_login(client, provider, "sato")
    assert not logged_in(client)
    Staff.objects.filter(username="sato").update(
        is_active=True, account_expires=dt.date.today() - dt.timedelta(days=2)
    )
    sso_login(client, provider, "sato")
    assert not logged_in(client)
