"""Fixtures of the certificate tests (the city itself is in ``madoguchi.certificates.samples``, shared with
the browser tests)."""

import pytest

from madoguchi.certificates.samples import make_city


@pytest.fixture
def city(db):
    return make_city()


@pytest.fixture
def protected_clerk(staff_factory):
    return staff_factory("chief", "clerk", "citizen", may_see_protected=True)
