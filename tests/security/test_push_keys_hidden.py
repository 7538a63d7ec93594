"""A hostile admin (or anyone looking over one's shoulder) asks to see a member's contacts.

A web push subscription's endpoint URL and its p256dh and auth keys let whoever holds them
push messages to the member's browser as if they came from Tocsin. Staff see that the member
has web push on a device, its push service and since when, never the subscription itself.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import member_client, verified_client
from tests.factories import Api, token_for
from tocsin.delivery.vapid import application_server_key


@pytest.fixture
def subscription(member, push_service, vapid):
    """The member turns on web push on her phone, from her own member link."""
    browser = member_client(Client(), member)
    made = push_service.subscribe(application_server_key())
    response = browser.post(
        reverse("joining:push_subscribe"), made, content_type="application/json"
    )
    assert response.status_code == 201
    return json.loads(made)


def secrets_of(subscription: dict) -> list[str]:
    endpoint = subscription["endpoint"]
    return [
        endpoint,
        endpoint.rpartition("/")[2],
        subscription["keys"]["p256dh"],
        subscription["keys"]["auth"],
    ]


def test_show_contacts_tells_the_admin_of_a_push_device_without_its_keys(
    client, admin, member, subscription
):
    admin_client = verified_client(client, admin)
    url = f"/staff/o/mna/members/{member.public_id}/"

    shown = admin_client.post(url + "contacts/").content.decode()

    assert shown.count("web push") >= 1
    assert "127.0.0.1" in shown  # the push service's host, so staff know which browser family
    for secret in secrets_of(subscription):
        assert secret not in shown
    assert "p256dh" not in shown and '"auth"' not in shown
    assert "endpoint" not in shown


def test_the_api_reveals_contacts_without_a_push_subscriptions_keys(admin, member, subscription):
    api = Api(token_for(admin))

    revealed = api.get(f"/organizations/mna/people/{member.public_id}", reveal="contacts")

    assert revealed.status_code == 200
    body = revealed.content.decode()
    [push] = [c for c in revealed.json()["contacts"] if c["channel"] == "push"]
    assert push["confirmed"] is True
    assert push["address"]  # something to show: the push service, not the subscription
    for secret in secrets_of(subscription):
        assert secret not in body
    assert "p256dh" not in body


def test_the_member_sees_her_own_push_device_without_its_keys(member, subscription):
    browser = member_client(Client(), member)

    page = browser.get(reverse("joining:contacts") + "?show=all").content.decode()

    assert "127.0.0.1" in page  # her push service, so she knows which browser it is
    for secret in secrets_of(subscription):
        assert secret not in page
