"""/demo/outbox/: what the demo's local channel servers received, for the demo's staff only."""

import json
import time

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.conftest import make_person, sign_in_browser, verified_client
from tocsin.accounts.roles import Role

URL = "/demo/outbox/"


@pytest.fixture
def demo(settings, tmp_path):
    """This server runs the demo (as `tocsin demo` says to its children), with its own var/."""
    settings.TOCSIN_DEMO = True
    settings.VAR_DIR = tmp_path
    return tmp_path


def received(var_dir, channel, *messages):
    outbox = var_dir / "outbox"
    outbox.mkdir(exist_ok=True)
    with (outbox / f"{channel}.jsonl").open("a") as file:
        for message in messages:
            file.write(json.dumps(message) + "\n")


def test_it_does_not_exist_outside_the_demo(client, admin, settings):
    assert settings.TOCSIN_DEMO is False
    assert reverse("demo:outbox") == URL
    assert client.get(URL).status_code == 404
    assert verified_client(client, admin).get(URL).status_code == 404


def test_it_sends_visitors_to_sign_in(client, demo, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_it_is_404_to_a_member_without_a_privileged_role(client, demo, org):
    member = make_person(org, Role.MEMBER, email="m@mna.test", password="correct horse 42")
    client.force_login(member)
    assert client.get(URL).status_code == 404


def test_it_shows_each_channels_messages_newest_first(admin_client, demo):
    received(
        demo,
        "signal",
        {"at": "2026-01-23T14:00:00+00:00", "to": "+16125550102", "text": "First notice"},
        {"at": "2026-01-23T14:05:00+00:00", "to": "+16125550103", "text": "Second notice"},
    )
    received(demo, "sms", {"at": "2026-01-23T14:06:00+00:00", "to": "+1612", "text": "SMS text"})
    received(
        demo,
        "email",
        {
            "at": "2026-01-23T14:07:00+00:00",
            "to": ["rosa@example.org"],
            "subject": "NOTICE: Picket",
            "body": "Picket at noon",
        },
    )
    received(
        demo,
        "push",
        {
            "at": "2026-01-23T14:08:00+00:00",
            "endpoint_id": "abcdefghijklmnop",
            "payload": {"title": "NOTICE", "body": "Picket at noon", "url": "http://x/a/t/"},
        },
    )

    page = admin_client.get(URL).content.decode()

    signal = page[page.index('id="outbox-signal"') : page.index('id="outbox-sms"')]
    assert signal.index("Second notice") < signal.index("First notice")
    assert "+16125550103" in signal and "2 messages" in signal
    assert "rosa@example.org" in page and "NOTICE: Picket" in page
    assert "…ijklmnop" in page and "Picket at noon" in page
    assert "demo/outbox.js" in page


def test_htmx_gets_only_the_lists(admin_client, demo):
    received(demo, "sms", {"at": "2026-01-23T14:06:00+00:00", "to": "+1612", "text": "SMS text"})
    response = admin_client.get(URL, headers={"hx-request": "true"})
    assert "<html" not in response.content.decode()
    assert "SMS text" in response.content.decode()


def test_it_speaks_spanish(admin_client, admin, demo):
    admin.language = "es"
    admin.save()
    with translation.override("en"):  # the request leaves Spanish active in this thread
        page = admin_client.get(URL).content.decode()
    assert "Bandeja de salida de la demostración" in page
    assert "Nada recibido todavía." in page


def sms(n, text=None, to=None):
    return {
        "at": f"2026-01-23T14:{n // 60:02d}:{n % 60:02d}+00:00",
        "to": to or f"+1612555{n:04d}",
        "text": text or f"Message number {n}",
    }


def test_it_shows_a_long_message_whole_with_its_link(admin_client, demo):
    long_text = "Agents at the ambulance bay. " * 20 + "Details: http://localhost:8000/a/tok3n/"
    received(
        demo, "email", {"at": "2026-01-23T14:07:00+00:00", "to": ["r@x.org"], "body": long_text}
    )

    page = admin_client.get(URL).content.decode()

    assert "Agents at the ambulance bay. " * 20 in page
    assert '<a href="http://localhost:8000/a/tok3n/"' in page


def test_it_searches_by_text_or_recipient_and_pages_through_every_message(admin_client, demo):
    received(demo, "sms", *(sms(n) for n in range(120)))
    received(demo, "sms", sms(120, text="Vigil at Kaiser Oakland", to="+16125559999"))

    found = admin_client.get(URL, {"q": "kaiser oakland"}).content.decode()
    assert found.count("data-message") == 1 and "+16125559999" in found
    assert admin_client.get(URL, {"q": "5559999"}).content.decode().count("data-message") == 1

    seen = []
    for page_number in (1, 2, 3):
        page = admin_client.get(URL, {"page": page_number}).content.decode()
        seen += [n for n in range(121) if f"+1612555{n:04d}<" in page]
    assert sorted(seen) == list(range(120))
    assert admin_client.get(URL, {"page": "x"}).status_code == 200


def test_its_refresh_is_204_when_nothing_arrived(admin_client, demo):
    received(demo, "sms", sms(1))
    first = admin_client.get(URL, headers={"hx-request": "true"}).content.decode()
    version = first.split('data-outbox-version="')[1].split('"')[0]
    again = admin_client.get(URL, {"since": version}, headers={"hx-request": "true"})
    assert again.status_code == 204
    received(demo, "sms", sms(2))
    assert (
        admin_client.get(URL, {"since": version}, headers={"hx-request": "true"}).status_code == 200
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_refresh_keeps_the_search_and_a_selection_and_links_open(desk, live_server, org, demo):
    admin = make_person(org, Role.ADMIN, email="admin@mna.test", password="correct horse 42")
    received(demo, "sms", *(sms(n) for n in range(30)))
    received(demo, "sms", sms(30, text="Vigil at Kaiser Oakland http://localhost:8000/events/abc/"))
    sign_in_browser(desk, live_server, admin)
    desk.goto(live_server.url + URL)

    # Every message of the channel is there, not only the newest 20.
    sms_rows = desk.locator("#outbox-sms [data-message]")
    expect(sms_rows).to_have_count(31)

    # A search by text keeps only what matches; the link in it is a link.
    desk.get_by_label("Search the messages (text or recipient)").fill("oakland")
    desk.get_by_role("button", name="Search").click()
    expect(sms_rows).to_have_count(1)
    link = desk.locator("#outbox-sms [data-message] a")
    expect(link).to_have_attribute("href", "http://localhost:8000/events/abc/")

    # A new matching message arrives and the refresh shows it, still searching.
    received(demo, "sms", sms(31, text="Second vigil at Kaiser Oakland"))
    expect(sms_rows).to_have_count(2, timeout=10_000)
    expect(desk.get_by_label("Search the messages (text or recipient)")).to_have_value("oakland")

    # Text selected in a message stays selected while new messages arrive.
    desk.locator("#outbox-sms [data-text]").first.select_text()
    selected = desk.evaluate("window.getSelection().toString()")
    assert "Second vigil" in selected
    received(demo, "sms", sms(32, text="Third vigil at Kaiser Oakland"))
    time.sleep(7)
    assert desk.evaluate("window.getSelection().toString()") == selected
    expect(sms_rows).to_have_count(2)

    # Once the selection is let go, the new message comes in.
    desk.evaluate("window.getSelection().removeAllRanges()")
    expect(sms_rows).to_have_count(3, timeout=10_000)
