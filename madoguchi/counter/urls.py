from django.urls import path

from . import views

app_name = "counter"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("queue/panel/", views.queue_panel, name="queue_panel"),
    path("tickets/issue/", views.issue, name="issue"),
    path("call-next/", views.call_next, name="call_next"),
    path("tickets/<int:ticket_id>/slip/", views.ticket_slip, name="ticket_slip"),
    path("tickets/<int:ticket_id>/<str:action>/", views.ticket_action, name="ticket_action"),
    path("display/", views.display, name="display"),
    path("ido/", views.ido_page, name="ido"),
    path("ido/retry/", views.ido_retry, name="ido_retry"),
    path("ido/link/", views.ido_link, name="ido_link"),
    path("display/board/", views.display_board, name="display_board"),
    path("visits/new/", views.new_visit, name="new_visit"),
    path("visits/<int:visit_id>/", views.visit_page, name="visit"),
    path("visits/<int:visit_id>/tasks/", views.visit_tasks, name="visit_tasks"),
    path("visits/<int:visit_id>/step/", views.visit_step, name="visit_step"),
    path("visits/<int:visit_id>/search/", views.search, name="search"),
    path("visits/<int:visit_id>/postal/", views.postal, name="postal"),
    path("visits/<int:visit_id>/countries/", views.countries, name="countries"),
    path("visits/<int:visit_id>/addresses/", views.addresses, name="addresses"),
    path("visits/<int:visit_id>/schools/<str:pid>/", views.schools, name="schools"),
    path("visits/<int:visit_id>/bundle.pdf", views.bundle, name="bundle"),
    path("visits/<int:visit_id>/guide.pdf", views.guide, name="guide"),
    path("visits/<int:visit_id>/takeover/", views.take_over, name="take_over"),
    path("visits/<int:visit_id>/ido/retry/", views.visit_ido_retry, name="visit_ido_retry"),
    path("visits/<int:visit_id>/do/<str:action>/", views.visit_action, name="visit_action"),
]
