"""The OSDI shapes of Tocsin's people, events and attendances, field names as in the OSDI
documentation's examples (tests/exchange/osdi_examples.json)."""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from tocsin.accounts.models import ContactPoint, Membership, Organization, Person
from tocsin.campaigns.models import Event, Rsvp

from ..privacy import location_shared, shared_contacts

NAMESPACE = "tocsin"
ORIGIN = "Tocsin"
ATTENDANCE_STATUS: dict[str, str] = {
    Rsvp.Status.GOING: "accepted",
    Rsvp.Status.WAITLISTED: "tentative",
    Rsvp.Status.CANCELLED: "cancelled",
}
EVENT_STATUS: dict[str, str] = {
    Event.State.APPROVED: "confirmed",
    Event.State.PROPOSED: "tentative",
    Event.State.DECLINED: "cancelled",
    Event.State.CANCELLED: "cancelled",
}


def base_url() -> str:
    return settings.TOCSIN_BASE_URL


def href(name: str, **kwargs) -> dict[str, str]:
    return {"href": base_url() + reverse(f"osdi:{name}", kwargs=kwargs)}


def date(moment: datetime | None) -> str | None:
    """Return a moment as OSDI writes it: UTC, to the second, "2014-03-20T21:04:31Z"."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def curies() -> list[dict]:
    return [
        {
            "name": "osdi",
            "href": "https://opensupporter.github.io/osdi-docs/{rel}",
            "templated": True,
        }
    ]


def person(organization: Organization, membership: Membership) -> dict:
    someone: Person = membership.person
    contacts = shared_contacts(someone)
    emails = [c for c in contacts if c.channel == ContactPoint.Channel.EMAIL]
    texts = {c.address for c in contacts if c.channel == ContactPoint.Channel.SMS}
    numbers: list[str] = []
    for contact in contacts:
        if contact.channel != ContactPoint.Channel.EMAIL and contact.address not in numbers:
            numbers.append(contact.address)
    org, key = organization.slug, str(someone.public_id)
    return {
        "identifiers": [f"{NAMESPACE}:{key}"],
        "origin_system": ORIGIN,
        "created_date": date(someone.created_at),
        "modified_date": date(max(someone.created_at, membership.joined_at)),
        # Tocsin keeps one "name or alias" and does not guess how to split it.
        "given_name": someone.display_name,
        "family_name": "",
        "languages_spoken": [someone.language],
        "preferred_language": someone.language,
        "email_addresses": [
            {"primary": index == 0, "address": c.address, "status": "subscribed"}
            for index, c in enumerate(emails)
        ],
        "phone_numbers": [
            {
                "primary": index == 0,
                "number": number,
                "number_type": "Mobile",
                "sms_capable": number in texts,
                "do_not_call": True,
            }
            for index, number in enumerate(numbers)
        ],
        "_links": {
            "self": href("person", org=org, person=key),
            "osdi:attendance": href("person_attendances", org=org, person=key),
        },
    }


def event(organization: Organization, event: Event, accepted: int) -> dict:
    org = organization.slug
    found = {
        "identifiers": [f"{NAMESPACE}:{event.code}"],
        "origin_system": ORIGIN,
        "created_date": date(event.created_at),
        "modified_date": date(max(filter(None, (event.created_at, event.decided_at)))),
        "name": event.get_kind_display(),
        "title": event.title,
        "description": event.description,
        "total_accepted": accepted,
        "status": EVENT_STATUS.get(event.state, "tentative"),
        "start_date": date(event.starts_at),
        "end_date": date(event.ends_at),
        "visibility": "public" if event.visibility == Event.Visibility.PUBLIC else "private",
        "_links": {
            "self": href("event", org=org, event=event.code),
            "osdi:attendances": href("event_attendances", org=org, event=event.code),
        },
    }
    if location_shared(event):
        place: dict = {"venue": event.place}
        if event.site is None and event.address:
            place["address_lines"] = [event.address]
        elif event.site is not None and event.site.address:
            place["address_lines"] = [event.site.address]
        lat = event.lat if event.lat is not None else getattr(event.site, "lat", None)
        lng = event.lng if event.lng is not None else getattr(event.site, "lng", None)
        if lat is not None and lng is not None:
            place["location"] = {"latitude": float(lat), "longitude": float(lng)}
        found["location"] = place
    return found


def attendance(organization: Organization, rsvp: Rsvp) -> dict:
    org, event_code, key = organization.slug, rsvp.event.code, str(rsvp.person.public_id)
    return {
        "identifiers": [f"{NAMESPACE}:{event_code}-{key}"],
        "origin_system": ORIGIN,
        "created_date": date(rsvp.answered_at),
        "modified_date": date(max(filter(None, (rsvp.answered_at, rsvp.checked_in_at)))),
        "action_date": date(rsvp.answered_at),
        "status": ATTENDANCE_STATUS.get(rsvp.status, "needs action"),
        "attended": rsvp.checked_in_at is not None,
        "_links": {
            "self": href("event_attendance", org=org, event=event_code, person=key),
            "osdi:event": href("event", org=org, event=event_code),
            "osdi:person": href("person", org=org, person=key),
        },
    }
