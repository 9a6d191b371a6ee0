"""Authentication with lockout: repeated failures lock the account for a while."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone


class AccountLocked(Exception):
    pass


class LockoutBackend(ModelBackend):
    def user_can_authenticate(self, user):
        # An expired account (account_expires in the past) is as good as inactive.
        return super().user_can_authenticate(user) and not getattr(user, "is_expired", False)

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None:
                User().set_password(password)  # same cost as a real check
                return None
            now = timezone.now()
            if user.is_locked:
                if request is not None:
                    request.madoguchi_locked = True
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                if user.failed_logins or user.locked_until:
                    user.failed_logins = 0
                    user.locked_until = None
                    user.save(update_fields=["failed_logins", "locked_until"])
                return user
            window = timedelta(seconds=settings.MADOGUCHI_LOCKOUT_SECONDS)
            if user.last_failed_login is None or now - user.last_failed_login > window:
                user.failed_logins = 0
            user.failed_logins += 1
            user.last_failed_login = now
            if user.failed_logins >= settings.MADOGUCHI_LOCKOUT_FAILURES:
                user.locked_until = now + window
                if request is not None:
                    request.madoguchi_locked = True
            user.save(update_fields=["failed_logins", "last_failed_login", "locked_until"])
            return None
