from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views.generic import RedirectView

from madoguchi.api import api
from madoguchi.core import views as core_views
from madoguchi.operations import health

handler500 = "madoguchi.core.errors.server_error"


def admin_login(request, extra_context=None):
    """One login page for everyone: the admin site uses the lockout-aware staff login.
    A member of staff who is logged in but not an administrator gets 403 (sending them to
    the login page, which sends logged-in users back, looped)."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("職員管理はシステム管理者のみ利用できます"))
    return RedirectView.as_view(url="/accounts/login/", query_string=True)(request)


admin.site.login = admin_login

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("madoguchi.accounts.urls")),
    path("register/", include("madoguchi.register.urls")),
    path("catalog/", include("madoguchi.catalog.urls")),
    path("documents/", include("madoguchi.documents.urls")),
    path("counter/", include("madoguchi.counter.urls")),
    path("tasks/", include("madoguchi.tasks.urls")),
    path("certificates/", include("madoguchi.certificates.urls")),
    path("analytics/", include("madoguchi.analytics.urls")),
    path("audit/", include("madoguchi.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.MADOGUCHI_OIDC_CLIENT_ID:  # single sign-on (madoguchi.accounts.oidc)
    from madoguchi.accounts import oidc

    urlpatterns += oidc.urlpatterns()
