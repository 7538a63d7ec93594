"""Changes to campaigns and events: create, propose, approve or decline, cancel, promote;
shifts; RSVPs with a waitlist; check-in; the reminders 24 hours and 2 hours before.

Each change is one transaction with an audit entry holding codes, states and counts, never
a title, an address or a name. Messages to people are `event` alerts of the delivery
engine, sent on commit, each rendered in its recipient's language.
"""

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Organization, Person, Site
from tocsin.accounts.roles import has_role
from tocsin.audit.services import record
from tocsin.core import geo, languages
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .access import ORGANIZERS, campaigns_for, promotable_events
from .models import Campaign, Event, Promotion, Rsvp, Shift, check_in_secret

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_ADDRESS = 300
MAX_LABEL = 120
MAX_CAPACITY = 10_000
MAX_LENGTH = timedelta(days=14)
MAX_CAMPAIGN_DAYS = 366
# A phone's clock a little behind is not a mistake; an event an hour in the past is.
PAST_SLACK = timedelta(hours=1)
# A check-in code keeps working this long after the event ends (people linger).
CHECK_IN_AFTER = timedelta(hours=6)
REMINDERS = (("2h", timedelta(hours=2)), ("24h", timedelta(hours=24)))
TIME_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
)


# Campaigns.


def check_text(value: str, name: str, limit: int, errors: dict, required: str = "") -> str:
    value = (value or "").strip()
    if not value and required:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = _("Keep this under %(max)d characters.") % {"max": limit}
    return value


def check_campaign(
    name: str, description: str, starts_on: date | None, ends_on: date | None
) -> tuple[str, str, date, date]:
    errors: dict[str, str] = {}
    name = check_text(name, "name", MAX_TITLE, errors, _("Give the campaign a name."))
    description = check_text(description, "description", MAX_TEXT, errors)
    if starts_on is None:
        errors["starts_on"] = _("Give the campaign's first day.")
    if ends_on is None:
        errors["ends_on"] = _("Give the campaign's last day.")
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = _("The last day comes before the first.")
        elif (ends_on - starts_on).days > MAX_CAMPAIGN_DAYS:
            errors["ends_on"] = _("A campaign lasts at most a year.")
    if errors or starts_on is None or ends_on is None:
        raise ValidationError(errors)
    return name, description, starts_on, ends_on


@transaction.atomic
def create_campaign(
    actor: Person | None,
    organization: Organization,
    name: str,
    description: str,
    starts_on: date | None,
    ends_on: date | None,
    participants=(),
) -> Campaign:
    """Start a campaign owned by the organization, with the organizations taking part."""
    name, description, starts_on, ends_on = check_campaign(name, description, starts_on, ends_on)
    campaign = Campaign.objects.create(
        organization=organization,
        name=name,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    others = [org for org in participants if org.pk != organization.pk]
    campaign.participants.set(others)
    record(actor, "campaigns.campaign.created", campaign, participants=len(others))
    return campaign


@transaction.atomic
def set_participants(actor: Person, campaign: Campaign, participants) -> Campaign:
    """Name the organizations taking part (besides the owner)."""
    others = [org for org in participants if org.pk != campaign.organization_id]
    campaign.participants.set(others)
    record(actor, "campaigns.campaign.participants", campaign, participants=len(others))
    return campaign


# Events.


@dataclass
class EventInput:
    kind: str = Event.Kind.VIGIL
    title: str = ""
    description: str = ""
    site: Site | None = None
    address: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str = ""
    visibility: str = Event.Visibility.MEMBERS
    address_hidden_until_rsvp: bool = False
    campaign: Campaign | None = None


def sites_for(organization: Organization):
    """Sites an organization may hold events at: its own and those of its locals."""
    return Site.objects.filter(
        Q(organizations=organization) | Q(organizations__parent=organization)
    ).distinct()


def sites_for_many(organizations) -> list[Site]:
    """Sites any of these organizations may hold events at, by name."""
    ids = [org.pk for org in organizations]
    return list(
        Site.objects.filter(
            pk__in=Site.objects.filter(
                Q(organizations__in=ids) | Q(organizations__parent__in=ids)
            ).values("pk")
        ).order_by("name", "id")
    )


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def aware(moment: datetime | None, zone: str) -> datetime | None:
    """Read a time given without a zone (from the API) in the event's own zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def site_by_code(organization: Organization, code: str | None) -> Site | None:
    if not code:
        return None
    site = sites_for(organization).filter(code=str(code)).first()
    if site is None:
        raise ValidationError({"site": _("Choose one of your organization's sites.")})
    return site


def campaign_by_code(organization: Organization, code: str | None) -> Campaign | None:
    if not code:
        return None
    campaign = campaigns_for(organization).filter(code=str(code)).first()
    if campaign is None:
        raise ValidationError({"campaign": _("Choose a campaign your organization takes part in.")})
    return campaign


def shift_by_code(event: Event, code: str | None) -> Shift | None:
    if not code:
        return None
    shift = Shift.objects.filter(event=event, code=str(code)).first()
    if shift is None:
        raise ValidationError({"shift": _("Choose one of this event's shifts.")})
    return shift


def check_code(event: Event, secret: str) -> None:
    if not check_in_matches(event, secret):
        raise ValidationError({"secret": _("This check-in code does not work.")})


def check_event(
    organization: Organization, data: EventInput
) -> tuple[EventInput, datetime, datetime]:
    """Return the input cleaned with its start and end, or raise ValidationError naming
    each wrong field."""
    from django.conf import settings

    errors: dict[str, str] = {}
    if data.kind not in Event.Kind.values:
        errors["kind"] = _("Choose what kind of event it is.")
    data.title = check_text(data.title, "title", MAX_TITLE, errors, _("Give the event a title."))
    data.description = check_text(data.description, "description", MAX_TEXT, errors)
    data.address = check_text(data.address, "address", MAX_ADDRESS, errors)
    if data.site is not None and not sites_for(organization).filter(pk=data.site.pk).exists():
        errors["site"] = _("Choose one of your organization's sites.")
    if data.site is None and not data.address:
        errors["address"] = _("Choose a site or write the address.")
    if (data.lat is None) != (data.lng is None):
        errors["lat"] = _("Give both the latitude and the longitude, or neither.")
    elif data.lat is not None and data.lng is not None:
        for name, message in geo.validate_latlng(data.lat, data.lng):
            errors[name] = message
    data.time_zone = data.time_zone or settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(data.time_zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        errors["time_zone"] = _("Choose a time zone from the list.")
        data.time_zone = settings.TIME_ZONE
    data.starts_at = aware(data.starts_at, data.time_zone)
    data.ends_at = aware(data.ends_at, data.time_zone)
    if data.starts_at is None:
        errors["starts_at"] = _("Give the day and time it starts.")
    elif data.starts_at < timezone.now() - PAST_SLACK:
        errors["starts_at"] = _("This time has passed. When does it start?")
    if data.ends_at is None:
        errors["ends_at"] = _("Give the day and time it ends.")
    elif data.starts_at is not None and data.ends_at <= data.starts_at:
        errors["ends_at"] = _("It must end after it starts.")
    elif data.starts_at is not None and data.ends_at - data.starts_at > MAX_LENGTH:
        errors["ends_at"] = _("An event lasts at most two weeks.")
    if data.visibility not in Event.Visibility.values:
        errors["visibility"] = _("Choose who sees the event.")
    campaign = data.campaign
    if campaign is not None:
        if not campaigns_for(organization).filter(pk=campaign.pk).exists():
            errors["campaign"] = _("Choose a campaign your organization takes part in.")
        elif data.starts_at is not None and "starts_at" not in errors:
            day = local_date(data.starts_at, data.time_zone)
            if not campaign.starts_on <= day <= campaign.ends_on:
                errors["starts_at"] = _("The campaign runs from %(first)s to %(last)s.") % {
                    "first": formats.date_format(campaign.starts_on),
                    "last": formats.date_format(campaign.ends_on),
                }
    if errors or data.starts_at is None or data.ends_at is None:
        raise ValidationError(errors)
    return data, data.starts_at, data.ends_at


def new_event(
    actor: Person | None, organization: Organization, data: EventInput, state: str
) -> Event:
    data, starts_at, ends_at = check_event(organization, data)
    return Event.objects.create(
        organization=organization,
        campaign=data.campaign,
        kind=data.kind,
        title=data.title,
        description=data.description,
        site=data.site,
        address=data.address,
        lat=data.lat,
        lng=data.lng,
        time_zone=data.time_zone,
        starts_at=starts_at,
        ends_at=ends_at,
        visibility=data.visibility,
        address_hidden_until_rsvp=data.address_hidden_until_rsvp,
        state=state,
        created_by=actor if getattr(actor, "pk", None) else None,
        proposed_by=actor if state == Event.State.PROPOSED else None,
    )


@transaction.atomic
def create_event(actor: Person | None, organization: Organization, data: EventInput) -> Event:
    """Create an approved event hosted by the organization (an organizer's doing)."""
    event = new_event(actor, organization, data, Event.State.APPROVED)
    record(
        actor,
        "campaigns.event.created",
        event,
        kind=event.kind,
        campaign=event.campaign.code if event.campaign else "",
    )
    return event


@transaction.atomic
def propose_event(person: Person, organization: Organization, data: EventInput) -> Event:
    """A member proposes an event for the organization; its organizers are told."""
    if not Membership.objects.filter(person=person, organization=organization, active=True):
        raise ValidationError({"organization": _("You are not a member of that organization.")})
    event = new_event(person, organization, data, Event.State.PROPOSED)
    record(person, "campaigns.event.proposed", event, kind=event.kind)
    organizers = Membership.objects.filter(
        has_role(ORGANIZERS), organization=organization, active=True
    ).values_list("person_id", flat=True)
    tell(event, "proposed", list(organizers))
    return event


def locked(event: Event) -> Event:
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("organization", "site", "campaign")
        .get(pk=event.pk)
    )


@transaction.atomic
def decide_event(actor: Person, event: Event, approve: bool) -> Event:
    """Approve or decline a member's proposal; the member who proposed it is told."""
    event = locked(event)
    if event.state != Event.State.PROPOSED:
        raise ValidationError(_("This event is not waiting for a decision."))
    event.state = Event.State.APPROVED if approve else Event.State.DECLINED
    event.decided_by = actor
    event.decided_at = timezone.now()
    event.save(update_fields=["state", "decided_by", "decided_at"])
    record(actor, f"campaigns.event.{event.state}", event)
    if event.proposed_by_id:
        tell(event, event.state, [event.proposed_by_id])
    return event


@transaction.atomic
def cancel_event(actor: Person, event: Event) -> Event:
    """Cancel the event; everyone going or waitlisted is told."""
    event = locked(event)
    if event.state == Event.State.CANCELLED:
        return event
    if event.state != Event.State.APPROVED:
        raise ValidationError(_("Only an approved event can be cancelled."))
    event.state = Event.State.CANCELLED
    event.save(update_fields=["state"])
    people = list(
        event.rsvps.filter(status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLISTED]).values_list(
            "person_id", flat=True
        )
    )
    record(actor, "campaigns.event.cancelled", event, told=len(people))
    tell(event, "cancelled", people, actor=actor)
    return event


@transaction.atomic
def renew_secret(actor: Person, event: Event) -> Event:
    """Give the event a new check-in code: the old QR stops working."""
    event = locked(event)
    event.check_in_secret = check_in_secret()
    event.save(update_fields=["check_in_secret"])
    record(actor, "campaigns.event.check_in_renewed", event)
    return event


@transaction.atomic
def promote_event(actor: Person, organization: Organization, event: Event) -> Promotion:
    """Let another organization's members see (and hear of) an event it does not host."""
    if not promotable_events(organization).filter(pk=event.pk).exists():
        raise ValidationError(_("Your organization cannot promote this event."))
    promotion, created = Promotion.objects.get_or_create(
        event=event, organization=organization, defaults={"by": actor}
    )
    if created:
        record(
            actor, "campaigns.event.promoted", event, organization=organization, event=event.code
        )
    return promotion


# Shifts.


@transaction.atomic
def add_shift(
    actor: Person,
    event: Event,
    label: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    capacity: int | None,
) -> Shift:
    event = locked(event)
    errors: dict[str, str] = {}
    label = check_text(label, "label", MAX_LABEL, errors)
    if starts_at is None:
        errors["starts_at"] = _("Give the time the shift starts.")
    if ends_at is None:
        errors["ends_at"] = _("Give the time the shift ends.")
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = _("It must end after it starts.")
        elif starts_at < event.starts_at or ends_at > event.ends_at:
            errors["starts_at"] = _("A shift falls within the event's own times.")
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("Give how many people the shift needs (1 to %(max)d).") % {
            "max": MAX_CAPACITY
        }
    if event.state in (Event.State.CANCELLED, Event.State.DECLINED):
        errors["label"] = _("This event is %(state)s.") % {"state": event.get_state_display()}
    if errors or starts_at is None or ends_at is None or capacity is None:
        raise ValidationError(errors)
    shift = Shift.objects.create(
        event=event, label=label, starts_at=starts_at, ends_at=ends_at, capacity=capacity
    )
    record(actor, "campaigns.shift.added", event, shift=shift.code, capacity=capacity)
    return shift


def places_taken(shift: Shift, besides: Person | None = None) -> int:
    going = shift.rsvps.filter(status=Rsvp.Status.GOING)
    if besides is not None:
        going = going.exclude(person=besides)
    return going.count()


# RSVPs.


@transaction.atomic
def answer(person: Person, event: Event, shift: Shift | None = None) -> Rsvp:
    """RSVP to the event, or to one of its shifts (a full shift: the waitlist). Answering
    again with another shift moves the person, freeing their place in the first."""
    event = locked(event)
    if not event.is_open:
        raise ValidationError({"event": _("This event is not taking RSVPs.")})
    if shift is not None:
        shift = (
            Shift.objects.select_for_update(of=("self",)).filter(pk=shift.pk, event=event).first()
        )
        if shift is None:
            raise ValidationError({"shift": _("Choose one of this event's shifts.")})
    rsvp = Rsvp.objects.select_for_update(of=("self",)).filter(event=event, person=person).first()
    freed = rsvp.shift if rsvp and rsvp.status == Rsvp.Status.GOING else None
    status = Rsvp.Status.GOING
    if shift is not None and places_taken(shift, besides=person) >= shift.capacity:
        status = Rsvp.Status.WAITLISTED
    # The same answer again changes nothing, and a waitlisted place is kept, not lost.
    if (
        rsvp is not None
        and rsvp.shift_id == getattr(shift, "pk", None)
        and rsvp.status in (status, Rsvp.Status.WAITLISTED)
    ):
        return rsvp
    if rsvp is None:
        rsvp = Rsvp.objects.create(event=event, person=person, shift=shift, status=status)
    else:
        rsvp.shift, rsvp.status, rsvp.answered_at = shift, status, timezone.now()
        rsvp.save(update_fields=["shift", "status", "answered_at"])
    record(
        person,
        "campaigns.rsvp.answered",
        event,
        organization=event.organization,
        status=status,
        shift=shift.code if shift else "",
    )
    if freed is not None and freed != shift:
        fill_from_waitlist(freed)
    return rsvp


@transaction.atomic
def cancel_answer(person: Person, event: Event) -> Rsvp | None:
    """Cancel the person's RSVP; the first on the shift's waitlist takes the place."""
    event = locked(event)
    rsvp = Rsvp.objects.select_for_update(of=("self",)).filter(event=event, person=person).first()
    if rsvp is None or rsvp.status == Rsvp.Status.CANCELLED:
        return rsvp
    freed = rsvp.shift if rsvp.status == Rsvp.Status.GOING else None
    rsvp.status = Rsvp.Status.CANCELLED
    rsvp.save(update_fields=["status"])
    record(person, "campaigns.rsvp.cancelled", event, organization=event.organization)
    if freed is not None and event.is_open:
        fill_from_waitlist(freed)
    return rsvp


def fill_from_waitlist(shift: Shift) -> list[Rsvp]:
    """Move the first waitlisted people into the shift's free places, and tell them."""
    free = shift.capacity - places_taken(shift)
    if free <= 0:
        return []
    moved = list(
        shift.rsvps.select_for_update(of=("self",))
        .filter(status=Rsvp.Status.WAITLISTED)
        .order_by("answered_at", "id")[:free]
    )
    for rsvp in moved:
        rsvp.status = Rsvp.Status.GOING
        rsvp.save(update_fields=["status"])
        record(None, "campaigns.rsvp.off_waitlist", shift.event, shift=shift.code)
    if moved:
        tell(shift.event, "off_waitlist", [r.person_id for r in moved], shift=shift)
    return moved


def check_in_matches(event: Event, secret: str) -> bool:
    return secrets.compare_digest(str(secret or "").encode(), event.check_in_secret.encode())


def check_in_opens(event: Event) -> datetime:
    """Return when check-in opens: TOCSIN_CHECK_IN_OPENS_HOURS before the event starts."""
    return event.starts_at - timedelta(hours=settings.TOCSIN_CHECK_IN_OPENS_HOURS)


def check_in_is_open(event: Event, now: datetime | None = None) -> bool:
    """Whether a person can check in now: from check_in_opens until CHECK_IN_AFTER after
    the event ends, and only at an approved event."""
    now = now or timezone.now()
    return (
        event.state == Event.State.APPROVED
        and check_in_opens(event) <= now <= event.ends_at + CHECK_IN_AFTER
    )


def check_in_not_yet(event: Event) -> str:
    opens = timezone.localtime(check_in_opens(event), zoneinfo.ZoneInfo(event.time_zone))
    return _("Check-in opens %(when)s, shortly before the event starts.") % {
        "when": formats.date_format(opens, "DATETIME_FORMAT")
    }


@transaction.atomic
def check_in(person: Person, event: Event) -> Rsvp:
    """Check the person in at the event (the caller checked the QR's secret). Someone who
    did not RSVP is checked in as a walk-in."""
    event = locked(event)
    if event.state != Event.State.APPROVED:
        raise ValidationError(
            {"event": _("This event is %(state)s.") % {"state": event.get_state_display()}}
        )
    if timezone.now() > event.ends_at + CHECK_IN_AFTER:
        raise ValidationError({"event": _("This event is over; check-in has closed.")})
    if timezone.now() < check_in_opens(event):
        raise ValidationError({"event": check_in_not_yet(event)})
    rsvp = Rsvp.objects.select_for_update(of=("self",)).filter(event=event, person=person).first()
    if rsvp is not None and rsvp.checked_in_at is not None:
        return rsvp
    now = timezone.now()
    if rsvp is None:
        rsvp = Rsvp.objects.create(
            event=event, person=person, status=Rsvp.Status.GOING, walk_in=True, checked_in_at=now
        )
    else:
        rsvp.walk_in = rsvp.status != Rsvp.Status.GOING
        rsvp.status = Rsvp.Status.GOING
        rsvp.checked_in_at = now
        rsvp.save(update_fields=["walk_in", "status", "checked_in_at"])
    record(
        person,
        "campaigns.rsvp.checked_in",
        event,
        organization=event.organization,
        walk_in=rsvp.walk_in,
    )
    return rsvp


# Turnout.


def turnout(events, by: str) -> list[dict]:
    """Count RSVPs going, checked in and waitlisted per site, host organization or
    campaign of the events given; counts only, never who."""
    keys = {
        "site": ("site__name", "address"),
        "organization": ("organization__name",),
        "campaign": ("campaign__code", "campaign__name"),
        "event": ("code", "title", "starts_at", "site__name", "address"),
    }[by]
    rows = (
        Event.objects.filter(pk__in=events.values("pk"))
        .values(*keys)
        .annotate(
            going=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)),
            checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
            waitlisted=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.WAITLISTED)),
            events=Count("id", distinct=True),
        )
        .order_by(*keys)
    )
    result = []
    for row in rows:
        if by == "site":
            row["name"] = row["site__name"] or row["address"]
        elif by == "organization":
            row["name"] = row["organization__name"]
        elif by == "campaign":
            row["name"] = row["campaign__name"] or ""
        else:
            row["name"] = row["title"]
        result.append(row)
    if by == "site":
        merged: dict[str, dict] = {}
        for row in result:
            into = merged.setdefault(
                row["name"],
                {"name": row["name"], "going": 0, "checked_in": 0, "waitlisted": 0, "events": 0},
            )
            for key in ("going", "checked_in", "waitlisted", "events"):
                into[key] += row[key]
        result = sorted(merged.values(), key=lambda r: r["name"])
    return result


def turnout_by_site_and_day(events) -> list[dict]:
    """Count RSVPs going and checked in per day (in each event's own time zone) and site
    (or address) of the events given, by day then site; counts only, never who."""
    rows = (
        Event.objects.filter(pk__in=events.values("pk"))
        .values("starts_at", "time_zone", "site__name", "address")
        .annotate(
            going=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)),
            checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
        )
        .order_by()
    )
    merged: dict[tuple[date, str], dict] = {}
    for row in rows:
        day = row["starts_at"].astimezone(zoneinfo.ZoneInfo(row["time_zone"])).date()
        name = row["site__name"] or row["address"]
        into = merged.setdefault(
            (day, name), {"day": day, "name": name, "going": 0, "checked_in": 0}
        )
        into["going"] += row["going"]
        into["checked_in"] += row["checked_in"]
    return [merged[key] for key in sorted(merged)]


def totals(events) -> dict:
    rsvps = Rsvp.objects.filter(event__in=events.values("pk"))
    return {
        "going": rsvps.filter(status=Rsvp.Status.GOING).count(),
        "checked_in": rsvps.filter(checked_in_at__isnull=False).count(),
        "waitlisted": rsvps.filter(status=Rsvp.Status.WAITLISTED).count(),
    }


# Messages.


def when_text(moment: datetime, zone: str, language: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    with translation.override(language):
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def tell(
    event: Event,
    what: str,
    person_ids: list[int],
    actor: Person | None = None,
    shift: Shift | None = None,
    hours: int = 0,
) -> Alert | None:
    """Send an `event` alert about the event to the people named; nothing when nobody."""
    if not person_ids:
        return None
    moment = shift.starts_at if shift is not None else event.starts_at
    context = {
        "event": what,
        "code": event.code,
        "title": event.title,
        "place": event.place,
        "shift": shift.label if shift is not None else "",
        "hours": hours,
        # Told ahead in every language: the message is rendered later, once per recipient.
        "when": {code: when_text(moment, event.time_zone, code) for code in languages.codes()},
    }
    alert = create_alert(
        event.organization,
        Alert.Kind.EVENT,
        context,
        {"person_ids": sorted(set(person_ids))},
        actor=actor if getattr(actor, "pk", None) else None,
    )
    send_alert(alert, actor=actor if getattr(actor, "pk", None) else None)
    return alert


def remind_due(now: datetime | None = None) -> int:
    """Remind each person going 24 hours and 2 hours before their event (or shift) starts,
    once each, in their language; return how many reminders went. A reminder goes only to
    RSVPs made before its time (someone answering an hour before gets neither)."""
    now = now or timezone.now()
    sent = 0
    for name, lead in REMINDERS:
        field = f"reminded_{name}_at"
        due = (
            Rsvp.objects.filter(
                status=Rsvp.Status.GOING,
                event__state=Event.State.APPROVED,
                checked_in_at__isnull=True,
                **{f"{field}__isnull": True},
            )
            .annotate(moment=Coalesce("shift__starts_at", "event__starts_at"))
            .filter(moment__gt=now, moment__lte=now + lead)
            .select_related("event__organization", "event__site", "shift")
            .order_by("event_id", "shift_id", "id")
        )
        groups: dict[tuple[int, int | None], list[Rsvp]] = {}
        for rsvp in due:
            if rsvp.answered_at > rsvp.moment - lead:
                continue
            groups.setdefault((rsvp.event_id, rsvp.shift_id), []).append(rsvp)
        for rsvps in groups.values():
            with transaction.atomic():
                updates: dict[str, datetime | Coalesce] = {field: now}
                if name == "2h":
                    # The 24-hour reminder is no use any more.
                    updates["reminded_24h_at"] = Coalesce("reminded_24h_at", now)
                claimed = [
                    r
                    for r in rsvps
                    if Rsvp.objects.filter(pk=r.pk, **{f"{field}__isnull": True}).update(**updates)
                ]
                if not claimed:
                    continue
                first = claimed[0]
                tell(
                    first.event,
                    "reminder",
                    [r.person_id for r in claimed],
                    shift=first.shift,
                    hours=int(lead.total_seconds() // 3600),
                )
                record(
                    None, "campaigns.event.reminded", first.event, hours=name, people=len(claimed)
                )
                sent += len(claimed)
    return sent


def people_going(event: Event):
    return Person.objects.filter(
        rsvps__event=event, rsvps__status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLISTED]
    )


def organizer_of(person: Person, organization: Organization) -> bool:
    return Membership.objects.filter(
        has_role(ORGANIZERS), person=person, organization=organization, active=True
    ).exists()
