"""`tocsin demo` runs a local server per channel on this machine; the demo's members have
contacts those servers receive, and some a web push subscription the push service knows."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tocsin.accounts.models import ContactPoint
from tocsin.demo.channel_servers import push_state_path
from tocsin.demo.management.commands.demo import children
from tocsin.demo.people import WEB_PUSH_EVERY, generate_members
from tocsin.demo.services import load_demo


def test_the_demo_runs_a_server_per_channel_and_marks_its_children_as_the_demo():
    processes = {child.name: child for child in children("127.0.0.1", 8000)}

    assert list(processes) == [
        "web server",
        "worker",
        "local email server",
        "local signal server",
        "local sms server",
        "local push server",
    ]
    assert processes["local push server"].command[-2:] == ["channel-server", "push"]
    for child in processes.values():
        assert child.env["TOCSIN_DEMO"] == "1"
        assert child.env["TOCSIN_BASE_URL"]


def test_a_channel_pointed_at_another_machine_gets_no_local_server(settings):
    settings.TOCSIN_SIGNAL_URL = "https://signal.example.org"
    names = [child.name for child in children("127.0.0.1", 8000)]
    assert "local signal server" not in names
    assert "local sms server" in names


def test_the_channel_server_refuses_to_stand_in_for_another_machine(settings):
    settings.TOCSIN_SMS_URL = "https://api.twilio.com"
    with pytest.raises(CommandError, match="TOCSIN_SMS_URL points at another machine"):
        call_command("channel-server", "sms")


def test_a_quarter_of_the_members_have_a_push_subscription_on_the_local_service(
    db, demo_world, settings
):
    pushes = ContactPoint.objects.filter(channel="push", confirmed_at__isnull=False)
    expected = sum(member.web_push for member in generate_members())
    assert expected == len(generate_members()) // WEB_PUSH_EVERY
    assert pushes.count() == expected
    known = json.loads(push_state_path().read_text())
    for contact in pushes:
        subscription = json.loads(contact.address)
        assert subscription["endpoint"].startswith(settings.TOCSIN_DEMO_PUSH_URL + "/push/")
        assert subscription["endpoint"].rpartition("/")[2] in known

    load_demo()
    assert ContactPoint.objects.filter(channel="push").count() == expected


def test_every_demo_member_has_a_contact_the_local_servers_take(db, demo_world):
    channels = set(ContactPoint.objects.values_list("channel", flat=True))
    assert channels == {"email", "signal", "sms", "push"}
    assert not ContactPoint.objects.filter(confirmed_at__isnull=True).exists()


def test_members_with_a_phone_prefer_it_to_email(db, demo_world):
    first = dict(ContactPoint.objects.filter(preference=1).values_list("person_id", "channel"))
    assert set(first.values()) == {"email", "signal", "sms"}
    assert sum(channel != "email" for channel in first.values()) > len(first) // 2
