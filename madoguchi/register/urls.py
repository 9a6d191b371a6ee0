from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("person/", views.person_lookup, name="person_lookup"),
    path("person/card-no/", views.person_card_no, name="person_card_no"),
    path("hold/", views.protection_hold, name="protection_hold"),
    path("p/<str:ref>/", views.person_ref, name="person_ref"),
    path("h/<str:ref>/", views.household_ref, name="household_ref"),
    # deprecated, removed on 2027-06-30 (docs/permissions.md): identifiers in the path
    path("person/<str:atena_no>/", views.person_page, name="person"),
    path("household/<str:household_no>/", views.household_page, name="household"),
]
