"""Public pages, on purpose: an approved public event (never who RSVPed, and no address
when it is kept for people who RSVP), and a campaign's calendar of its public events."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tocsin.core.access import public

from .. import ical
from ..access import public_event
from ..models import Campaign


@public
def event_public(request: HttpRequest, event: str) -> HttpResponse:
    found = public_event(event)
    context = {"event": found, "show_address": not found.address_hidden_until_rsvp}
    return render(request, "campaigns/public_event.html", context)


@public
def campaign_calendar(request: HttpRequest, campaign: str) -> HttpResponse:
    found = Campaign.objects.filter(code=str(campaign)).first()
    if found is None:
        raise Http404
    response = HttpResponse(ical.calendar(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{found.code}.ics"'
    return response
