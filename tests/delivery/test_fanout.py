"""An alert goes out: one message per person and channel, through servers that speak each
channel's protocol, with fallback and retries, and never twice."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import member_with, notice, received
from tocsin.delivery.fanout import fallback_due, fan_out, resume_stalled
from tocsin.delivery.models import Delivery
from tocsin.delivery.services import send_alert
from tocsin.delivery.status import alert_status


@pytest.fixture
def three_members(org):
    return [
        member_with(org, "Rosa", ("email", "rosa@example.org")),
        member_with(org, "Tomás", ("signal", "+16125550102"), language="es"),
        member_with(org, "Lee", ("sms", "+16125550103"), ("email", "lee@example.org")),
    ]


def test_each_person_gets_one_message_on_their_first_channel(org, servers, three_members, send):
    alert = send(notice(org))

    assert received(servers) == {
        "email": ["rosa@example.org"],
        "signal": ["+16125550102"],
        "sms": ["+16125550103"],
    }
    status = alert_status(alert)
    assert status["audience_size"] == 3
    assert status["deliveries"] == {
        "queued": 0,
        "sent": 3,
        "delivered": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert status["by_channel"]["sms"]["sent"] == 1
    assert status["state"] == "done"


def test_each_message_is_in_its_recipients_language(org, servers, three_members, send):
    send(notice(org))

    assert servers["signal"].messages[0]["text"].startswith("AVISO")
    assert servers["email"].messages[0]["subject"].startswith("NOTICE")


def test_the_sms_is_short_and_ends_with_a_personal_link(org, servers, three_members, client, send):
    send(notice(org, what="Meeting " * 60))

    text = servers["sms"].messages[0]["text"]
    assert len(text) <= 320
    link = text.rsplit(" ", 1)[1]
    page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "Meeting" in page.content.decode()


def test_sending_twice_or_running_the_fan_out_again_sends_nothing_twice(
    org, servers, three_members, send
):
    alert = send(notice(org))
    send(alert)
    fan_out(alert.pk)

    assert sum(len(messages) for messages in received(servers).values()) == 3
    assert Delivery.objects.filter(alert=alert).count() == 3


def test_a_number_signal_refuses_fails_with_a_reason_and_falls_back(org, servers, send):
    servers["signal"].unregistered = {"+16125550104"}
    member_with(org, "Ana", ("signal", "+16125550104"), ("email", "ana@example.org"))
    member_with(org, "Bea", ("signal", "+16125550105"))

    alert = send(notice(org))

    failed = Delivery.objects.get(alert=alert, channel="signal", person__display_name="Ana")
    assert failed.status == "failed" and failed.reason
    assert received(servers)["email"] == ["ana@example.org"]
    assert received(servers)["signal"] == ["+16125550105"]


def wait_until_sent(alert, expected, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Delivery.objects.filter(alert=alert, status="sent").count() >= expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"only {alert_status(alert)['deliveries']} after {timeout}s")


@pytest.mark.django_db(transaction=True)
def test_a_server_down_then_back_gets_every_message_exactly_once(org, servers, worker):
    for n in range(5):
        member_with(org, f"Signal {n}", ("signal", f"+1612555011{n}"))
    servers["signal"].down()

    alert = send_alert(notice(org))
    time.sleep(1.0)
    assert servers["signal"].messages == []
    servers["signal"].up()

    wait_until_sent(alert, 5)
    assert sorted(m["to"] for m in servers["signal"].messages) == [
        f"+1612555011{n}" for n in range(5)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_429_pause_is_respected_and_nothing_is_dropped(org, servers, worker):
    for n in range(3):
        member_with(org, f"Sms {n}", ("sms", f"+1612555012{n}"))
    servers["sms"].rate_limit(1, retry_after=2)

    started = time.monotonic()
    alert = send_alert(notice(org))
    wait_until_sent(alert, 3)

    assert time.monotonic() - started >= 1.5
    assert sorted(m["to"] for m in servers["sms"].messages) == [f"+1612555012{n}" for n in range(3)]


@pytest.mark.django_db(transaction=True)
def test_the_same_alert_enqueued_twice_sends_no_duplicate(org, servers, worker):
    for n in range(4):
        member_with(org, f"Email {n}", ("email", f"person{n}@example.org"))
    alert = send_alert(notice(org))
    fan_out(alert.pk)
    fan_out(alert.pk)

    wait_until_sent(alert, 4)
    time.sleep(1.0)
    assert len(servers["email"].messages) == 4


def past_deadline(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(
        fallback_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_channel_that_keeps_failing_hands_over_after_the_deadline(org, servers, send):
    member_with(org, "Ana", ("signal", "+16125550106"), ("email", "ana@example.org"))
    servers["signal"].down()
    alert = send(notice(org))
    signal = Delivery.objects.get(alert=alert, channel="signal")
    assert (signal.status, signal.attempts) == ("queued", 1)

    past_deadline(signal)
    assert fallback_due.call_local() == 1

    assert received(servers)["email"] == ["ana@example.org"]
    assert Delivery.objects.get(alert=alert, channel="email").status == "sent"


def test_a_delivery_waiting_its_turn_in_a_long_queue_does_not_hand_over(org, servers):
    person = member_with(org, "Bea", ("signal", "+16125550107"), ("email", "bea@example.org"))
    alert = notice(org)
    waiting = Delivery.objects.create(
        alert=alert, person=person, channel="signal", contact=person.contacts.first()
    )
    past_deadline(waiting)

    assert fallback_due.call_local() == 0
    assert received(servers)["email"] == []
    assert Delivery.objects.filter(alert=alert).count() == 1


def test_a_json_rpc_201_hiding_no_failure_hands_the_unregistered_over_at_once(org, servers, send):
    # signal-cli-rest-api after 0.100 answers 201 and lists who failed (client.go, send).
    servers["signal"].mode, servers["signal"].version = "json-rpc", "0.101"
    servers["signal"].unregistered = {"+16125550104"}
    member_with(org, "Ana", ("signal", "+16125550104"), ("email", "ana@example.org"))
    member_with(org, "Bea", ("signal", "+16125550105"))

    alert = send(notice(org))

    failed = Delivery.objects.get(alert=alert, channel="signal", person__display_name="Ana")
    assert (failed.status, failed.reason) == ("failed", "not on Signal (unregistered)")
    assert received(servers) == {
        "email": ["ana@example.org"],
        "signal": ["+16125550105"],
        "sms": [],
    }


def test_a_signal_send_left_unanswered_is_never_resent_and_its_people_fall_back(
    org, servers, send, settings
):
    settings.TOCSIN_SIGNAL_TIMEOUT_SECONDS = 1
    servers["signal"].hang(delivers=True)  # signal-cli sends; the answer never comes
    people = [
        member_with(org, f"P{n}", ("signal", f"+1612555020{n}"), ("email", f"p{n}@example.org"))
        for n in range(4)
    ]

    alert = send(notice(org))

    servers["signal"].up()
    assert servers["signal"].requests == 1
    assert received(servers)["signal"] == [f"+1612555020{n}" for n in range(4)]
    assert received(servers)["email"] == [f"p{n}@example.org" for n in range(4)]
    rows = Delivery.objects.filter(alert=alert, channel="signal")
    assert {(row.status, row.reason) for row in rows} == {
        ("failed", "no answer from the Signal gateway in time: it may have been sent")
    }
    assert len(people) == rows.count()


@pytest.mark.django_db(transaction=True)
def test_a_slow_signal_send_keeps_its_rows_from_the_sweeper_until_answered(org, servers, settings):
    settings.TOCSIN_DELIVERY_LEASE_SECONDS = 1
    settings.TOCSIN_SIGNAL_TIMEOUT_SECONDS = 4
    servers["signal"].latency(2.5)  # normal mode: a JVM per request, then signal-cli sends
    for n in range(3):
        member_with(org, f"P{n}", ("signal", f"+1612555020{n}"))
    sender = threading.Thread(target=send_alert, args=(notice(org),))
    sender.start()
    deadline = time.monotonic() + 10
    while servers["signal"].requests == 0 and time.monotonic() < deadline:
        time.sleep(0.05)

    time.sleep(1.5)  # longer than TOCSIN_DELIVERY_LEASE_SECONDS, while the request is out
    resume_stalled.call_local()  # the sweeper (its jobs run at once in the tests)
    sender.join(timeout=15)

    assert servers["signal"].requests == 1
    assert received(servers)["signal"] == [f"+1612555020{n}" for n in range(3)]
