"""A member's events, from the member's link or an event message's link: the list, an
event's page (RSVP to it or a shift, cancel), proposing an event, and check-in by QR.

The member's link signs them in to all of these; an event message's link opens only that
event's page and its check-in (see from_alert)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import member_from_session, member_view
from tocsin.accounts.models import Person

from ..access import events_listed_for, get_event_for_member
from ..forms import EventForm
from ..models import Event, Rsvp, Shift
from ..services import check_in as check_in_services
from ..services import events as event_services
from ..services import rsvps

# An event stays on the list this long after it ends (its check-in is still open).
STILL_LISTED = check_in_services.CHECK_IN_AFTER
# The events whose message link was opened in this browser: {event code: person id}. It
# lets the event's QR check that person in there, and nothing else.
CHECK_IN_SESSION_KEY = "tocsin_event_check_in"


def rsvp_of(person, event: Event) -> Rsvp | None:
    return Rsvp.objects.select_related("shift").filter(event=event, person=person).first()


def address_shown(event: Event, rsvp: Rsvp | None) -> bool:
    """Whether this person sees the address: always, unless it is kept for people who RSVP."""
    if not event.address_hidden_until_rsvp:
        return True
    return rsvp is not None and rsvp.status in (Rsvp.Status.GOING, Rsvp.Status.WAITLISTED)


@never_cache
@member_view
def my_events(request: HttpRequest, person: Person) -> HttpResponse:
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
        taken = rsvps.places_taken(shift)
        rows.append({"shift": shift, "taken": taken, "left": max(shift.capacity - taken, 0)})
    return rows


@never_cache
@member_view
def my_event(request: HttpRequest, person: Person, event: str) -> HttpResponse:
    return event_page(request, person, get_event_for_member(person, event))


def event_page(request: HttpRequest, person, found: Event, via_link: bool = False) -> HttpResponse:
    """An event's page for `person`: RSVP to it or a shift, or cancel. Its forms post back to
    the page's own address: the member's event page, or the link in an event message."""
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("do") == "cancel":
                rsvps.cancel_answer(person, found)
                messages.success(request, _("Your RSVP is cancelled."))
            elif request.POST.get("do") == "check_in":
                check_in_services.check_in(person, found)
                messages.success(request, _("You're checked in. Thank you for coming!"))
            else:
                shift = None
                if request.POST.get("shift"):
                    shift = Shift.objects.filter(event=found, code=request.POST["shift"]).first()
                    if shift is None:
                        raise ValidationError({"shift": _("Choose one of this event's shifts.")})
                answered = rsvps.answer(person, found, shift)
                if answered.status == Rsvp.Status.WAITLISTED:
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
            return redirect(request.path)
    rsvp = rsvp_of(person, found)
    context = {
        "event": found,
        "rsvp": rsvp if rsvp and rsvp.status != Rsvp.Status.CANCELLED else None,
        "show_address": address_shown(found, rsvp),
        "shifts": shift_rows(found),
        "error": error,
        "here": "events",
        "via_link": via_link,
        # The QR is not the only way in: a member going checks in from here while it is open.
        "can_check_in": rsvp is not None
        and rsvp.status == Rsvp.Status.GOING
        and rsvp.checked_in_at is None
        and check_in_services.check_in_is_open(found),
    }
    return render(request, "campaigns/member_event.html", context, status=400 if error else 200)


@never_cache
@member_view
def propose(request: HttpRequest, person: Person) -> HttpResponse:
    """A member proposes an event to one of their organizations; an organizer decides."""
    organizations = [
        m.organization
        for m in person.memberships.filter(active=True).select_related("organization")
    ]
    sites = event_services.sites_for_many(organizations)
    form = EventForm(request.POST or None, organizations=organizations, sites=sites)
    if request.method == "POST" and organizations and form.is_valid():
        try:
            organization = form.chosen_organization()
            if organization is None:
                raise ValidationError({"organization": _("Choose the organization to ask.")})
            event_services.propose_event(person, organization, form.event_input())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your proposal is sent. An organizer will decide on it."))
            return redirect("campaigns:my_events")
    context = {"form": form, "organizations": organizations, "here": "events"}
    return render(
        request, "campaigns/member_propose.html", context, status=400 if form.errors else 200
    )


def allow_check_in(request: HttpRequest, person, event: Event) -> None:
    """Let this browser check `person` in at `event` by its QR, and do nothing else: the
    link in an event message opens that one event, never the member's other pages."""
    allowed = dict(request.session.get(CHECK_IN_SESSION_KEY) or {})
    allowed[event.code] = person.pk
    request.session[CHECK_IN_SESSION_KEY] = allowed


def checking_in(request: HttpRequest, event: str):
    """Return who checks in from this browser: the member of its member link, or the
    recipient of this event's message whose link was opened here; None for anyone else."""
    person = member_from_session(request)
    if person is not None:
        return person
    person_id = (request.session.get(CHECK_IN_SESSION_KEY) or {}).get(str(event))
    if not isinstance(person_id, int):
        return None
    return Person.objects.filter(pk=person_id, is_active=True).first()


@never_cache
def check_in(request: HttpRequest, event: str, secret: str) -> HttpResponse:
    """The page the event's QR opens on a member's phone: one tap checks them in."""
    person = checking_in(request, event)
    if person is None:
        return redirect("joining:member_link_request")
    found = get_event_for_member(person, event)
    with translation.override(language_for(request, person)):
        if not check_in_services.check_in_matches(found, secret):
            return render(request, "campaigns/check_in_invalid.html", {"event": found}, status=404)
        rsvp = rsvp_of(person, found)
        error = ""
        if request.method == "POST":
            try:
                rsvp = check_in_services.check_in(person, found)
            except ValidationError as refused:
                error = " ".join(refused.messages)
        context = {
            "event": found,
            "rsvp": rsvp,
            "error": error,
            "here": "events",
            "member": member_from_session(request) is not None,
        }
        return render(request, "campaigns/check_in.html", context, status=400 if error else 200)


def language_for(request: HttpRequest, person) -> str:
    """The person's own language, as in their messages, unless they chose another here."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return request.LANGUAGE_CODE
    return person.language


def from_alert(request: HttpRequest, delivery) -> HttpResponse:
    """The link in an event message: that event's page for its recipient, where they RSVP
    (its forms post back to the link) and after which the event's QR checks them in. It
    signs nobody in: whoever holds the link reaches this event and nothing else of the
    member's. A proposal's link, sent to organizers, opens the staff page (they sign in
    there)."""
    code = str(delivery.alert.context.get("code", ""))
    organization = delivery.alert.organization
    if delivery.alert.context.get("event") == "proposed":
        return redirect("campaigns:event", org=organization.slug, event=code)
    person = delivery.person
    found = get_event_for_member(person, code)  # 404 once it is gone or no longer theirs
    if found.organization_id != organization.pk:
        raise Http404
    allow_check_in(request, person, found)
    with translation.override(language_for(request, person)):
        response = event_page(request, person, found, via_link=True)
    add_never_cache_headers(response)
    return response
