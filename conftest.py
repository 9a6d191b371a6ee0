"""Shared test fixtures. The suite runs on SQLite by default and on PostgreSQL when
``DATABASE_URL`` points at one (``.ci/run`` does both)."""

import os
import shutil
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parent
# The project's own test data: nothing is read from outside the repository.
EXAMPLES_DIR = REPO / "madoguchi" / "rules" / "examples"
MADO_SAMPLE_CSV = REPO / "madoguchi" / "register" / "samples" / "mado-sample" / "resident_table.csv"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file, not Django's shared-cache in-memory default.
    In shared-cache mode SQLite locks per table and answers a second connection with
    SQLITE_LOCKED ("database table is locked") at once, whatever the busy timeout; the
    browser tests' live server answers from threads of its own, and on a loaded machine a
    poll met a write that way. A file in WAL mode waits (the configured timeout) instead."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        if not db.get("TEST", {}).get("NAME"):
            folder = tmp_path_factory.mktemp("sqlite-test-db")
            db.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session")
def _anchor_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit-anchor")


_anchor_count = iter(range(10**9))


@pytest.fixture(autouse=True)
def _audit_anchor_per_test(_anchor_dir):
    """Each test gets its own audit anchor file (the test database starts empty each
    time, so checkpoints of an earlier test would name rows that are gone)."""
    from django.conf import settings

    before = settings.MADOGUCHI_AUDIT_ANCHOR
    settings.MADOGUCHI_AUDIT_ANCHOR = str(_anchor_dir / f"anchor-{next(_anchor_count)}.jsonl")
    yield
    settings.MADOGUCHI_AUDIT_ANCHOR = before


@pytest.fixture(autouse=True)
def _notified_on_the_event_day():
    """The suite's scenarios are dated (the demo move-in family on 2027-03-29, a birth on
    2027-06-12 …): each visit is notified on its own 異動日 (``core/clock.py``), so the
    checks of the flow (counter/safety.py) judge the scenario, not the day the suite
    runs. Tests of those checks pin a date of their own (the ``settings`` fixture)."""
    from django.conf import settings

    before = settings.MADOGUCHI_BUSINESS_DATE
    settings.MADOGUCHI_BUSINESS_DATE = "event"
    yield
    settings.MADOGUCHI_BUSINESS_DATE = before


@pytest.fixture(autouse=True)
def _catalog_versions_per_test(tmp_path_factory):
    """Each test looks for the published catalog afresh (its database starts empty), and
    published versions are written to a temporary folder, not the repository's data."""
    from django.conf import settings

    from madoguchi.catalog import versions

    if not getattr(settings, "MADOGUCHI_CATALOG_CACHE_DIR", ""):
        settings.MADOGUCHI_CATALOG_CACHE_DIR = str(tmp_path_factory.mktemp("catalog-versions"))
    versions.forget()
    yield


@pytest.fixture
def staff_factory(db):
    from madoguchi.accounts.models import Staff

    def make(username="clerk1", role="clerk", department="", password="pw-Test-12345", **kw):
        user = Staff.objects.create_user(
            username=username, password=password, role=role, department=department, **kw
        )
        return user

    return make


@pytest.fixture
def clerk(staff_factory):
    return staff_factory("clerk1", "clerk", "citizen")


@pytest.fixture
def admin_user(staff_factory):
    return staff_factory("admin1", "admin", "citizen", may_see_protected=True)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# Browser tests: Playwright's sync API driving Debian's chromium (installed by .ci/run).
# One browser for the whole run: two sync_playwright() instances in one process clash.
# (CHROMIUM and CHROMIUM_ARGS: bench/browser.py, shared with bench/counter_inputs.py)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; live_server's ORM calls are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
