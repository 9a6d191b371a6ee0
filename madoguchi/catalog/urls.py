from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("event/<str:event_id>/", views.event, name="event"),
    path("department/<str:dept_id>/", views.department, name="department"),
    path("procedure/<str:proc_id>/", views.procedure, name="procedure"),
]
