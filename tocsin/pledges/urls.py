"""Pledge URLs: the organizer's screens (staff) and the member's own (member)."""

from django.urls import path

from .views import coalition, member, staff

app_name = "pledges"

ORG = "staff/o/<slug:org>/"

urlpatterns = [
    path(ORG + "pledges/", staff.pledge_list, name="pledges"),
    path(ORG + "pledges/new/", staff.pledge_new, name="pledge_new"),
    path(ORG + "pledges/coalition/new/", coalition.coalition_new, name="coalition_new"),
    path(
        ORG + "pledges/coalition/<str:coalition_pledge>/",
        coalition.coalition_detail,
        name="coalition_pledge",
    ),
    path(
        ORG + "pledges/coalition/<str:coalition_pledge>/accept/",
        coalition.coalition_accept,
        name="coalition_accept",
    ),
    path(ORG + "pledges/<str:pledge>/", staff.pledge_detail, name="pledge"),
    path(ORG + "pledges/<str:pledge>/send/", staff.pledge_send, name="pledge_send"),
    path("me/pledges/", member.my_pledges, name="my_pledges"),
    path("me/pledges/<str:pledge>/", member.my_pledge, name="my_pledge"),
]
