"""A campaign's iCalendar feed: public, its approved public events only, RFC 5545 lines
(CRLF, escaping, folding at 75 octets, UTC times), and no address kept for RSVPs."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.conftest import YEAR
from tocsin.campaigns.models import Event
from tocsin.campaigns.services import campaigns as campaign_services
from tocsin.campaigns.services import events as event_services

from .conftest import vigil_input


@pytest.fixture
def campaign(nnu, organizer, kaiser_bay):
    return campaign_services.create_campaign(
        organizer,
        nnu,
        "Week of action, Jan 26 - Feb 4",
        "",
        date(YEAR, 1, 26),
        date(YEAR, 2, 4),
        participants=[kaiser_bay],
    )


@pytest.fixture
def feed(client, campaign, nnu, oakland, organizer):
    def make(**changes):
        return event_services.create_event(
            organizer, nnu, vigil_input(oakland, campaign=campaign, **changes)
        )

    make(
        title="Vigil at Kaiser Oakland; candles, signs, and songs — bring a friend along please!",
        description="Meet at the main entrance.\nStay on the sidewalk, please.",
        visibility="public",
        address_hidden_until_rsvp=False,
    )
    make(title="Hidden vigil", visibility="public", address_hidden_until_rsvp=True)
    make(title="Members-only vigil", visibility="members")
    cancelled = make(title="Cancelled vigil", visibility="public")
    event_services.cancel_event(organizer, cancelled)
    response = client.get(reverse("campaigns:calendar", kwargs={"campaign": campaign.code}))
    return response


def unfolded(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def events(lines: list[str]) -> list[dict]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _colon, value = line.partition(":")
            current[name] = value
    return found


def test_it_serves_an_icalendar_document_to_anyone(feed):
    body = feed.content.decode()

    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")


def test_it_holds_the_public_events_and_marks_a_cancelled_one(feed):
    status = {
        event["SUMMARY"]: event["STATUS"] for event in events(unfolded(feed.content.decode()))
    }

    assert len(status) == 3 and not any("Members-only" in title for title in status)
    assert status["Hidden vigil"] == "CONFIRMED"
    assert status["Cancelled vigil"] == "CANCELLED"


def test_its_lines_are_folded_at_75_octets(feed):
    raw_lines = feed.content.split(b"\r\n")

    assert max(len(line) for line in raw_lines) <= 75
    assert any(line.startswith(b" ") for line in raw_lines)


def test_it_escapes_text_and_gives_utc_times(feed, nnu):
    first = events(unfolded(feed.content.decode()))[0]

    assert first["SUMMARY"] == (
        "Vigil at Kaiser Oakland\\; candles\\, signs\\, and songs — bring a friend along please!"
    )
    assert first["DESCRIPTION"].startswith(
        "Meet at the main entrance.\\nStay on the sidewalk\\, please.\\n\\nNational Nurses United"
    )
    assert (first["DTSTART"], first["DTEND"]) == (f"{YEAR}0127T020000Z", f"{YEAR}0127T033000Z")
    assert first["DTSTAMP"].endswith("Z") and first["UID"].endswith("@127.0.0.1")
    assert first["LOCATION"] == "Kaiser Oakland\\, 3600 Broadway\\, Oakland\\, CA"
    assert first["GEO"] == "37.824400;-122.256700"


def test_it_leaves_out_an_address_kept_for_rsvps(feed):
    hidden = next(
        e for e in events(unfolded(feed.content.decode())) if e["SUMMARY"] == "Hidden vigil"
    )

    assert "LOCATION" not in hidden and "GEO" not in hidden


def test_an_unknown_campaign_is_404(client, db):
    assert (
        client.get(reverse("campaigns:calendar", kwargs={"campaign": "nosuch"})).status_code == 404
    )


def test_an_event_outside_the_campaigns_days_is_refused(campaign, nnu, oakland, organizer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        event_services.create_event(
            organizer,
            nnu,
            vigil_input(
                oakland,
                campaign=campaign,
                starts_at=vigil_input(oakland).starts_at + timedelta(days=30),
                ends_at=vigil_input(oakland).ends_at + timedelta(days=30),
            ),
        )
    assert "starts_at" in error.value.message_dict
    assert not Event.objects.filter(title="Vigil at Kaiser Oakland").exists()


# RFC 5545, 3.1 and 3.3.11: CONTROL (%x00-08 / %x0A-1F / %x7F) may not appear in a TEXT
# value; the line breaks a title or description holds are written as "\n".
CONTROLS = "".join(chr(code) for code in [*range(0x09), *range(0x0A, 0x20), 0x7F])


def test_control_characters_an_organizer_types_never_reach_the_feed(
    organizer_client, campaign, nnu, oakland
):
    from icalendar import Calendar

    title = "Vigil\x1b[31m at\x07 Kaiser\x0b Oakland\x7f\x08"  # NUL: refused by the form
    organizer_client.post(
        reverse("campaigns:event_new", kwargs={"org": nnu.slug}),
        {
            "kind": "vigil",
            "title": title,
            "description": "Bring\x0c candles.\r\nStay on\x1f the sidewalk.",
            "starts_at": f"{YEAR}-01-27T18:00",
            "ends_at": f"{YEAR}-01-27T19:30",
            "time_zone": "America/Los_Angeles",
            "visibility": "public",
            "site": oakland.code,
            "campaign": campaign.code,
        },
    )
    assert Event.objects.get(campaign=campaign).title == title  # stored as typed
    body = organizer_client.get(
        reverse("campaigns:calendar", kwargs={"campaign": campaign.code})
    ).content

    assert not any(chr(octet) in CONTROLS for octet in body.replace(b"\r\n", b""))
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Vigil[31m at Kaiser Oakland"
    assert str(event["DESCRIPTION"]).startswith("Bring candles.\nStay on the sidewalk.\n\n")


def test_a_spanish_speakers_calendar_places_the_vigil_with_decimal_points(
    client, campaign, nnu, oakland, organizer
):
    event_services.create_event(
        organizer,
        nnu,
        vigil_input(
            oakland, campaign=campaign, visibility="public", address_hidden_until_rsvp=False
        ),
    )
    client.cookies["tocsin_language"] = "es"

    response = client.get(
        reverse("campaigns:calendar", kwargs={"campaign": campaign.code}),
        HTTP_ACCEPT_LANGUAGE="es",
    )

    [vigil] = events(unfolded(response.content.decode()))
    assert vigil["GEO"] == "37.824400;-122.256700"
