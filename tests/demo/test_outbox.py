"""/demo/outbox/: what the demo's local channel servers received, for the demo's staff only."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_person, verified_client
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
    assert 'hx-trigger="every 3s"' in page


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


def test_it_reads_only_the_end_of_a_long_outbox(demo):
    from tocsin.demo.channel_servers import latest

    received(
        demo,
        "sms",
        *(
            {"at": "2026-01-23T14:00:00+00:00", "to": f"+1612555{n:04d}", "text": "x" * 500}
            for n in range(2000)
        ),
    )
    messages = latest("sms", 20)
    assert [m["to"] for m in messages] == [f"+1612555{n:04d}" for n in range(1999, 1979, -1)]
