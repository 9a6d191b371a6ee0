"""Fixtures of the counter tests: the households they find in the register (built by
``residents.py``) and the pending move-in family."""

import pytest

from . import residents


@pytest.fixture
def household(db):
    """A family of four living in the city, plus a single person in another household."""
    return residents.family_of_four()


@pytest.fixture
def families(db):
    """The 北見 parents with their son 健太, and 美幌 彩 living alone (residents.families)."""
    residents.families()


@pytest.fixture
def couple(db):
    """The parents of the birth example in the register: (head, wife)."""
    return residents.couple()


@pytest.fixture
def pending_family(db):
    """The demo move-in family of four as pending 転出証明書情報 (register generator)."""
    from madoguchi.register.generator import DEMO_MOVE_IN_FAMILY, generate_pending

    generate_pending(1, seed=1)
    return DEMO_MOVE_IN_FAMILY
