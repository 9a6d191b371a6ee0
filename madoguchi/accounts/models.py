from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("窓口職員")
    DEPARTMENT = "department", _("業務所管課職員")
    MANAGER = "manager", _("管理職")
    ADMIN = "admin", _("システム管理者")


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
    failed_logins = models.PositiveIntegerField(default=0)
    last_failed_login = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN) or self.is_superuser

    @property
    def is_counter_staff(self) -> bool:
        return self.role in (Role.CLERK, Role.MANAGER, Role.ADMIN) or self.is_superuser
