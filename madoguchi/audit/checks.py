"""Deployment check: production needs its own audit key (docs/audit.md)."""

from django.conf import settings
from django.core import checks

from .anchor import DEMO_KEY


@checks.register(checks.Tags.security, deploy=True)
def audit_key_check(app_configs, **kwargs):
    key = getattr(settings, "MADOGUCHI_AUDIT_KEY", "")
    if not key or key == DEMO_KEY or len(key) < 32:
        return [
            checks.Error(
                "MADOGUCHI_AUDIT_KEY is unset, the demo key or shorter than 32 characters: "
                "the audit chain can then be rewritten by anyone with database access.",
                hint="Set MADOGUCHI_AUDIT_KEY to a random secret kept outside the database "
                "(docs/audit.md).",
                id="madoguchi.E001",
            )
        ]
    return []
