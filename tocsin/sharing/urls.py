"""URLs of tocsin.sharing: an organization admin's sharing agreements."""

from django.urls import path

from . import views

app_name = "sharing"
ORG = "staff/o/<slug:org>/sharing/"

urlpatterns = [
    path(ORG, views.agreement_list, name="agreements"),
    path(ORG + "offer/", views.offer_new, name="offer"),
    path(ORG + "offer-to-members/", views.offer_to_members, name="offer_to_members"),
    path(ORG + "<str:agreement>/accept/", views.agreement_accept, name="accept"),
    path(ORG + "<str:agreement>/decline/", views.agreement_decline, name="decline"),
    path(ORG + "<str:agreement>/end/", views.agreement_end, name="end"),
    path(ORG + "groups/<str:circle>/end/", views.circle_end, name="circle_end"),
]
