"""A member's events, from the member's link or an event message's link: the list, an
event's page (RSVP to it or a shift, cancel), proposing an event, and check-in by QR."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tocsin.joining.access import member_required, sign_in_member

from .. import services
from ..access import events_listed_for, get_event_for_member
from ..forms import EventForm
from ..models import Event, Rsvp, Shift

# An event stays on the list this long after it ends (its check-in is still open).
STILL_LISTED = services.CHECK_IN_AFTER


def rsvp_of(person, event: Event) -> Rsvp | None:
    return Rsvp.objects.select_related("shift").filter(event=event, person=person).first()


def address_shown(event: Event, rsvp: Rsvp | None) -> bool:
    """Whether this person sees the address: always, unless it is kept for people who RSVP."""
    if not event.address_hidden_until_rsvp:
        return True
    return rsvp is not None and rsvp.status in (Rsvp.Status.GOING, Rsvp.Status.WAITLISTED)


@never_cache
@member_required
def my_events(request: HttpRequest) -> HttpResponse:
    person = request.member
    events = (
        events_listed_for(person)
        .filter(ends_at__gte=timezone.now() - STILL_LISTED)
        .select_related("organization", "site", "campaign")
        .order_by("starts_at", "id")
    )
    answers = {
        rsvp.event_id: rsvp
        for rsvp in Rsvp.objects.filter(person=person, event__in=events).exclude(
            status=Rsvp.Status.CANCELLED
        )
    }
    rows = [(event, answers.get(event.pk)) for event in events]
    return render(request, "campaigns/member_list.html", {"rows": rows, "here": "events"})


def shift_rows(event: Event) -> list[dict]:
    rows = []
    for shift in event.shifts.all():
        taken = services.places_taken(shift)
        rows.append({"shift": shift, "taken": taken, "left": max(shift.capacity - taken, 0)})
    return rows


@never_cache
@member_required
def my_event(request: HttpRequest, event: str) -> HttpResponse:
    person = request.member
    found = get_event_for_member(person, event)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("do") == "cancel":
                services.cancel_answer(person, found)
                messages.success(request, _("Your RSVP is cancelled."))
            else:
                shift = None
                if request.POST.get("shift"):
                    shift = Shift.objects.filter(event=found, code=request.POST["shift"]).first()
                    if shift is None:
                        raise ValidationError({"shift": _("Choose one of this event's shifts.")})
                rsvp = services.answer(person, found, shift)
                if rsvp.status == Rsvp.Status.WAITLISTED:
                    messages.success(
                        request,
                        _(
                            "That shift is full: you are on its waitlist. We will tell you if a place opens."
                        ),
                    )
                else:
                    messages.success(request, _("You're going. Thank you!"))
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            return redirect("campaigns:my_event", event=found.code)
    rsvp = rsvp_of(person, found)
    context = {
        "event": found,
        "rsvp": rsvp if rsvp and rsvp.status != Rsvp.Status.CANCELLED else None,
        "show_address": address_shown(found, rsvp),
        "shifts": shift_rows(found),
        "error": error,
        "here": "events",
    }
    return render(request, "campaigns/member_event.html", context, status=400 if error else 200)


@never_cache
@member_required
def propose(request: HttpRequest) -> HttpResponse:
    """A member proposes an event to one of their organizations; an organizer decides."""
    person = request.member
    organizations = [
        m.organization
        for m in person.memberships.filter(active=True).select_related("organization")
    ]
    sites = services.sites_for_many(organizations)
    form = EventForm(request.POST or None, organizations=organizations, sites=sites)
    if request.method == "POST" and organizations and form.is_valid():
        try:
            organization = form.chosen_organization()
            if organization is None:
                raise ValidationError({"organization": _("Choose the organization to ask.")})
            services.propose_event(person, organization, form.event_input())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your proposal is sent. An organizer will decide on it."))
            return redirect("campaigns:my_events")
    context = {"form": form, "organizations": organizations, "here": "events"}
    return render(
        request, "campaigns/member_propose.html", context, status=400 if form.errors else 200
    )


@never_cache
@member_required
def check_in(request: HttpRequest, event: str, secret: str) -> HttpResponse:
    """The page the event's QR opens on a member's phone: one tap checks them in."""
    person = request.member
    found = get_event_for_member(person, event)
    if not services.check_in_matches(found, secret):
        return render(request, "campaigns/check_in_invalid.html", {"event": found}, status=404)
    rsvp = rsvp_of(person, found)
    error = ""
    if request.method == "POST":
        try:
            rsvp = services.check_in(person, found)
        except ValidationError as refused:
            error = " ".join(refused.messages)
    context = {"event": found, "rsvp": rsvp, "error": error, "here": "events"}
    return render(request, "campaigns/check_in.html", context, status=400 if error else 200)


def from_alert(request: HttpRequest, delivery) -> HttpResponse:
    """The link in an event message: sign the recipient in and open the event's page. A
    proposal's link, sent to organizers, opens the staff page (they sign in there)."""
    code = str(delivery.alert.context.get("code", ""))
    organization = delivery.alert.organization
    if delivery.alert.context.get("event") == "proposed":
        return redirect("campaigns:event", org=organization.slug, event=code)
    sign_in_member(request, delivery.person)
    if Event.objects.filter(code=code, organization=organization).exists():
        return redirect(reverse("campaigns:my_event", kwargs={"event": code}))
    return redirect("campaigns:my_events")


urlpatterns = [
    path("me/events/", my_events, name="my_events"),
    path("me/events/propose/", propose, name="propose"),
    path("me/events/<str:event>/", my_event, name="my_event"),
    path("me/events/<str:event>/check-in/<str:secret>/", check_in, name="check_in"),
]
