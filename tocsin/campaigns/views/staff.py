"""Organizers' screens: campaigns, events and their shifts, proposals from members,
promoting another organization's event, the check-in QR, and turnout (counts only).

Organizers and admins of the organization reach them. The list of who RSVPed, the QR and
every change to an event are for the host organization's organizers only.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Person
from tocsin.core.confirm import confirmed
from tocsin.core.qr import svg_inline

from ..access import (
    ORGANIZERS,
    campaigns_for,
    events_for_staff,
    get_campaign_for,
    get_event_for_staff,
    is_host,
    named_to_host,
    promotable_events,
    shared_with,
)
from ..charts import turnout_chart
from ..forms import CampaignForm, EventForm, ShiftForm
from ..models import Campaign, Event, Promotion, Rsvp
from ..services import campaigns as campaign_services
from ..services import check_in as check_in_services
from ..services import events as event_services
from ..services import rsvps
from ..services import turnout as turnout_services
from .member import shift_rows


def check_in_url(event: Event) -> str:
    path = reverse(
        "campaigns:check_in", kwargs={"event": event.code, "secret": event.check_in_secret}
    )
    return settings.TOCSIN_BASE_URL + path


def calendar_url(campaign: Campaign) -> str:
    return settings.TOCSIN_BASE_URL + reverse(
        "campaigns:calendar", kwargs={"campaign": campaign.code}
    )


@never_cache
@org_view(ORGANIZERS)
def campaign_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    form = CampaignForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_services.create_campaign(
                membership.person,
                organization,
                data["name"],
                data["description"],
                data["starts_on"],
                data["ends_on"],
                form.chosen_participants(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("campaigns:campaign", org=org, campaign=campaign.code)
    now = timezone.now()
    hosted = Event.objects.filter(organization=organization).select_related("site", "campaign")
    promoted = set(
        Promotion.objects.filter(organization=organization).values_list("event_id", flat=True)
    )
    context = {
        **org_context(membership),
        "section": "campaigns",
        "form": form,
        "campaigns": campaigns_for(organization).select_related("organization"),
        "proposals": hosted.filter(state=Event.State.PROPOSED).select_related("proposed_by"),
        "upcoming": hosted.filter(ends_at__gte=now).exclude(state=Event.State.PROPOSED),
        "promotable": promotable_events(organization)
        .filter(ends_at__gte=now)
        .exclude(pk__in=promoted)
        .select_related("organization", "site"),
        "shared": shared_with(organization)
        .filter(ends_at__gte=now)
        .select_related("organization", "site"),
    }
    return render(request, "campaigns/campaigns.html", context, status=400 if form.errors else 200)


@never_cache
@org_view(ORGANIZERS)
def campaign_detail(
    request: HttpRequest, membership: Membership, org: str, campaign: str
) -> HttpResponse:
    organization = membership.organization
    found = get_campaign_for(organization, campaign)
    events = events_for_staff(organization).filter(campaign=found)
    context = {
        **org_context(membership),
        "section": "campaigns",
        "campaign": found,
        "participants": found.participants.order_by("name"),
        "events": events.select_related("organization", "site").order_by("starts_at", "id"),
        "by_site": turnout_services.turnout(events, "site"),
        "by_organization": turnout_services.turnout(events, "organization"),
        "totals": turnout_services.totals(events),
        "turnout_chart": turnout_chart(events),
        "calendar_url": calendar_url(found),
    }
    return render(request, "campaigns/campaign.html", context)


@never_cache
@org_view(ORGANIZERS)
def event_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    campaigns = list(campaigns_for(organization).order_by("-starts_on", "name"))
    initial = {"campaign": request.GET.get("campaign", "")}
    form = EventForm(
        request.POST or None,
        sites=event_services.sites_for(organization).order_by("name"),
        campaigns=campaigns,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = event_services.create_event(membership.person, organization, form.event_input())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Event created."))
            return redirect("campaigns:event", org=org, event=event.code)
    context = {**org_context(membership), "section": "campaigns", "form": form}
    return render(request, "campaigns/event_new.html", context, status=400 if form.errors else 200)


def event_context(membership: Membership, event: Event, **extra) -> dict:
    organization = membership.organization
    host = is_host(membership, event)
    in_campaign = event.campaign is not None and (
        event.campaign.organization_id == organization.pk
        or event.campaign.participants.filter(pk=organization.pk).exists()
    )
    context = {
        **org_context(membership),
        "section": "campaigns",
        "event": event,
        "is_host": host,
        "shows_counts": host or in_campaign,
        "shifts": shift_rows(event),
        "totals": turnout_services.totals(Event.objects.filter(pk=event.pk)),
        "promoted": Promotion.objects.filter(event=event, organization=organization).exists(),
        "can_promote": not host
        and event.organization_id != organization.pk
        and promotable_events(organization).filter(pk=event.pk).exists(),
        "promotions": event.promotions.select_related("organization"),
        "shared_from": event.organization
        if shared_with(organization).filter(pk=event.pk).exists()
        else None,
    }
    by_organization = turnout_services.by_member_organization(event)
    if host:
        # A partner's members are counted by their organization, never named (0033).
        context["by_organization"] = by_organization
    else:
        context["ours"] = next(
            (row for row in by_organization if row["id"] == organization.pk), None
        )
    if host:
        url = check_in_url(event)
        context.update(
            check_in_url=url,
            qr=svg_inline(url, _("Check-in code for %(title)s") % {"title": event.title}),
            rsvps=event.rsvps.exclude(status=Rsvp.Status.CANCELLED)
            .filter(person__in=named_to_host(event))
            .select_related("person", "shift"),
            shift_form=ShiftForm(event=event),
        )
    context.update(extra)
    return context


@never_cache
@org_view(ORGANIZERS)
def event_detail(
    request: HttpRequest, membership: Membership, org: str, event: str
) -> HttpResponse:
    found = get_event_for_staff(membership.organization, event)
    return render(request, "campaigns/event.html", event_context(membership, found))


def act_approve(request: HttpRequest, person: Person, event: Event) -> str:
    event_services.decide_event(person, event, approve=True)
    return _("Event approved.")


def act_decline(request: HttpRequest, person: Person, event: Event) -> str:
    event_services.decide_event(person, event, approve=False)
    return _("Proposal declined.")


def act_cancel(request: HttpRequest, person: Person, event: Event) -> str:
    if not confirmed(request):
        raise ValidationError(_("Tick the box to confirm: everyone going is told at once."))
    event_services.cancel_event(person, event)
    return _("Event cancelled. Everyone who RSVPed is being told.")


def act_renew(request: HttpRequest, person: Person, event: Event) -> str:
    check_in_services.renew_secret(person, event)
    return _("New check-in code made. The old one no longer works.")


HOST_ACTIONS = {
    "approve": act_approve,
    "decline": act_decline,
    "cancel": act_cancel,
    "renew": act_renew,
}


@org_view(ORGANIZERS)
@require_POST
def event_action(
    request: HttpRequest, membership: Membership, org: str, event: str, action: str
) -> HttpResponse:
    found = get_event_for_staff(membership.organization, event)
    if not is_host(membership, found):
        raise Http404
    try:
        said = HOST_ACTIONS[action](request, membership.person, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, said)
    return redirect("campaigns:event", org=org, event=found.code)


@org_view(ORGANIZERS)
@require_POST
def event_promote(
    request: HttpRequest, membership: Membership, org: str, event: str
) -> HttpResponse:
    found = get_event_for_staff(membership.organization, event)
    try:
        event_services.promote_event(membership.person, membership.organization, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your members can now see this event."))
    return redirect("campaigns:event", org=org, event=found.code)


@org_view(ORGANIZERS)
@require_POST
def shift_add(request: HttpRequest, membership: Membership, org: str, event: str) -> HttpResponse:
    found = get_event_for_staff(membership.organization, event)
    if not is_host(membership, found):
        raise Http404
    form = ShiftForm(request.POST, event=found)
    if form.is_valid():
        starts_at, ends_at = form.times()
        try:
            rsvps.add_shift(
                membership.person,
                found,
                form.cleaned_data["label"],
                starts_at,
                ends_at,
                form.cleaned_data["capacity"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Shift added."))
            return redirect("campaigns:event", org=org, event=found.code)
    context = event_context(membership, found, shift_form=form)
    return render(request, "campaigns/event.html", context, status=400)


@never_cache
@org_view(ORGANIZERS)
def turnout(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Turnout of the events the organization hosts and of the campaigns it owns."""
    organization = membership.organization
    events = Event.objects.filter(
        pk__in=Event.objects.filter(organization=organization).values("pk")
    ) | Event.objects.filter(
        campaign__organization=organization, state__in=[Event.State.APPROVED, Event.State.CANCELLED]
    )
    events = Event.objects.filter(pk__in=events.values("pk"))
    context = {
        **org_context(membership),
        "section": "campaigns",
        "by_site": turnout_services.turnout(events, "site"),
        "by_organization": turnout_services.turnout(events, "organization"),
        "by_campaign": [row for row in turnout_services.turnout(events, "campaign") if row["name"]],
        "totals": turnout_services.totals(events),
        "turnout_chart": turnout_chart(events),
    }
    return render(request, "campaigns/turnout.html", context)
