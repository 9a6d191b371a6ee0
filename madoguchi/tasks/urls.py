from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("table/", views.queue_table, name="table"),
    path("retry/", views.retry, name="retry"),
    path("<int:task_id>/", views.task_page, name="task"),
    path("<int:task_id>/status/", views.status, name="status"),
    path("<int:task_id>/forms.pdf", views.task_forms, name="forms"),
]
