import json

import pytest

from tocsin.core.keys import b64url_decode
from tocsin.delivery.channels import Outgoing, TransportError, transport_for
from tocsin.delivery.channels.push.transport import MAX_PAYLOAD_BYTES, PushTransport
from tocsin.delivery.local_servers.push import LocalPushService
from tocsin.delivery.vapid import generate_vapid_keys


@pytest.fixture
def subscribe(push_service, vapid):
    """Subscribe a browser the way a Tocsin page does: with this server's public key."""
    return lambda: push_service.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"])


def outgoing(number, address, **fields):
    values = {
        "delivery_id": number,
        "address": address,
        "language": "es",
        "subject": "ICE en Hennepin County Medical Center",
        "text": "Verificado: agentes en la entrada principal.",
        "link": "https://tocsin.test/a/abc?t=token",
    }
    return Outgoing(**(values | fields))


def test_it_is_the_push_channel_with_its_limits(settings, vapid):
    settings.TOCSIN_PUSH_BATCH = 40
    settings.TOCSIN_PUSH_RATE = 25

    transport = transport_for("push")

    assert isinstance(transport, PushTransport)
    assert transport.limits.recipients_per_request == 40
    assert transport.limits.per_second == 25
    assert transport.limits.max_length == MAX_PAYLOAD_BYTES


def test_it_delivers_a_push_the_subscriber_decrypts_to_the_same_json(push_service, subscribe):
    subscription = subscribe()

    [result] = PushTransport().send([outgoing(1, subscription)])

    assert result.sent
    [received] = push_service.wait_for(1)
    assert received["endpoint_id"] == push_service.endpoint_id(subscription)
    assert received["payload"] == {
        "title": "ICE en Hennepin County Medical Center",
        "body": "Verificado: agentes en la entrada principal.",
        "url": "https://tocsin.test/a/abc?t=token",
    }
    assert received["urgency"] == "high"
    assert received["ttl"] > 0
    assert received["topic"] == "delivery-1"  # a copy sent twice replaces the first


def test_it_sends_a_batch_each_to_its_own_subscription(push_service, subscribe):
    subscriptions = [subscribe() for _ in range(5)]

    results = PushTransport().send(
        [outgoing(n, s, text=f"mensaje {n}") for n, s in enumerate(subscriptions)]
    )

    assert all(result.sent for result in results)
    push_service.wait_for(5)
    for number, subscription in enumerate(subscriptions):
        [received] = push_service.messages_for(subscription)
        assert received["payload"]["body"] == f"mensaje {number}"


def test_it_asks_to_remove_a_subscription_that_has_expired(push_service, subscribe):
    gone, kept = subscribe(), subscribe()
    push_service.expire(gone)

    expired, sent = PushTransport().send([outgoing(1, gone), outgoing(2, kept)])

    assert not expired.sent
    assert expired.permanent
    assert expired.remove_contact
    assert expired.reason == "subscription expired"
    assert sent.sent and not sent.remove_contact


def test_it_asks_to_remove_a_subscription_the_service_does_not_know(push_service, subscribe):
    unknown = json.loads(subscribe())
    unknown["endpoint"] = push_service.url + "/push/unknown"

    [result] = PushTransport().send([outgoing(1, json.dumps(unknown))])

    assert result.remove_contact


def test_it_raises_the_services_retry_after_on_429(push_service, subscribe):
    subscription = subscribe()
    push_service.rate_limit(1, retry_after=7)

    with pytest.raises(TransportError) as raised:
        PushTransport().send([outgoing(1, subscription)])

    assert raised.value.retry_after == 7
    assert raised.value.permanent is False
    [result] = PushTransport().send([outgoing(1, subscription)])
    assert result.sent
    assert len(push_service.wait_for(1)) == 1


def test_it_raises_a_temporary_error_when_the_service_is_down(push_service, subscribe):
    subscription = subscribe()
    push_service.down()

    with pytest.raises(TransportError) as raised:
        PushTransport().send([outgoing(1, subscription)])

    assert raised.value.permanent is False
    push_service.up()
    [result] = PushTransport().send([outgoing(1, subscription)])
    assert result.sent


def test_it_reports_the_sent_part_of_a_batch_when_the_service_starts_refusing(
    push_service, subscribe
):
    first, second, third = subscribe(), subscribe(), subscribe()
    transport = PushTransport()
    original = transport.send_one

    def limited_after_the_first(message):
        if message.delivery_id == 2:
            push_service.rate_limit(5, retry_after=3)
        return original(message)

    transport.send_one = limited_after_the_first  # type: ignore[method-assign]

    results = transport.send([outgoing(1, first), outgoing(2, second), outgoing(3, third)])

    assert [result.sent for result in results] == [True, False, False]
    assert [result.permanent for result in results] == [False, False, False]
    assert len(push_service.messages) == 1


def test_it_cuts_a_body_too_long_to_fit_the_payload(push_service, subscribe):
    subscription = subscribe()
    long_text = "Agentes en la entrada principal, ¡no abran la puerta! " * 200

    [result] = PushTransport().send([outgoing(1, subscription, text=long_text)])

    assert result.sent
    [received] = push_service.wait_for(1)
    body = received["payload"]["body"]
    assert body.endswith("…")
    assert long_text.startswith(body[:-1])
    assert MAX_PAYLOAD_BYTES - 10 < received["bytes"] <= MAX_PAYLOAD_BYTES
    assert received["payload"]["url"] == "https://tocsin.test/a/abc?t=token"


def test_it_asks_to_remove_a_subscription_made_for_another_key(push_service, vapid, settings):
    subscription = push_service.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"])
    other = generate_vapid_keys()
    settings.TOCSIN_VAPID_PRIVATE_KEY = other["TOCSIN_VAPID_PRIVATE_KEY"]
    settings.TOCSIN_VAPID_PUBLIC_KEY = other["TOCSIN_VAPID_PUBLIC_KEY"]

    [result] = PushTransport().send([outgoing(1, subscription)])

    assert not result.sent
    assert result.permanent
    assert result.remove_contact
    assert result.reason == "subscription made for another server key"
    assert push_service.messages == []


def change_key(settings):
    other = generate_vapid_keys()
    settings.TOCSIN_VAPID_PRIVATE_KEY = other["TOCSIN_VAPID_PRIVATE_KEY"]
    settings.TOCSIN_VAPID_PUBLIC_KEY = other["TOCSIN_VAPID_PUBLIC_KEY"]


def test_it_asks_to_remove_a_subscription_firefox_says_was_made_for_another_key(vapid, settings):
    autopush = LocalPushService(speaks="autopush").start()
    try:
        subscription = autopush.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"])
        change_key(settings)

        [result] = PushTransport().send([outgoing(1, subscription)])
    finally:
        autopush.stop()

    assert (result.sent, result.permanent, result.remove_contact) == (False, True, True)
    assert result.reason == "subscription made for another server key"


def test_it_keeps_the_subscriptions_when_apple_refuses_the_token_itself(vapid, settings):
    apple = LocalPushService(speaks="apple").start()
    try:
        subscription = apple.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"])
        settings.TOCSIN_VAPID_SUBJECT = "mailto:tocsin@localhost"

        [result] = PushTransport().send([outgoing(1, subscription)])
    finally:
        apple.stop()

    assert (result.sent, result.permanent, result.remove_contact) == (False, True, False)
    assert "403" in result.reason


def test_it_fails_a_malformed_subscription_and_sends_the_rest(push_service, subscribe):
    subscription = subscribe()

    malformed, sent = PushTransport().send(
        [outgoing(1, '{"endpoint": "nowhere"}'), outgoing(2, subscription)]
    )

    assert not malformed.sent and malformed.permanent
    assert sent.sent


def test_it_signs_for_the_endpoints_origin(push_service, subscribe):
    transport = PushTransport()

    header = transport.authorization(push_service.url + "/push/abc")["Authorization"]

    token = header.split("t=", 1)[1].split(",", 1)[0]
    claims = json.loads(b64url_decode(token.split(".")[1]))
    assert claims["aud"] == push_service.url
    assert claims["sub"] == "mailto:admin@mna.example.org"


def test_it_refuses_to_build_without_keys_in_production(settings):
    settings.PRODUCTION = True
    settings.TOCSIN_VAPID_PRIVATE_KEY = ""
    settings.TOCSIN_VAPID_PUBLIC_KEY = ""

    with pytest.raises(TransportError) as raised:
        transport_for("push")

    assert raised.value.permanent
    assert "TOCSIN_VAPID_PRIVATE_KEY" in raised.value.reason
