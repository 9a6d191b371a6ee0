"""Sign-on with the city's directory (LDAP / Active Directory) through django-auth-ldap.

Enabled when ``MADOGUCHI_LDAP_URI`` is set (docs/staff.md, "Directory sign-on"). The
directory decides who may log in and with which rights; a YAML file
(``MADOGUCHI_LDAP_GROUPS``) maps its groups to madoguchi's roles, the catalog's
departments and the 支援措置 permission:

    roles:                 # the first group the user belongs to, in this order, wins
      admin: cn=madoguchi-admins,ou=groups,dc=city,dc=local
      manager: cn=madoguchi-managers,ou=groups,dc=city,dc=local
      department: cn=madoguchi-departments,ou=groups,dc=city,dc=local
      clerk: cn=madoguchi-clerks,ou=groups,dc=city,dc=local
    departments:           # catalog department id: group
      citizen: cn=shimin-ka,ou=groups,dc=city,dc=local
      child: cn=kosodate-ka,ou=groups,dc=city,dc=local
    protected: cn=shienshochi-etsuran,ou=groups,dc=city,dc=local

A member of none of the role groups cannot log in. The mapping is applied at every
login, so a change in the directory (a transfer, a revoked 支援措置 permission) takes
effect at the next login. Accounts made by the directory have no local password.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Role

try:  # optional dependency: pip install 'madoguchi[ldap]'
    from django_auth_ldap.backend import LDAPBackend, populate_user
except ImportError:  # pragma: no cover - only without the extra
    LDAPBackend, populate_user = object, None


@cache
def group_map(setting: str = "MADOGUCHI_LDAP_GROUPS") -> dict:
    """The mapping file named by ``setting`` (LDAP: group DNs; OIDC: the names in the
    groups claim, ``accounts/oidc.py``), checked against the roles and the catalog."""
    path = getattr(settings, setting, "")
    if not path:
        raise ImproperlyConfigured(f"{setting}: the group mapping file is not set")
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    roles = data.get("roles") or {}
    unknown = set(roles) - set(Role.values)
    if unknown or not roles:
        raise ImproperlyConfigured(
            f"{path}: roles must map some of {', '.join(Role.values)} to groups"
            + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else "")
        )
    from madoguchi.catalog.loader import current_catalog

    known = set(current_catalog().departments)
    departments = data.get("departments") or {}
    bad = set(departments) - known
    if bad:
        raise ImproperlyConfigured(
            f"{path}: departments {', '.join(sorted(bad))} are not in the catalog"
        )
    order = [r for r in (Role.ADMIN, Role.MANAGER, Role.DEPARTMENT, Role.CLERK) if r in roles]
    return {
        "roles": [(role, roles[role].lower()) for role in order],
        "departments": [(d, dn.lower()) for d, dn in departments.items()],
        "protected": (data.get("protected") or "").lower(),
    }


def apply_groups(user, group_dns, setting: str = "MADOGUCHI_LDAP_GROUPS") -> bool:
    """Set role, department and 支援措置 access from the groups; False: no role group."""
    mapping = group_map(setting)
    groups = {g.lower() for g in group_dns}
    role = next((r for r, dn in mapping["roles"] if dn in groups), None)
    if role is None:
        return False
    user.role = role
    user.is_staff = role == Role.ADMIN
    user.department = next((d for d, dn in mapping["departments"] if dn in groups), "")
    user.may_see_protected = bool(mapping["protected"]) and mapping["protected"] in groups
    return True


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap with madoguchi's rules: the group mapping, no login without a
    role group, and the local account's own state (deactivated, expired, locked)."""

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or not self._may_log_in(user):
            return None
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self._may_log_in(user) else None

    @staticmethod
    def _may_log_in(user) -> bool:
        return user.is_active and not user.is_expired and not user.is_locked


def _on_populate(sender, user=None, ldap_user=None, **kwargs):
    if not apply_groups(user, ldap_user.group_dns):
        # Not in any role group: a refused login (django-auth-ldap's own failure), and
        # nothing is saved.
        raise ldap_user.AuthenticationFailed("not a member of any madoguchi role group")


if populate_user is not None:
    populate_user.connect(_on_populate, dispatch_uid="madoguchi-directory-groups")
