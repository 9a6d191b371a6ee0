"""The staff password policy. Django validators, and ``Staff.save`` validates every new
password before storing it, so every door applies it: the admin's forms,
``changepassword``, ``createsuperuser`` (interactive or ``--noinput``, where Django's own
check is skipped), ``create_user``, the password change page, ``staff import``, the demo.

- at least ``MADOGUCHI_PASSWORD_MIN_LENGTH`` characters (12), not only digits;
- not the username, nor containing it, nor too similar to the staff's names;
- not a common password (Django's list of 20,000);
- not one of the last ``MADOGUCHI_PASSWORD_HISTORY`` passwords of the same account (5).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotUsernameValidator:
    """The password neither is nor contains the username (case-insensitive)."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError(
                _("パスワードにユーザー名を含めることはできません。"), code="password_has_username"
            )

    def get_help_text(self):
        return _("ユーザー名を含まないこと。")


class PasswordHistoryValidator:
    """Not one of the account's last N passwords (their hashes are kept, nothing else)."""

    def __init__(self, keep: int | None = None):
        self.keep = keep

    @property
    def count(self) -> int:
        return self.keep or getattr(settings, "MADOGUCHI_PASSWORD_HISTORY", 5)

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from .models import PasswordHistory

        previous = PasswordHistory.objects.filter(staff_id=user.pk).order_by("-pk")
        encoded = [h.password for h in previous[: self.count]]
        if any(check_password(password, e) for e in encoded):
            raise ValidationError(
                _("最近使ったパスワード（直近%(n)d回）は使えません。") % {"n": self.count},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        """Called by Django after every save of a new password (User.save)."""
        if user is None or not getattr(user, "pk", None):
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(staff_id=user.pk, password=user.password)
        old = PasswordHistory.objects.filter(staff_id=user.pk).order_by("-pk")[self.count :]
        PasswordHistory.objects.filter(pk__in=[h.pk for h in old]).delete()

    def get_help_text(self):
        return _("最近使ったパスワード（直近%(n)d回）ではないこと。") % {"n": self.count}
