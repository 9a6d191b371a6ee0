"""Shared test fixtures. The suite runs on SQLite by default and on PostgreSQL when
``DATABASE_URL`` points at one (``.ci/run`` does both)."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("MADOGUCHI_SHARED_DIR", REPO.parent / "shared"))
EXAMPLES_DIR = SHARED / "domain" / "examples"
MADO_SAMPLE_CSV = SHARED / "fixtures" / "mado-sample" / "resident_table.csv"


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
