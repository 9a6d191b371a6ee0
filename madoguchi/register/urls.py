from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("person/", views.person_lookup, name="person_lookup"),
    path("hold/", views.protection_hold, name="protection_hold"),
    path("person/<str:atena_no>/", views.person_page, name="person"),
    path("household/<str:household_no>/", views.household_page, name="household"),
]
