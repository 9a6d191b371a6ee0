"""Sign-on with the city's directory: a real OpenLDAP slapd (Debian's package) started
here on a loopback port with a throw-away configuration, django-auth-ldap through
madoguchi's DirectoryBackend, the group mapping file of docs/staff.md.

Skipped, saying why, where slapd or django-auth-ldap is missing (.ci/run installs both
and runs this file as its own short step).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_production import free_port  # tests/ is on sys.path (rootdir)

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)
ldap = pytest.importorskip("ldap", reason="python-ldap is not installed: pip install '.[ldap]'")
pytest.importorskip("django_auth_ldap", reason="django-auth-ldap is not installed")
pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(not SLAPD, reason="slapd is not installed here (.ci/run installs it)"),
]

BASE = "dc=city,dc=local"
ADMIN_DN, ADMIN_PW = f"cn=admin,{BASE}", "Slapd-Test-Admin-1"
GROUPS = f"ou=groups,{BASE}"
PASSWORDS = {
    "sato": "Sato-Dir-Pass-2027",
    "suzuki": "Suzuki-Dir-Pass-2027",
    "yamada": "Yamada-Dir-27",
}

GROUP_MAP = f"""
roles:
  admin: cn=madoguchi-admins,{GROUPS}
  department: cn=madoguchi-departments,{GROUPS}
  clerk: cn=madoguchi-clerks,{GROUPS}
departments:
  citizen: cn=shimin-ka,{GROUPS}
  child: cn=kosodate-ka,{GROUPS}
protected: cn=shienshochi-etsuran,{GROUPS}
"""


def person(uid):
    return f"uid={uid},ou=people,{BASE}"


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slapd")
    (tmp / "db").mkdir()
    conf = tmp / "slapd.conf"
    conf.write_text(
        f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {tmp}/slapd.pid
database mdb
maxsize 10485760
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PW}
directory {tmp}/db
""",
        encoding="utf-8",
    )
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}/"
    proc = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", uri, "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    conn = None
    deadline = time.monotonic() + 30
    while conn is None:
        assert proc.poll() is None, proc.stderr.read().decode()
        try:
            conn = ldap.initialize(uri)
            conn.simple_bind_s(ADMIN_DN, ADMIN_PW)
        except ldap.SERVER_DOWN:
            conn = None
            assert time.monotonic() < deadline, "slapd did not answer"
            time.sleep(0.1)

    def add(dn, **attrs):
        conn.add_s(dn, [(k, [v.encode() for v in vs]) for k, vs in attrs.items()])

    add(BASE, objectClass=["dcObject", "organization"], dc=["city"], o=["Demo City"])
    add(f"ou=people,{BASE}", objectClass=["organizationalUnit"], ou=["people"])
    add(GROUPS, objectClass=["organizationalUnit"], ou=["groups"])
    for uid, sn, given in (
        ("sato", "佐藤", "一郎"),
        ("suzuki", "鈴木", "花子"),
        ("yamada", "山田", "三郎"),
    ):
        add(person(uid), objectClass=["inetOrgPerson"], uid=[uid], sn=[sn], givenName=[given],
            cn=[f"{sn} {given}"], mail=[f"{uid}@city.local"], userPassword=[PASSWORDS[uid]])  # fmt: skip
    members = {
        "madoguchi-admins": [ADMIN_DN],
        "madoguchi-clerks": [person("sato")],
        "madoguchi-departments": [person("suzuki")],
        "shimin-ka": [person("sato")],
        "kosodate-ka": [person("suzuki")],
        "shienshochi-etsuran": [person("suzuki")],
        "somebody-else": [person("yamada")],
    }
    for cn, dns in members.items():
        add(f"cn={cn},{GROUPS}", objectClass=["groupOfNames"], cn=[cn], member=dns)
    mapping = tmp / "groups.yaml"
    mapping.write_text(GROUP_MAP, encoding="utf-8")
    try:
        yield {"uri": uri, "conn": conn, "mapping": str(mapping)}
    finally:
        conn.unbind_s()
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def ldap_settings(settings, directory):
    """The settings madoguchi.settings builds from MADOGUCHI_LDAP_* (docs/staff.md)."""
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    from madoguchi.accounts import directory as backend

    settings.AUTHENTICATION_BACKENDS = [
        "madoguchi.accounts.backends.LockoutBackend",
        "madoguchi.accounts.directory.DirectoryBackend",
    ]
    settings.MADOGUCHI_LDAP_GROUPS = directory["mapping"]
    settings.AUTH_LDAP_SERVER_URI = directory["uri"]
    settings.AUTH_LDAP_BIND_DN = ADMIN_DN
    settings.AUTH_LDAP_BIND_PASSWORD = ADMIN_PW
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(
        f"ou=people,{BASE}", ldap.SCOPE_SUBTREE, "(uid=%(user)s)"
    )
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        GROUPS, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
    )
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    settings.AUTH_LDAP_USER_ATTR_MAP = {
        "first_name": "givenName",
        "last_name": "sn",
        "email": "mail",
    }
    settings.AUTH_LDAP_ALWAYS_UPDATE_USER = True
    settings.AUTH_LDAP_CACHE_TIMEOUT = 0
    backend.group_map.cache_clear()
    yield
    backend.group_map.cache_clear()


def login(client, username, password=None):
    password = PASSWORDS.get(username, "") if password is None else password
    r = client.post("/accounts/login/", {"username": username, "password": password})
    return r.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_directory_groups_make_role_department_and_protected_access(client, ldap_settings):
    from madoguchi.accounts.models import Staff

    assert login(client, "sato")
    sato = Staff.objects.get(username="sato")
    assert (sato.role, sato.department, sato.may_see_protected) == ("clerk", "citizen", False)
    assert (sato.last_name, sato.first_name) == ("佐藤", "一郎")
    assert not sato.has_usable_password()  # no local password for a directory account
    assert client.get("/register/").status_code == 200
    client.logout()

    assert login(client, "suzuki")
    suzuki = Staff.objects.get(username="suzuki")
    assert (suzuki.role, suzuki.department, suzuki.may_see_protected) == (
        "department",
        "child",
        True,
    )


@pytest.mark.django_db
def test_refused_without_a_role_group_or_with_a_wrong_password(client, ldap_settings):
    from madoguchi.accounts.models import Staff

    assert not login(client, "yamada")  # in the directory, but in no madoguchi group
    assert not Staff.objects.filter(username="yamada").exists()
    assert not login(client, "sato", "Wrong-Password-123")
    assert not login(client, "nobody", "Whatever-Pass-123")


@pytest.mark.django_db
def test_a_change_in_the_directory_applies_at_the_next_login(client, ldap_settings, directory):
    from madoguchi.accounts.models import Staff

    conn = directory["conn"]
    assert login(client, "suzuki")
    client.logout()
    # 支援措置 access revoked, transferred from 子育て支援課 to 市民課.
    suzuki_dn, admin_dn = person("suzuki").encode(), ADMIN_DN.encode()

    def members(cn, dns):
        conn.modify_s(f"cn={cn},{GROUPS}", [(ldap.MOD_REPLACE, "member", dns)])

    members("shienshochi-etsuran", [admin_dn])
    members("kosodate-ka", [admin_dn])
    members("shimin-ka", [person("sato").encode(), suzuki_dn])
    try:
        assert login(client, "suzuki")
        suzuki = Staff.objects.get(username="suzuki")
        assert (suzuki.department, suzuki.may_see_protected) == ("citizen", False)
    finally:
        members("shienshochi-etsuran", [suzuki_dn])
        members("kosodate-ka", [suzuki_dn])
        members("shimin-ka", [person("sato").encode()])


@pytest.mark.django_db
def test_local_deactivation_and_expiry_still_refuse(client, ldap_settings):
    import datetime as dt

    from madoguchi.accounts.models import Staff

    assert login(client, "sato")
    client.logout()
    Staff.objects.filter(username="sato").update(is_active=False)
    assert not login(client, "sato")
    Staff.objects.filter(username="sato").update(
        is_active=True, account_expires=dt.date.today() - dt.timedelta(days=2)
    )
    assert not login(client, "sato")
