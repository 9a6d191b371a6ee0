"""Single sign-on with the city's OpenID Connect provider (mozilla-django-oidc).

Enabled when ``MADOGUCHI_OIDC_CLIENT_ID`` is set (docs/staff.md, "Single sign-on
(OIDC)"); ``pip install 'madoguchi[oidc]'``. The provider decides who may log in and with
which rights, as the LDAP directory does (``accounts/directory.py``): the names in the
groups claim (``MADOGUCHI_OIDC_GROUPS_CLAIM``, default ``groups``) are mapped by a YAML
file (``MADOGUCHI_OIDC_GROUPS``, the LDAP file's format with group names instead of DNs)
to madoguchi's role, the catalog's department and the 支援措置 permission:

    roles:
      admin: madoguchi-admins
      clerk: madoguchi-clerks
    departments:
      citizen: shimin-ka
    protected: shienshochi-etsuran

The account is the claim ``MADOGUCHI_OIDC_USERNAME_CLAIM`` (default
``preferred_username``). A user in none of the role groups is refused (nothing saved);
the mapping is applied at every login; accounts made by the provider have no local
password; a local deactivation, expiry or lock still refuses.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from .directory import apply_groups
from .models import Staff

try:  # optional dependency: pip install 'madoguchi[oidc]'
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend
except ImportError:  # pragma: no cover - only without the extra
    OIDCAuthenticationBackend = object

SETTING = "MADOGUCHI_OIDC_GROUPS"
log = logging.getLogger("madoguchi.accounts.oidc")


def _username(claims) -> str:
    return str(claims.get(settings.MADOGUCHI_OIDC_USERNAME_CLAIM) or "").strip()


def _groups(claims) -> list[str]:
    value = claims.get(settings.MADOGUCHI_OIDC_GROUPS_CLAIM) or []
    return [value] if isinstance(value, str) else [str(g) for g in value]


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc with madoguchi's rules (see the module text)."""

    def authenticate(self, request, **kwargs):
        import requests

        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            # A code the provider did not issue (or already used), or the provider down:
            # a refused login, not an error page. The type only (a body may quote data).
            log.warning("oidc: sign-on refused (%s)", type(exc).__name__)
            return None

    def verify_claims(self, claims) -> bool:
        # No account name, or in no role group: refused (mozilla-django-oidc then
        # returns no user, and the login page says the sign-on failed).
        if not _username(claims):
            return False
        probe = Staff(username=_username(claims))
        return apply_groups(probe, _groups(claims), SETTING)

    def filter_users_by_claims(self, claims):
        return Staff.objects.filter(username=_username(claims))

    def _apply(self, user, claims):
        apply_groups(user, _groups(claims), SETTING)
        user.last_name = str(claims.get("family_name") or user.last_name or "")[:150]
        user.first_name = str(claims.get("given_name") or user.first_name or "")[:150]
        user.email = str(claims.get("email") or user.email or "")[:254]
        return user

    def create_user(self, claims):
        user = self._apply(Staff(username=_username(claims)), claims)
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user, claims):
        if not self._may_log_in(user):
            return None
        self._apply(user, claims)
        user.save()
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self._may_log_in(user) else None

    @staticmethod
    def _may_log_in(user) -> bool:
        return user.is_active and not user.is_expired and not user.is_locked


def urlpatterns():
    """/oidc/authenticate/ (to the provider) and /oidc/callback/ (back), open without a
    login (they are how one logs in)."""
    import mozilla_django_oidc.urls as oidc_urls

    open_patterns = [
        path(p.pattern._route, login_not_required(p.callback), name=p.name)
        for p in oidc_urls.urlpatterns
        if p.name != "oidc_logout"
    ]
    return [path("oidc/", include(open_patterns))]
