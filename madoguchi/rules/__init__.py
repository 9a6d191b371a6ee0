"""Rule evaluation: ``determine(situation, catalog)`` and its helpers.

Importing this package needs neither a database nor ``django.setup()``.
"""

from . import ages
from .engine import determine, determine_visit
from .situation import SituationError, validate


def needed_facts(situation, catalog, known=None):
    """The interview questions still relevant (see :mod:`madoguchi.rules.interview`)."""
    from .interview import needed_facts as _needed

    return _needed(situation, catalog, known)


__all__ = ["SituationError", "ages", "determine", "determine_visit", "needed_facts", "validate"]
