"""Staff management for the city's administrators (Django admin at /admin/)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from madoguchi.audit.services import record

from .models import DepartmentAccess, LoginThrottle, Staff


class AdminsOnly:
    """The city's administrators only (role admin), whatever Django's own flags say."""

    def has_module_permission(self, request):
        return getattr(request.user, "is_admin", False)

    def has_view_permission(self, request, obj=None):
        return getattr(request.user, "is_admin", False)

    has_change_permission = has_view_permission
    has_add_permission = has_module_permission


@admin.register(Staff)
class StaffAdmin(AdminsOnly, UserAdmin):
    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "department",
        "may_see_protected",
        "is_active",
        "account_expires",
        "locked_until",
    )
    list_filter = ("role", "department", "may_see_protected", "is_active")
    fieldsets = UserAdmin.fieldsets + (
        (
            _("窓口の権限"),
            {"fields": ("role", "department", "may_see_protected")},
        ),
        (
            _("アカウントの期限とパスワード"),
            {"fields": ("account_expires", "must_change_password")},
        ),
        (
            _("ログインの失敗"),
            {"fields": ("failed_logins", "last_failed_login", "locked_until")},
        ),
    )
    actions = ["unlock"]

    def save_model(self, request, obj, form, change):
        obj._audit_actor = request.user  # accounts/signals.py records the change
        super().save_model(request, obj, form, change)

    @admin.action(description=_("ロックを解除する"))
    def unlock(self, request, queryset):
        names = list(queryset.values_list("username", flat=True))
        n = queryset.update(failed_logins=0, locked_until=None)
        LoginThrottle.objects.filter(username__in=names).delete()
        for name in names:
            record(request.user, "staff.unlock", query=name)
        self.message_user(request, _("%(n)d 件のロックを解除しました") % {"n": n}, messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit records keep their actor


@admin.register(DepartmentAccess)
class DepartmentAccessAdmin(AdminsOnly, admin.ModelAdmin):
    list_display = ("department", "may_read_register")

    def has_delete_permission(self, request, obj=None):
        return getattr(request.user, "is_admin", False)
