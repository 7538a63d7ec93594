"""National Nurses United shares its events with United Educators of San Francisco
(decision 0033): the teachers see the Kaiser Oakland vigil on their own Events page and take
a place on its shift; UESF's organizers see it listed as shared by NNU; NNU's organizers
count the teachers by organization and never see their names. Once the agreement ends, the
vigil is 404 to the teachers, and its reminders and its cancellation no longer reach them.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_org, make_person, member_client, verified_client
from tests.factories import share
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.campaigns.models import Rsvp
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import messages as event_messages
from tocsin.sharing import services as sharing

from .conftest import VIGIL_STARTS, vigil_input

TEACHER = "Marta Okafor"
TEACHER_EMAIL = "marta@uesf.test"
NURSE_EMAIL = "rosa@example.org"


@pytest.fixture
def uesf(db):
    return make_org("uesf", "United Educators of San Francisco")


@pytest.fixture
def agreement(nnu, uesf):
    return share(nnu, uesf, "events")


@pytest.fixture
def teacher(uesf):
    person = make_person(uesf, Role.MEMBER, name=TEACHER)
    add_contact(person, "email", TEACHER_EMAIL, True)
    return person


@pytest.fixture
def teachers_phone(teacher):
    return member_client(Client(), teacher)


@pytest.fixture
def uesf_organizer(uesf):
    person = make_person(uesf, Role.ORGANIZER, email="org@uesf.test", password="uesf horse 42")
    return verified_client(Client(), person)


@pytest.fixture
def nnu_organizer(organizer):
    return verified_client(Client(), organizer)


def mine(vigil):
    return reverse("campaigns:my_event", kwargs={"event": vigil.code})


def staff_event(org, vigil):
    return reverse("campaigns:event", kwargs={"org": org.slug, "event": vigil.code})


def text(response):
    return response.content.decode()


def test_a_partners_members_see_and_join_the_shared_events(
    agreement, vigil, shift, teachers_phone, nnu, oakland, organizer
):
    private = event_services.create_event(
        organizer, nnu, vigil_input(oakland, title="Stewards' meeting", visibility="organization")
    )

    listed = text(teachers_phone.get(reverse("campaigns:my_events")))
    answer = teachers_phone.post(mine(vigil), {"do": "rsvp", "shift": shift.code}, follow=True)

    assert "Vigil at Kaiser Oakland" in listed and "Stewards' meeting" not in listed
    assert "going" in text(answer).lower() and "3600 Broadway" in text(answer)
    assert teachers_phone.get(mine(private)).status_code == 404


def test_the_partners_organizers_see_them_listed_as_shared(
    agreement, vigil, teacher, uesf, uesf_organizer, teachers_phone
):
    teachers_phone.post(mine(vigil), {"do": "rsvp"})

    listed = text(uesf_organizer.get(reverse("campaigns:campaigns", kwargs={"org": uesf.slug})))
    page = text(uesf_organizer.get(staff_event(uesf, vigil)))

    assert "Events shared with us" in listed
    assert "Vigil at Kaiser Oakland" in listed and "National Nurses United" in listed
    assert "Shared with us by National Nurses United" in page
    assert "Our members: 1 going, 0 checked in." in page
    assert TEACHER not in page and "Who RSVPed" not in page


def test_the_host_counts_the_partners_members_by_organization_never_by_name(
    agreement, vigil, nurse, nnu, teachers_phone, nnu_organizer
):
    member_client(Client(), nurse).post(mine(vigil), {"do": "rsvp"})
    teachers_phone.post(mine(vigil), {"do": "rsvp"})

    page = text(nnu_organizer.get(staff_event(nnu, vigil)))

    rows = re.findall(r'data-testid="organization-row"><td>([^<]+)</td><td>(\d+)</td>', page)
    assert rows == [("National Nurses United", "1"), ("United Educators of San Francisco", "1")]
    assert "Rosa Rivera" in page  # the host's own member
    assert TEACHER not in page and TEACHER_EMAIL not in page


def test_after_the_agreement_ends_the_vigil_is_404_and_its_messages_stop(
    agreement,
    vigil,
    nurse,
    nnu,
    uesf,
    teacher,
    teachers_phone,
    uesf_organizer,
    organizer,
    sent,
    smtp_server,
    settings,
):
    add_contact(nurse, "email", NURSE_EMAIL, True)
    for phone in (member_client(Client(), nurse), teachers_phone):
        phone.post(mine(vigil), {"do": "rsvp"})
    Rsvp.objects.update(answered_at=VIGIL_STARTS - timedelta(days=7))
    with sent():
        event_messages.remind_due(now=VIGIL_STARTS - timedelta(hours=23))
    [reminder] = [m for m in smtp_server.messages if m["to"] == [TEACHER_EMAIL]]
    link = re.search(r"https?://\S+", reminder["body"]).group(0)
    link = link.replace(settings.TOCSIN_BASE_URL, "")
    assert Client().get(link).status_code == 200
    smtp_server.clear()

    sharing.end(None, agreement.organization, agreement)

    assert teachers_phone.get(mine(vigil)).status_code == 404
    assert teachers_phone.post(mine(vigil), {"do": "cancel"}).status_code == 404
    assert "Vigil at Kaiser Oakland" not in text(teachers_phone.get(reverse("campaigns:my_events")))
    assert Client().get(link).status_code == 404  # the reminder's own link
    assert uesf_organizer.get(staff_event(uesf, vigil)).status_code == 404
    with sent():
        event_messages.remind_due(now=VIGIL_STARTS - timedelta(minutes=110))
        event_services.cancel_event(organizer, vigil)
    assert [m["to"] for m in smtp_server.messages] == [[NURSE_EMAIL], [NURSE_EMAIL]]


def test_an_agreement_that_shares_something_else_shares_no_events(
    vigil, nnu, uesf, teachers_phone, uesf_organizer
):
    share(nnu, uesf, "alerts", "hotline", "clauses")

    assert teachers_phone.get(mine(vigil)).status_code == 404
    assert uesf_organizer.get(staff_event(uesf, vigil)).status_code == 404


def test_sharing_goes_one_way(vigil, nnu, uesf, organizer, agreement):
    """UESF receives NNU's events; it gives none: NNU's members do not see UESF's."""
    teachers_event = event_services.create_event(
        None, uesf, vigil_input(None, title="Teachers' rally", address="Civic Center, SF")
    )
    nurse = make_person(nnu, Role.MEMBER, name="Rosa Rivera")

    assert member_client(Client(), nurse).get(mine(teachers_event)).status_code == 404
