from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("窓口職員")
    DEPARTMENT = "department", _("業務所管課職員")
    MANAGER = "manager", _("管理職")
    ADMIN = "admin", _("システム管理者")


class StaffManager(UserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        user = super()._create_user_object(username, email, password, **extra_fields)
        if password is not None:
            user._password = password  # validated (and kept in the history) by save()
        return user


class Staff(AbstractUser):
    """A member of staff. Departments are catalog ids (``citizen``, ``child`` …)."""

    role = models.CharField(_("役割"), max_length=16, choices=Role.choices, default=Role.CLERK)
    department = models.CharField(
        _("所属課"),
        max_length=32,
        blank=True,
        help_text=_("カタログの課ID（例: citizen, insurance, child）"),
    )
    may_see_protected = models.BooleanField(
        _("支援措置対象者の閲覧可"),
        default=False,
        help_text=_("DV等支援措置の対象者を検索結果・詳細に表示できる"),
    )
    account_expires = models.DateField(
        _("アカウントの有効期限"),
        null=True,
        blank=True,
        help_text=_("この日を過ぎるとログインできない（任期付職員・異動予定者）"),
    )
    must_change_password = models.BooleanField(
        _("次回ログイン時にパスワード変更"),
        default=False,
        help_text=_("初期パスワードや管理者が設定したパスワードは、最初のログインで変えてもらう"),
    )
    failed_logins = models.PositiveIntegerField(default=0)
    last_failed_login = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = StaffManager()

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")

    def save(self, *args, **kwargs):
        # The password policy holds on every path that sets a password (forms, commands,
        # staff import, code): a new password is validated before it is stored.
        if self._password is not None:
            from django.contrib.auth.password_validation import validate_password

            validate_password(self._password, self)
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.account_expires is not None and self.account_expires < timezone.localdate()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN) or self.is_superuser

    @property
    def is_counter_staff(self) -> bool:
        return self.role in (Role.CLERK, Role.MANAGER, Role.ADMIN) or self.is_superuser

    @property
    def display_name(self) -> str:
        """How screens name a member of staff: 姓 名, else the login name."""
        return f"{self.last_name} {self.first_name}".strip() or self.username


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords (the history rule of the policy)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    changed_at = models.DateTimeField(auto_now_add=True)


class LoginThrottle(models.Model):
    """Failed-login bookkeeping (accounts/backends.py).

    One row per (username, client address): after ``MADOGUCHI_LOCKOUT_FAILURES`` failures
    within the window that pair is locked — the attacker's machine, not the clerk's own
    PC. One row per username with ``address=""``: the account's failures from anywhere,
    which give a capped, growing delay (not a lock). Rows exist for unknown usernames too,
    so the answers do not tell which accounts exist.
    """

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="login_throttle_key")
        ]
        indexes = [models.Index(fields=["address", "last_failure"])]


class DepartmentAccess(models.Model):
    """What a department's staff may read beyond their own tasks. Off by default: a
    department reads the register only when the city grants it here (Django admin)."""

    department = models.CharField(_("課ID"), max_length=32, unique=True)
    may_read_register = models.BooleanField(_("住民記録の閲覧"), default=False)

    class Meta:
        verbose_name = _("課の閲覧権限")
        verbose_name_plural = _("課の閲覧権限")

    def __str__(self) -> str:
        return self.department
