"""What production refuses: the public demo key, a short key, a wildcard host, DEBUG,
a pinned business date.

One list of problems (:func:`production_problems`) serves two doors: ``check --deploy``
reports each as an error (so it exits non-zero), and ``madoguchi serve`` refuses to
start in production (``MADOGUCHI_SECURE=1`` or ``MADOGUCHI_MODE`` other than ``demo``).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

MIN_SECRET_LENGTH = 50
MIN_SECRET_UNIQUE = 5


def production_problems() -> list[tuple[str, str]]:
    """(check id, message) for every setting that must not reach production."""
    from madoguchi import settings as defaults

    problems = []
    key = settings.SECRET_KEY or ""
    if key == defaults._DEMO_SECRET:
        problems.append(("madoguchi.E101", "SECRET_KEY is the public demo key: set a new one."))
    elif len(key) < MIN_SECRET_LENGTH or len(set(key)) < MIN_SECRET_UNIQUE:
        problems.append(
            (
                "madoguchi.E102",
                f"SECRET_KEY is too short: at least {MIN_SECRET_LENGTH} characters "
                f"with {MIN_SECRET_UNIQUE} different ones.",
            )
        )
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if not hosts or any(h == "*" for h in hosts):
        problems.append(
            ("madoguchi.E103", "ALLOWED_HOSTS must name the server's host names (no '*').")
        )
    if settings.DEBUG:
        problems.append(("madoguchi.E104", "DEBUG is on (MADOGUCHI_DEBUG=1): turn it off."))
    if not getattr(settings, "MADOGUCHI_SECURE", False):
        problems.append(
            ("madoguchi.E105", "MADOGUCHI_SECURE is not 1: production runs behind HTTPS.")
        )
    if (getattr(settings, "MADOGUCHI_BUSINESS_DATE", "") or "").strip():
        problems.append(
            (
                "madoguchi.E106",
                "MADOGUCHI_BUSINESS_DATE pins the notification date (training and tests "
                "only): unset it.",
            )
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs):
    return [checks.Error(msg, id=cid) for cid, msg in production_problems()]
