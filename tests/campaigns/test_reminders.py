"""Reminders 24 hours and 2 hours before the event (or the person's shift), once each, on
the person's channel and in their language."""

from datetime import timedelta

import pytest

from tests.conftest import YEAR, make_person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.campaigns.models import Rsvp
from tocsin.campaigns.services import messages as event_messages
from tocsin.campaigns.services import rsvps

from .conftest import VIGIL_STARTS


@pytest.fixture
def going(vigil, nurse, nnu, oakland, sms_gateway):
    """Rosa (Spanish, by email) and Ana (English, by text message) RSVPed a week before."""
    ana = make_person(nnu, Role.MEMBER, name="Ana", language="en", site=oakland)
    add_contact(nurse, "email", "rosa@example.org", True)
    add_contact(ana, "sms", "+15105550123", True)
    for person in (nurse, ana):
        rsvps.answer(person, vigil)
    Rsvp.objects.update(answered_at=VIGIL_STARTS - timedelta(days=7))
    return nurse, ana


def test_it_reminds_everyone_going_a_day_before_in_their_language(
    going, sent, smtp_server, sms_gateway
):
    with sent():
        reminded = event_messages.remind_due(now=VIGIL_STARTS - timedelta(hours=23))

    assert reminded == 2
    (email,) = smtp_server.messages
    assert email["subject"] == "Mañana: Vigil at Kaiser Oakland"
    assert f"Cuándo: 26 de enero de {YEAR} a las 18:00 (PST)" in email["body"]
    (text,) = sms_gateway.messages
    assert text["to"] == "+15105550123"
    assert text["text"].startswith(
        f"Tomorrow: Vigil at Kaiser Oakland, Jan. 26, {YEAR}, 6 p.m. (PST)."
    )


def test_a_second_run_sends_nothing(going, sent, smtp_server, sms_gateway):
    moment = VIGIL_STARTS - timedelta(hours=23)
    with sent():
        event_messages.remind_due(now=moment)
        again = event_messages.remind_due(now=moment + timedelta(minutes=5))

    assert again == 0
    assert len(smtp_server.messages) + len(sms_gateway.messages) == 2


def test_it_reminds_again_two_hours_before(going, sent, smtp_server, sms_gateway):
    with sent():
        event_messages.remind_due(now=VIGIL_STARTS - timedelta(hours=23))
        reminded = event_messages.remind_due(now=VIGIL_STARTS - timedelta(minutes=110))

    assert reminded == 2
    assert smtp_server.messages[-1]["subject"] == "En dos horas: Vigil at Kaiser Oakland"


def test_the_day_before_reminder_never_follows_the_two_hour_one(going, sent, smtp_server):
    with sent():
        event_messages.remind_due(now=VIGIL_STARTS - timedelta(minutes=90))
        later = event_messages.remind_due(now=VIGIL_STARTS - timedelta(minutes=80))

    assert later == 0
    assert [m["subject"] for m in smtp_server.messages] == ["En dos horas: Vigil at Kaiser Oakland"]


def test_nobody_is_reminded_before_time_or_after_the_start(going, sent, smtp_server):
    with sent():
        early = event_messages.remind_due(now=VIGIL_STARTS - timedelta(hours=25))
        late = event_messages.remind_due(now=VIGIL_STARTS + timedelta(minutes=1))

    assert (early, late, smtp_server.messages) == (0, 0, [])


def test_someone_who_answers_an_hour_before_is_not_reminded(vigil, nurse, sent, smtp_server):
    add_contact(nurse, "email", "rosa@example.org", True)
    rsvps.answer(nurse, vigil)
    Rsvp.objects.update(answered_at=VIGIL_STARTS - timedelta(hours=1))

    with sent():
        assert event_messages.remind_due(now=VIGIL_STARTS - timedelta(minutes=30)) == 0


def test_a_shift_is_reminded_by_its_own_start(vigil, nurse, organizer, sent, smtp_server):
    later = rsvps.add_shift(
        organizer, vigil, "Last half hour", VIGIL_STARTS + timedelta(hours=1), vigil.ends_at, 5
    )
    add_contact(nurse, "email", "rosa@example.org", True)
    rsvps.answer(nurse, vigil, later)
    Rsvp.objects.update(answered_at=VIGIL_STARTS - timedelta(days=7))

    with sent():
        assert event_messages.remind_due(now=later.starts_at - timedelta(hours=23)) == 1
        # Two hours before the vigil starts, her shift is still two and a half away.
        assert event_messages.remind_due(now=VIGIL_STARTS - timedelta(hours=2)) == 0
        assert event_messages.remind_due(now=VIGIL_STARTS - timedelta(minutes=50)) == 1
    assert smtp_server.messages[-1]["subject"] == "En dos horas: Vigil at Kaiser Oakland"
    assert "Tu turno: Last half hour" in smtp_server.messages[-1]["body"]


def test_a_somali_speaker_is_reminded_in_somali_with_the_date_as_somali_writes_it(
    vigil, nnu, oakland, sent, smtp_server
):
    hodan = make_person(nnu, Role.MEMBER, name="Hodan", language="so", site=oakland)
    add_contact(hodan, "email", "hodan@example.org", True)
    rsvps.answer(hodan, vigil)
    Rsvp.objects.update(answered_at=VIGIL_STARTS - timedelta(days=7))

    with sent():
        event_messages.remind_due(now=VIGIL_STARTS - timedelta(hours=23))

    (email,) = smtp_server.messages
    assert email["subject"] == "Berri: Vigil at Kaiser Oakland"
    assert f"Goorma: 26 Janaayo {YEAR}, 18:00 (PST)" in email["body"]
