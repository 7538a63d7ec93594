"""Every kind of message Tocsin sends travels on every channel that can carry it.

Four kinds of message leave Tocsin: an alert's delivery, a confirmation code, a member link
and a case message to a family. Each is sent here through the path a person sets off (an
admin's notice form, a member-link request from a contact not confirmed yet, the same
request from a confirmed one, a hotline volunteer's family update) to someone whose one
address is on one channel, and that channel's local server must receive exactly one
message for the address, saying what it should.

The kinds are crossed with every registered channel (tocsin.delivery.channels.kinds()). A
channel that cannot carry codes, links and case messages by design says so in its
transport (`Transport.direct`: web push, whose address nobody types) and, with its
reason, in CARRIES_NO_DIRECT_MESSAGES here; its transport must refuse them for good. A
new channel that carries only alerts, or a new kind of message that skips a channel,
fails here.
"""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person, wait_until
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.channels import (
    Message,
    TransportError,
    carries_direct,
    kinds,
    transport_for,
)
from tocsin.hotline.models import Case
from tocsin.hotline.services.cases import CaseInput, open_case
from tocsin.hotline.services.messages import send_family_update

NOTICE = "Union meeting moved to 6 pm"
UPDATE = "Miguel is at Sherburne County Jail. The hearing is on Thursday."
CODE = re.compile(r"\b\d{6}\b")


@pytest.fixture
def inboxes(servers, push_service, vapid):
    return {**servers, "push": push_service}


def address_on(channel, inboxes) -> str:
    """Return an address on `channel` whose messages its local server keeps."""
    addresses = {"email": "rosa@every.test", "signal": "+16125550160", "sms": "+16515550160"}
    if channel == "push":
        return inboxes["push"].subscribe(settings.TOCSIN_VAPID_PUBLIC_KEY)
    if channel not in addresses:
        pytest.fail(f"no stand-in server here for the channel {channel}: add it to this test")
    return addresses[channel]


def typed(channel, address) -> str:
    """Return the address as a person types it into a form."""
    return f"({address[2:5]}) {address[5:8]}-{address[8:]}" if address.startswith("+1") else address


def received(channel, inboxes, address) -> list[str]:
    """Return what the channel's local server received for `address`, one text a message."""
    if channel == "push":
        return [json.dumps(m["payload"]) for m in inboxes["push"].messages_for(address)]
    if channel == "email":
        return [
            f"{m['subject']}\n{m['body']}"
            for m in inboxes["email"].messages
            if [address] == m["to"]
        ]
    return [m["text"] for m in inboxes[channel].messages if m["to"] == address]


def reachable_person(org, site, channel, address, confirmed=True):
    person = make_person(org, name="Rosa Reyes", site=site)
    add_contact(person, channel, address, confirmed=confirmed)
    return person


# Each kind sends one message to `address` on `channel` the way a person sets it off, and
# returns what the message must say.


def alert_delivery(channel, address, org, site, admin_client, capture):
    """An admin sends a notice to every member from the alerts page."""
    reachable_person(org, site, channel, address)
    notice = {"what": NOTICE, "where": "", "audience": "everyone"}
    with capture(execute=True):
        response = admin_client.post(reverse("delivery:alerts", kwargs={"org": org.slug}), notice)
    assert response.status_code == 302
    return NOTICE


def confirmation_code(channel, address, org, site, admin_client, capture):
    """A member whose contact is not confirmed yet asks for their link: they get a code."""
    reachable_person(org, site, channel, address, confirmed=False)
    with capture(execute=True):
        Client().post(reverse("joining:member_link_request"), {"address": typed(channel, address)})
    return CODE


def member_link(channel, address, org, site, admin_client, capture):
    """A member types their address to have their own link sent to it."""
    reachable_person(org, site, channel, address)
    with capture(execute=True):
        Client().post(reverse("joining:member_link_request"), {"address": typed(channel, address)})
    return settings.TOCSIN_BASE_URL + "/me/link/"


def case_message(channel, address, org, site, admin_client, capture):
    """A hotline volunteer opens a case for a relative's call and sends the family an update."""
    hotline = make_person(org, Role.HOTLINE, email="hotline@mna.test", name="Hana Hotline")
    relative = {
        "name": "Lucía Rivera",
        "relation": "sibling",
        "channel": channel,
        "address": typed(channel, address),
        "language": "en",
    }
    with capture(execute=True):
        case = open_case(
            hotline, org, CaseInput(name="Miguel Rivera", family=[relative]), Case.OpenedVia.CALL
        )
        assert send_family_update(hotline, case, UPDATE, [0]) == 1
    return UPDATE


# Channels whose transport carries alerts only (`Transport.direct = False`), and why.
CARRIES_NO_DIRECT_MESSAGES = {
    "push": "its address is a browser's subscription, made on the member's own pages: "
    "nobody types it to get a code or a link, or to reach a relative",
}

# kind: (how it is sent, whether it is a direct message: one address someone typed)
KINDS = {
    "alert delivery": (alert_delivery, False),
    "confirmation code": (confirmation_code, True),
    "member link": (member_link, True),
    "case message": (case_message, True),
}


@pytest.mark.parametrize("channel", kinds())
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_message_arrives_once_on_every_channel_that_carries_it(
    kind,
    channel,
    org,
    site,
    inboxes,
    admin_client,
    django_capture_on_commit_callbacks,
):
    send_it, direct = KINDS[kind]
    address = address_on(channel, inboxes)

    if direct and not carries_direct(channel):
        # Declared by the channel's transport, and held to: it refuses for good.
        with pytest.raises(TransportError) as refused:
            transport_for(channel).send_direct(Message(address, "Tocsin", "123456"))
        assert refused.value.permanent
        assert received(channel, inboxes, address) == []
        return

    says = send_it(channel, address, org, site, admin_client, django_capture_on_commit_callbacks)

    [text] = wait_until(lambda: received(channel, inboxes, address))
    if isinstance(says, re.Pattern):
        assert says.search(text), f"the {kind} on {channel} says {text!r}"
    else:
        assert says in text, f"the {kind} on {channel} says {text!r}"


def test_a_channel_carries_no_direct_messages_only_for_a_reason_written_here():
    """A transport that declares `direct = False` opts out of codes, links and case
    messages: that is a choice made on purpose, with its reason, never by leaving it out."""
    assert {channel for channel in kinds() if not carries_direct(channel)} == set(
        CARRIES_NO_DIRECT_MESSAGES
    )
