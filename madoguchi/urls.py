from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from madoguchi.api import api
from madoguchi.core import health
from madoguchi.core import views as core_views

# One login page for everyone: the admin site uses the lockout-aware staff login.
admin.site.login = RedirectView.as_view(url="/accounts/login/", query_string=True)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("madoguchi.accounts.urls")),
    path("register/", include("madoguchi.register.urls")),
    path("catalog/", include("madoguchi.catalog.urls")),
    path("rules/", include("madoguchi.rules.urls")),
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
