"""A campaign's public calendar as iCalendar (RFC 5545), written by hand.

Only the campaign's approved public events go in; the place of an event whose address is
kept for people who RSVP is left out, with its coordinates. Lines end in CRLF, text is
escaped (backslash, semicolon, comma, newline) and rid of the other control characters,
long lines are folded at 75 octets without splitting a UTF-8 character, and times are UTC.
"""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Campaign, Event

LINE_OCTETS = 75
# RFC 5545, 3.1: CONTROL = %x00-08 / %x0A-1F / %x7F, which no TEXT value may hold (a tab
# may). Line breaks become the escape \n first; any other control is left out.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def escape(text: str) -> str:
    """Return `text` as an RFC 5545 TEXT value (3.3.11): escaped, with no control characters."""
    return CONTROL.sub(
        "",
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n"),
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, each continuation starting
    with a space (which counts toward its 75)."""
    pieces: list[str] = []
    current = b""
    limit = LINE_OCTETS
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode())
            current = b""
            limit = LINE_OCTETS - 1
        current += encoded
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def public_events(campaign: Campaign):
    """The campaign's public events, approved or cancelled: a calendar that subscribed to the
    feed shows a cancelled vigil as cancelled, rather than silently dropping it."""
    shown = [Event.State.APPROVED, Event.State.CANCELLED]
    return (
        campaign.events.filter(visibility=Event.Visibility.PUBLIC, state__in=shown)
        .select_related("site", "organization")
        .order_by("starts_at", "id")
    )


def calendar(campaign: Campaign) -> str:
    host = urlsplit(settings.TOCSIN_BASE_URL).hostname or "tocsin"
    stamp = utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tocsin//Campaign calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(campaign.name)}",
    ]
    for event in public_events(campaign):
        url = settings.TOCSIN_BASE_URL + reverse(
            "campaigns:event_public", kwargs={"event": event.code}
        )
        description = "\n\n".join(
            part for part in (event.description, event.organization.name, url) if part
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.code}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(event.starts_at)}",
            f"DTEND:{utc(event.ends_at)}",
            f"SUMMARY:{escape(event.title)}",
            f"DESCRIPTION:{escape(description)}",
            f"URL:{url}",
            "STATUS:CANCELLED" if event.state == Event.State.CANCELLED else "STATUS:CONFIRMED",
        ]
        if not event.address_hidden_until_rsvp:
            lines.append(f"LOCATION:{escape(event.full_address)}")
            lat, lng = (event.site.lat, event.site.lng) if event.site else (event.lat, event.lng)
            if lat is not None and lng is not None:
                lines.append(f"GEO:{float(lat):.6f};{float(lng):.6f}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
