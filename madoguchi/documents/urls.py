from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.preview, name="preview"),
    path("print/", views.print_page, name="print"),
]
