from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table_id>.csv", views.export, name="export"),
    path("report/", views.report, name="report"),
    path("staffing/", views.staffing, name="staffing"),
]
