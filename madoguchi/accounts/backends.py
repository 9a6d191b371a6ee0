"""Authentication with throttling that an attacker cannot turn against a clerk.

* (account, client address): after ``MADOGUCHI_LOCKOUT_FAILURES`` failures within
  ``MADOGUCHI_LOCKOUT_SECONDS`` the pair is locked for that window. 100 failures from
  other machines do not lock the clerk out at their own PC.
* the account alone: after the same number of failures from anywhere, each further
  attempt waits a delay that doubles per failure, capped at ``MADOGUCHI_LOGIN_DELAY_CAP``
  seconds — except from an address where this account has logged in successfully
  before (the clerk's own PC; failures there lock that pair as above).
* the client address alone: more than ``MADOGUCHI_ADDRESS_FAILURES`` failures within the
  window, over any accounts, throttle that address (one machine guessing many accounts).
* an administrator's lock (``Staff.locked_until``, set in the staff admin) refuses all.

Unknown usernames are treated exactly like known ones (same rows, same message), and
every failure, throttled attempt and lockout is an audit record (``auth.*``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from madoguchi.audit.services import record

from .models import LoginThrottle


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, which `madoguchi serve` sets from the trusted
    proxy's X-Forwarded-For when MADOGUCHI_TRUSTED_PROXY is configured (docs/deploy.md),
    from the socket otherwise."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def _row(username: str, address: str) -> LoginThrottle:
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=username, address=address
    )
    return row


def account_delay(failures: int) -> float:
    """Seconds an account waits between attempts after ``failures`` failures."""
    free = settings.MADOGUCHI_LOCKOUT_FAILURES
    if failures < free:
        return 0.0
    return float(min(settings.MADOGUCHI_LOGIN_DELAY_CAP, 2 ** (failures - free)))


class LockoutBackend(ModelBackend):
    def user_can_authenticate(self, user):
        # An expired account (account_expires in the past) is as good as inactive.
        return super().user_can_authenticate(user) and not getattr(user, "is_expired", False)

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        username = username[:150]
        address = client_address(request)
        User = get_user_model()
        now = timezone.now()
        window = timedelta(seconds=settings.MADOGUCHI_LOCKOUT_SECONDS)
        with transaction.atomic():
            pair = _row(username, address)
            account = _row(username, "")
            user = User.objects.select_for_update().filter(username=username).first()
            refused = self._refusal(pair, account, user, address, now, window)
            if refused:
                if request is not None:
                    request.madoguchi_locked = True
                record(user, "auth.login.throttled", query=self._describe(user, address, refused))
                return None
            if user is not None and not user.has_usable_password():
                # A directory account (docs/staff.md): the directory checks its password
                # and applies its own lockout; the next backend (LDAP) answers.
                return None
            if user is None:
                User().set_password(password)  # same cost as a real check
                ok = False
            else:
                ok = user.check_password(password) and self.user_can_authenticate(user)
            if ok:
                # The account's counter is kept until its window passes: failures from
                # elsewhere keep slowing other machines down after the clerk logs in.
                pair.failures, pair.locked_until, pair.last_success = 0, None, now
                pair.save()
                return user
            for row in (pair, account):
                if row.last_failure is None or now - row.last_failure > window:
                    row.failures = 0
                row.failures += 1
                row.last_failure = now
            locked = pair.failures >= settings.MADOGUCHI_LOCKOUT_FAILURES
            if locked:
                pair.locked_until = now + window
                if request is not None:
                    request.madoguchi_locked = True
            pair.save()
            account.save()
            if user is not None:
                user.failed_logins = account.failures
                user.last_failed_login = now
                user.save(update_fields=["failed_logins", "last_failed_login"])
            record(user, "auth.login.failed", query=self._describe(user, address))
            if locked:
                record(user, "auth.lockout", query=self._describe(user, address, "pair"))
            return None

    @staticmethod
    def _refusal(pair, account, user, address, now, window) -> str:
        if user is not None and user.is_locked:
            return "admin"
        if pair.locked_until and pair.locked_until > now:
            return "pair"
        recent = (
            LoginThrottle.objects.filter(address=address, last_failure__gte=now - window)
            .exclude(address="")
            .aggregate(n=Sum("failures"))["n"]
            or 0
        )
        if address and recent >= settings.MADOGUCHI_ADDRESS_FAILURES:
            return "address"
        own_pc = pair.last_success is not None  # its own failures lock the pair instead
        delay = account_delay(account.failures)
        if (
            delay
            and not own_pc
            and account.last_failure
            and now < account.last_failure + timedelta(seconds=delay)
        ):
            return "delay"
        return ""

    @staticmethod
    def _describe(user, address: str, why: str = "") -> str:
        # An unknown username is not written: people type passwords into that field.
        who = "" if user is not None else "unknown-user "
        return f"{who}addr={address}" + (f" {why}" if why else "")
