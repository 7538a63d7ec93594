import re
import time
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact
from tocsin.joining.links import member_link_token

from .conftest import CODE

MEMBER_PAGES = [
    "joining:me",
    "joining:contacts",
    "joining:subscriptions",
    "joining:leave",
    "joining:welcome",
    "joining:sign_out",
]


def ask_for_link(client, capture, address):
    with capture(execute=True):
        return client.post(reverse("joining:member_link_request"), {"address": address})


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_it_sends_a_link_to_a_confirmed_contact_that_opens_my_page(
    client, confirmed_member, smtp_server, capture
):
    response = ask_for_link(client, capture, " Rosa@Example.org ")

    assert response.status_code == 200
    [message] = smtp_server.wait_for(1)
    assert message["to"] == ["rosa@example.org"]
    assert "enlace" in message["body"]  # Rosa reads Spanish
    link = next(line for line in message["body"].split() if "/me/link/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    response = client.get("/" + path)

    assert response.status_code == 302
    assert response["Location"] == reverse("joining:me")
    assert client.session[MEMBER_SESSION_KEY] == confirmed_member.pk
    assert "Rosa Reyes" in client.get(reverse("joining:me")).content.decode()


def test_it_answers_the_same_whether_a_contact_is_confirmed_unconfirmed_or_unknown(
    client, org, confirmed_member, smtp_server, http_gateway, settings, capture
):
    settings.TOCSIN_SMS_URL = http_gateway.url
    waiting = make_person(org, name="Wendy Waiting")
    add_contact(waiting, ContactPoint.Channel.SMS, "+1 612 555 0177")

    answers = [
        ask_for_link(client, capture, address).content.decode()
        for address in ("rosa@example.org", "nobody@example.org", "+1 612 555 0177", "hello")
    ]

    def main_part(html):
        main = html.split('<main id="main">')[1].split("</main>")[0]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)

    assert len({main_part(answer) for answer in answers}) == 1
    assert len(smtp_server.wait_for(1)) == 1  # Rosa's link
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1
    # The unconfirmed number gets a code, never a link.
    [sms] = http_gateway.requests
    body = parse_qs(sms["body"].decode())["Body"][0]
    assert CODE.search(body) and "/me/link/" not in body


def test_an_unconfirmed_member_signs_in_with_the_code_which_confirms_the_contact(
    client, org, http_gateway, settings, capture
):
    settings.TOCSIN_SMS_URL = http_gateway.url
    imported = make_person(org, name="Iris Imported")
    contact = add_contact(imported, ContactPoint.Channel.SMS, "+1 612 555 0178")
    ask_for_link(client, capture, "612-555-0178")
    code = CODE.search(parse_qs(http_gateway.requests[0]["body"].decode())["Body"][0]).group(1)

    response = client.post(reverse("joining:member_code"), {"contact": "0", "code": code})

    assert response.status_code == 302
    assert response["Location"] == reverse("joining:me")
    assert client.session[MEMBER_SESSION_KEY] == imported.pk
    contact.refresh_from_db()
    assert contact.confirmed


def test_a_code_without_a_matching_contact_is_just_wrong(client, confirmed_member, capture):
    ask_for_link(client, capture, "nobody@example.org")
    response = client.post(reverse("joining:member_code"), {"contact": "0", "code": "123456"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    assert MEMBER_SESSION_KEY not in client.session


def test_it_sends_at_most_three_links_an_hour_to_one_contact(
    client, confirmed_member, smtp_server, capture
):
    for _attempt in range(5):
        ask_for_link(client, capture, "rosa@example.org")
    assert len(smtp_server.wait_for(3)) == 3
    time.sleep(0.2)
    assert len(smtp_server.messages) == 3


def test_a_member_link_expires(client, confirmed_member, settings, monkeypatch):
    contact = confirmed_member.contacts.get()
    made_at = time.time() - (settings.TOCSIN_MEMBER_LINK_HOURS * 3600 + 60)
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: made_at)
        token = member_link_token(contact)

    response = client.get(reverse("joining:member_link", kwargs={"token": token}))

    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert MEMBER_SESSION_KEY not in client.session


def test_a_member_link_stops_working_when_its_contact_is_removed(client, confirmed_member):
    contact = confirmed_member.contacts.get()
    token = member_link_token(contact)
    contact.delete()

    response = client.get(reverse("joining:member_link", kwargs={"token": token}))

    assert response.status_code == 404
    assert MEMBER_SESSION_KEY not in client.session


def test_a_tampered_member_link_is_refused(client, confirmed_member):
    token = member_link_token(confirmed_member.contacts.get())
    tampered = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    response = client.get(reverse("joining:member_link", kwargs={"token": tampered}))
    assert response.status_code == 404
    response = client.get(reverse("joining:member_link", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_refuse_visitors_without_a_member_session(client, db, name):
    for method in (client.get, client.post):
        response = method(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("joining:member_link_request")


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_a_staff_sign_in_is_not_a_member_session(admin_client, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("joining:member_link_request")
