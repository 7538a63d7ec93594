"""URLs of tocsin.campaigns: a member's events (member), the public event page and a
campaign's calendar (public), and the organizers' screens (staff)."""

from django.urls import path

from .views import member, public, staff

app_name = "campaigns"

ORG = "staff/o/<slug:org>/"
EVENT = ORG + "events/<str:event>/"

urlpatterns = [
    path("me/events/", member.my_events, name="my_events"),
    path("me/events/propose/", member.propose, name="propose"),
    path("me/events/<str:event>/", member.my_event, name="my_event"),
    path("me/events/<str:event>/check-in/<str:secret>/", member.check_in, name="check_in"),
    path("events/<str:event>/", public.event_public, name="event_public"),
    path("campaigns/<str:campaign>/calendar.ics", public.campaign_calendar, name="calendar"),
    path(ORG + "campaigns/", staff.campaign_list, name="campaigns"),
    path(ORG + "campaigns/<str:campaign>/", staff.campaign_detail, name="campaign"),
    path(ORG + "events/new/", staff.event_new, name="event_new"),
    path(ORG + "turnout/", staff.turnout, name="turnout"),
    path(EVENT, staff.event_detail, name="event"),
    path(EVENT + "shifts/", staff.shift_add, name="shift_add"),
    path(EVENT + "promote/", staff.event_promote, name="event_promote"),
    *[
        path(EVENT + f"{action}/", staff.event_action, {"action": action}, name=f"event_{action}")
        for action in staff.HOST_ACTIONS
    ],
]
