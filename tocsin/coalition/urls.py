"""URLs of tocsin.coalition."""

from django.urls import path

from . import views

app_name = "coalition"

urlpatterns = [
    path("staff/o/<slug:org>/coalition/", views.coalition, name="coalition"),
    path("staff/o/<slug:org>/coalition/data.json", views.coalition_data, name="coalition_data"),
]
