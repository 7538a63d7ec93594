import base64
import json
from urllib.parse import parse_qs

import pytest

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact, create_person
from tocsin.delivery.direct import DeliveryError, send_to_contact


@pytest.fixture
def person(db):
    return create_person(display_name="Rosa", language="es")


def test_it_sends_signal_through_the_rest_api_v2_send(person, http_gateway, settings):
    settings.TOCSIN_SIGNAL_URL = http_gateway.url
    settings.TOCSIN_SIGNAL_NUMBER = "+15555550100"
    contact = add_contact(person, ContactPoint.Channel.SIGNAL, "+1 612 555 0142")

    send_to_contact(contact, "subject is not sent", "Tu código de Tocsin es 123456.")

    [request] = http_gateway.requests
    assert request["path"] == "/v2/send"
    assert request["headers"]["content-type"] == "application/json"
    assert json.loads(request["body"]) == {
        "message": "Tu código de Tocsin es 123456.",
        "number": "+15555550100",
        "recipients": ["+16125550142"],
        "text_mode": "normal",
    }


def test_it_sends_sms_through_a_twilio_compatible_gateway(person, http_gateway, settings):
    settings.TOCSIN_SMS_URL = http_gateway.url
    settings.TOCSIN_SMS_ACCOUNT = "AC123"
    settings.TOCSIN_SMS_TOKEN = "secret-token"
    settings.TOCSIN_SMS_FROM = "+15555550101"
    contact = add_contact(person, ContactPoint.Channel.SMS, "(612) 555-0143")

    send_to_contact(contact, "subject", "Tu código de Tocsin es 654321.")

    [request] = http_gateway.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert (
        request["headers"]["authorization"]
        == "Basic " + base64.b64encode(b"AC123:secret-token").decode()
    )
    assert parse_qs(request["body"].decode()) == {
        "To": ["+16125550143"],
        "From": ["+15555550101"],
        "Body": ["Tu código de Tocsin es 654321."],
    }


def test_it_sends_email_through_a_real_smtp_server(person, smtp_server):
    contact = add_contact(person, ContactPoint.Channel.EMAIL, "rosa@example.org")

    send_to_contact(contact, "Tu código", "Tu código de Tocsin es 111222.")

    [message] = smtp_server.wait_for(1)
    assert message["to"] == ["rosa@example.org"]
    assert message["subject"] == "Tu código"
    assert "111222" in message["body"]


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (429, False), (503, False)])
def test_it_says_whether_a_gateway_refusal_is_permanent(
    person, http_gateway, settings, status, permanent
):
    settings.TOCSIN_SIGNAL_URL = http_gateway.url
    http_gateway.answer = (status, b"{}")
    contact = add_contact(person, ContactPoint.Channel.SIGNAL, "+1 612 555 0142")

    with pytest.raises(DeliveryError) as error:
        send_to_contact(contact, "", "hola")

    assert error.value.permanent is permanent
    assert "612" not in str(error.value)


def test_an_unreachable_gateway_is_a_temporary_failure(person, settings):
    from tocsin.delivery.local_servers.smtp import free_port

    settings.TOCSIN_SMS_URL = f"http://127.0.0.1:{free_port()}"
    contact = add_contact(person, ContactPoint.Channel.SMS, "+1 612 555 0143")
    with pytest.raises(DeliveryError) as error:
        send_to_contact(contact, "", "hola")
    assert not error.value.permanent


def test_an_unreachable_smtp_server_is_a_temporary_failure(person, settings):
    from tocsin.delivery.local_servers.smtp import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    contact = add_contact(person, ContactPoint.Channel.EMAIL, "rosa@example.org")
    with pytest.raises(DeliveryError) as error:
        send_to_contact(contact, "s", "b")
    assert not error.value.permanent
    assert "rosa" not in str(error.value)


def test_a_long_text_goes_whole_by_sms(person, sms_gateway, settings):
    """An alert is cut to TOCSIN_SMS_MAX_SEGMENTS; a direct message is sent as it was
    written, and the gateway splits it."""
    settings.TOCSIN_SMS_MAX_SEGMENTS = 1
    contact = add_contact(person, ContactPoint.Channel.SMS, "+1 612 555 0143")
    body = "Miguel está en Sherburne County Jail. " * 12

    send_to_contact(contact, "", body)

    [message] = sms_gateway.messages
    assert message["text"] == body


def test_each_direct_email_has_its_own_message_id(person, smtp_server):
    """Mail providers drop a second message with a Message-ID they have seen: a code sent
    after another must not look like it."""
    contact = add_contact(person, ContactPoint.Channel.EMAIL, "rosa@example.org")

    send_to_contact(contact, "Tu código", "Tu código de Tocsin es 111222.")
    send_to_contact(contact, "Tu código", "Tu código de Tocsin es 333444.")

    first, second = smtp_server.wait_for(2)
    assert first["headers"]["Message-ID"] != second["headers"]["Message-ID"]
    assert first["headers"]["Content-Language"] == "es"


def test_a_push_subscription_gets_no_direct_message_and_that_is_final(person, push_service, vapid):
    subscription = push_service.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"])
    contact = add_contact(person, ContactPoint.Channel.PUSH, subscription, confirmed=True)

    with pytest.raises(DeliveryError) as error:
        send_to_contact(contact, "Tu código", "Tu código de Tocsin es 111222.")

    assert error.value.permanent
    assert push_service.messages == []
