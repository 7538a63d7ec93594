"""Every message that asks a member to act carries their own link, on every channel.

Each kind of message that asks someone to act (a ballot, a pledge invitation, an event
reminder for a shift, a verify request, a dispatch, a verified alert to a legal observer,
the member link that opens their own pages and emergency plan) is sent for real, through
the services that send it, to a person whose only contact is on one channel. The test
reads what the local stand-in server of that channel received, takes the link out of it
and follows it with a browser-less client to the page where the person acts.

The cases are crossed with every registered channel (tocsin.delivery.channels.kinds()),
and every kind of alert must be either sent here or listed as asking nobody to act: a new
channel, or a new kind of alert, that loses the link fails here.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person
from tests.kindapp.alerts import SHIFT_SWAP
from tests.kindapp.services import offer_shift
from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.campaigns.models import Rsvp
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import messages as event_messages
from tocsin.campaigns.services import rsvps
from tocsin.delivery.channels import kinds
from tocsin.delivery.kinds import personal_link_kinds, registered
from tocsin.delivery.models import Alert
from tocsin.joining.tasks import send_member_link
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import checks as pledge_checks
from tocsin.pledges.services import pledges as pledge_services
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services.reports import ReportInput, submit_report
from tocsin.votes.services import votes as vote_services

# Kinds of alert that ask nothing of their recipient from a page of their own, and why.
ASK_NOBODY_TO_ACT = {
    Alert.Kind.NEW_INCIDENT: "to dispatchers: carries the console's address, they sign in",
    Alert.Kind.HOTLINE: "to hotline volunteers: carries the case's address, they sign in",
    Alert.Kind.RETRACTION: "tells the earlier alert was wrong; nothing to do",
    Alert.Kind.ALL_CLEAR: "tells the activity is over; nothing to do",
    Alert.Kind.NOTICE: "an organizer's announcement; nothing to answer",
    Alert.Kind.REMINDER: "an organizer's reminder; nothing to answer",
}

ANSWER_BUTTONS = 'name="status"'  # response/_answer.html: confirmed, en route, …


@pytest.fixture
def inboxes(servers, push_service, vapid):
    return {**servers, "push": push_service}


def reachable_on(channel, inboxes, person, number):
    """Give `person` one confirmed contact, on `channel` only."""
    addresses = {
        "email": f"person{number}@links.test",
        "signal": f"+1612555{number:04d}",
        "sms": f"+1651555{number:04d}",
    }
    if channel == "push":
        address = inboxes["push"].subscribe(settings.TOCSIN_VAPID_PUBLIC_KEY)
    elif channel in addresses:
        address = addresses[channel]
    else:
        pytest.fail(f"no stand-in server here for the channel {channel}: add it to this test")
    add_contact(person, channel, address, confirmed=True)
    return person


def the_link_in(channel, inboxes) -> str:
    """Return the one link to Tocsin in the one message the channel's server received."""
    [message] = inboxes[channel].wait_for(1)
    if channel == "push":
        text = str(message["payload"].get("url", ""))  # what the notification opens
    elif channel == "email":
        text = message["body"]
    else:
        text = message["text"]
    found = re.findall(re.escape(settings.TOCSIN_BASE_URL) + r"/[^\s\"<>]*", text)
    assert found, f"no link in the {channel} message: {text!r}"
    return urlsplit(found[-1]).path


# Each case sends one kind of message to `person` and returns the text that the page the
# link leads to shows to a person who can act there.


def ballot(org, organizer, person):
    unit = Unit.objects.create(organization=org, name="Night shift nurses")
    Membership.objects.filter(person=person, organization=org).update(unit=unit)
    now = timezone.now()
    vote = vote_services.create_vote(
        organizer,
        org,
        vote_services.VoteInput(
            question="Do we accept the offer?",
            options=["Yes", "No"],
            unit=unit,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=2),
            quorum_kind="percent",
            quorum_value=50,
        ),
    )
    vote_services.send_ballots(organizer, vote)
    return "Cast my ballot"


def pledge_invitation(org, organizer, person):
    unit = Unit.objects.create(organization=org, name="Night shift nurses")
    others = [make_person(org, name=f"Nurse {n}") for n in range(12)]
    Membership.objects.filter(person__in=[person, *others], organization=org).update(unit=unit)
    pledge = pledge_services.create_pledge(
        organizer,
        org,
        pledge_checks.PledgeInput(
            action="We refuse mandatory overtime on Friday",
            scope=Pledge.Scope.UNIT,
            units=[unit],
            threshold_kind=Pledge.ThresholdKind.PERCENT,
            threshold_value=60,
            deadline=timezone.now() + timedelta(days=7),
        ),
    )
    pledge_services.send_pledge(organizer, pledge)
    return "I pledge"


def shift_reminder(org, organizer, person):
    starts = timezone.now() + timedelta(minutes=90)
    event = event_services.create_event(
        organizer,
        org,
        event_services.EventInput(
            title="Vigil at Hennepin",
            site=Membership.objects.get(person=person, organization=org).site,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            time_zone="America/Chicago",
        ),
    )
    shift = rsvps.add_shift(organizer, event, "Vigil line", starts, starts + timedelta(hours=1), 5)
    rsvps.answer(person, event, shift)
    Rsvp.objects.filter(person=person).update(answered_at=timezone.now() - timedelta(days=1))
    assert event_messages.remind_due() == 1
    return "Cancel my RSVP"


def incident(org, site):
    submit_report(org, ReportInput(site=site, activity="Agents at the ambulance bay"), "web")
    return Incident.objects.get()


def verify_request(org, dispatcher, person):
    broadcast.request_verification(dispatcher, incident(org, person_site(org, person)), 2000)
    return ANSWER_BUTTONS


def dispatch(org, dispatcher, person):
    broadcast.dispatch_legal_van(dispatcher, incident(org, person_site(org, person)))
    return ANSWER_BUTTONS


def verified_alert(org, dispatcher, person):
    facts = broadcast.AlertFacts(seen=["agents_on_foot"], notes={"en": "At the ambulance bay"})
    broadcast.confirm_incident(dispatcher, incident(org, person_site(org, person)), facts)
    return ANSWER_BUTTONS


def shift_swap(org, staff, person):
    offer_shift(org, staff, [person], "Friday 6 a.m.")
    return "Take this shift"


def person_site(org, person):
    return Membership.objects.get(person=person, organization=org).site


CASES = {
    "ballot": (Alert.Kind.BALLOT, Role.MEMBER, ballot),
    "pledge invitation": (Alert.Kind.PLEDGE, Role.MEMBER, pledge_invitation),
    "shift reminder": (Alert.Kind.EVENT, Role.MEMBER, shift_reminder),
    "verify request": (Alert.Kind.VERIFY_REQUEST, Role.VERIFIER, verify_request),
    "dispatch": (Alert.Kind.DISPATCH, Role.LEGAL_VAN, dispatch),
    "verified alert": (Alert.Kind.VERIFIED, Role.LEGAL_OBSERVER, verified_alert),
    # The kind of the test settings' own app, which names it nowhere else (decision 0026).
    "shift swap": (SHIFT_SWAP.name, Role.MEMBER, shift_swap),
}


def test_every_kind_of_alert_is_sent_here_or_asks_nobody_to_act():
    sent_here = {kind for kind, _role, _case in CASES.values()}

    assert sent_here.isdisjoint(ASK_NOBODY_TO_ACT)
    assert sent_here | set(ASK_NOBODY_TO_ACT) == {kind.name for kind in registered()}
    assert sent_here >= personal_link_kinds()


@pytest.mark.parametrize("channel", kinds())
@pytest.mark.parametrize("case", CASES)
def test_a_message_asking_a_person_to_act_links_them_to_where_they_act(
    case, channel, org, site, inboxes, sent
):
    _kind, role, send_it = CASES[case]
    staff = make_person(org, Role.ORGANIZER | Role.DISPATCHER, name="Dana Dispatcher")
    person = reachable_on(channel, inboxes, make_person(org, role, name="Rosa Reyes", site=site), 1)

    with sent():
        button = send_it(org, staff, person)

    page = Client().get(the_link_in(channel, inboxes), follow=True)
    assert page.status_code == 200
    assert button in page.content.decode()


@pytest.mark.parametrize("channel", [kind for kind in kinds() if kind != "push"])
def test_the_member_link_leads_to_the_members_own_pages_and_emergency_plan(
    channel, org, site, inboxes
):
    """A member asks for their link by typing an address or a number: every channel but
    web push, whose subscription nobody types."""
    person = reachable_on(channel, inboxes, make_person(org, name="Rosa Reyes", site=site), 2)

    send_member_link(person.contacts.get().pk)

    member = Client()
    page = member.get(the_link_in(channel, inboxes), follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == reverse("joining:me")
    plan = member.get(reverse("hotline:plan"))
    assert plan.status_code == 200
    assert "Save my plan" in plan.content.decode()
