"""Audit of authentication and staff changes, in the same hash chain as every read.

Logins and logouts come from Django's signals; failures, throttled attempts and lockouts
are recorded by the backend. Changes to a member of staff (created, role, department,
支援措置 permission, active, superuser, administrative lock, expiry, forced password
change, password) are recorded
whatever path saved them (admin, `staff import`, shell); granting or revoking the
支援措置 permission is flagged. The actor is the administrator when the admin set
``instance._audit_actor``; otherwise the system.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from madoguchi.audit.services import record

from .backends import client_address
from .models import Staff

TRACKED = (
    "role",
    "department",
    "may_see_protected",
    "is_active",
    "is_superuser",
    "is_staff",
    "locked_until",
    "account_expires",
    "must_change_password",
)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(user, "auth.login", query=f"addr={client_address(request)}")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, "auth.logout", query=f"addr={client_address(request)}")


@receiver(pre_save, sender=Staff)
def _remember_before(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None:
        instance._audit_before = None
        return
    fields = [*TRACKED, "password"]
    if update_fields is not None and not set(update_fields) & set(fields):
        instance._audit_before = "skip"  # e.g. last_login, failure counters
        return
    instance._audit_before = Staff.objects.filter(pk=instance.pk).values(*fields).first()


@receiver(post_save, sender=Staff)
def _record_change(sender, instance, created, **kwargs):
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before == "skip":
        return
    actor = getattr(instance, "_audit_actor", None)
    who = instance.username
    if created or before is None:
        record(
            actor,
            "staff.create",
            query=f"{who} role={instance.role} department={instance.department} "
            f"may_see_protected={instance.may_see_protected}",
            flagged=instance.may_see_protected,
        )
        return
    changes = [
        f"{f}: {before[f]}→{getattr(instance, f)}"
        for f in TRACKED
        if before[f] != getattr(instance, f)
    ]
    if changes:
        record(
            actor,
            "staff.change",
            query=f"{who} " + "; ".join(changes),
            flagged=before["may_see_protected"] != instance.may_see_protected,
        )
    if before["password"] != instance.password:
        record(actor, "staff.password", query=who)
