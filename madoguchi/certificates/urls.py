from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<str:ref>/", views.new_request, name="new"),
    path("requests/<int:request_id>/", views.request_page, name="request"),
    path(
        "requests/<int:request_id>/<str:doc>.pdf",
        views.request_pdf,
        name="request_pdf",
    ),
    path("c/<int:cert_id>.pdf", views.certificate_pdf, name="pdf"),
    path("c/<int:cert_id>/<str:action>/", views.certificate_action, name="action"),
    path("verify/", views.verify_page, name="verify"),
    path("till/", views.till_page, name="till"),
    path("till.pdf", views.till_pdf, name="till_pdf"),
    path("till.csv", views.till_csv, name="till_csv"),
    path("seals/", views.seal_register, name="seals"),
    path("stats/", views.stats_page, name="stats"),
    path("deferred/", views.deferred_list, name="deferred"),
    path(
        "deferred/<int:deferred_id>/<str:action>/",
        views.deferred_action,
        name="deferred_action",
    ),
    path("deferred/<int:deferred_id>/slip.pdf", views.deferred_slip, name="deferred_slip"),
]
