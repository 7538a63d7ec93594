"""A number that texted STOP: the SMS gateway answers 21610, as Twilio does, and Tocsin stops
texting it, shows it on the member's page and sends their alerts by their other channels."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import member_client
from tests.factories import member_with, notice, received
from tocsin.accounts.models import ContactPoint
from tocsin.delivery.channels.base import Outgoing
from tocsin.delivery.channels.sms.transport import SmsTransport
from tocsin.delivery.models import Delivery
from tocsin.delivery.status import alert_status

LEE = "+16125550103"


def test_the_stand_in_answers_21610_21211_and_429_as_twilio_does(sms_gateway):
    """Twilio's error bodies, as twilio-python's TwilioRestException reads them."""
    sms_gateway.opted_out.add(LEE)
    transport = SmsTransport()
    gateway_answer = transport._post  # the HTTP answer itself, before Tocsin reads it

    stopped = gateway_answer(LEE, "hello")
    invalid = gateway_answer("+1612", "hello")
    sms_gateway.invalid.add("+16125550199")
    unassigned = gateway_answer("+16125550199", "hello")
    sms_gateway.rate_limit(1, retry_after=3)
    limited = gateway_answer("+16125550104", "hello")
    transport.close()

    assert (stopped.status, stopped.json()["code"]) == (400, 21610)
    assert stopped.json()["more_info"] == "https://www.twilio.com/docs/errors/21610"
    assert (invalid.status, invalid.json()["code"]) == (400, 21211)
    assert (unassigned.status, unassigned.json()["code"]) == (400, 21211)
    assert (limited.status, limited.headers["retry-after"]) == (429, "3")
    assert limited.json()["code"] == 20429
    assert sms_gateway.messages == []


def test_21610_fails_the_text_for_good_as_an_opt_out(sms_gateway):
    sms_gateway.opted_out.add(LEE)
    message = Outgoing(delivery_id=1, address=LEE, language="en", subject="", text="Alert")

    [result] = SmsTransport().send([message])

    assert (result.sent, result.permanent, result.opted_out) == (False, True, True)
    assert result.reason == "the number opted out of texts (STOP)"


def test_a_number_that_texted_stop_gets_no_more_texts_and_its_alerts_go_by_email(
    org, servers, send, client
):
    lee = member_with(org, "Lee", ("sms", LEE), ("email", "lee@example.org"))
    servers["sms"].opted_out.add(LEE)  # Lee texted STOP to the number alerts come from

    first = send(notice(org, "Union meeting moved to 6 pm"))

    assert received(servers)["email"] == ["lee@example.org"]
    failed = Delivery.objects.get(alert=first, channel="sms")
    assert (failed.status, failed.reason) == ("failed", "the number opted out of texts (STOP)")
    assert lee.contacts.get(channel="sms").opted_out
    asked = servers["sms"].requests

    second = send(notice(org, "Vigil at 7 pm"))

    assert servers["sms"].requests == asked  # not texted again, and no 21610 counted
    assert received(servers)["email"] == ["lee@example.org", "lee@example.org"]
    assert list(Delivery.objects.filter(alert=second).values_list("channel", "status")) == [
        ("email", "sent")
    ]
    assert alert_status(second)["deliveries"]["failed"] == 0

    page = member_client(client, lee).get(reverse("joining:contacts")).content.decode()
    assert "texts stopped" in page
    assert "This number texted STOP" in page


def test_the_staff_see_a_contact_opted_out(org, admin_client):
    lee = member_with(org, "Lee", ("sms", LEE), ("email", "lee@example.org"))
    ContactPoint.objects.filter(person=lee, channel="sms").update(opted_out_at=timezone.now())

    page = admin_client.get(
        reverse("staff:member", kwargs={"org": org.slug, "person": lee.public_id})
    ).content.decode()

    assert page.count("texts stopped") == 1


def test_the_member_page_says_so_in_spanish(org, client):
    tomas = member_with(org, "Tomás", ("sms", LEE), ("email", "t@example.org"), language="es")
    ContactPoint.objects.filter(person=tomas, channel="sms").update(opted_out_at=timezone.now())

    page = member_client(client, tomas).get(
        reverse("joining:contacts"), headers={"Accept-Language": "es"}
    )

    with translation.override("es"):
        assert translation.gettext("texts stopped") == "mensajes detenidos"
    assert "mensajes detenidos" in page.content.decode()
    assert "Este número envió STOP" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_stop_texted_through_the_gateway_stops_texts_until_start(
    org, live_server, servers, settings, send
):
    """The whole path as Twilio plays it: the text reaches the reporting number's webhook
    (signed, with OptOutType), and the gateway itself refuses sends to the number."""
    settings.TOCSIN_BASE_URL = live_server.url
    org.report_number, org.sms_inbound_token = "+16125550100", "inbound-token"
    org.save(update_fields=["report_number", "sms_inbound_token"])
    lee = member_with(org, "Lee", ("sms", LEE), ("email", "lee@example.org"))
    webhook = live_server.url + reverse("response:inbound_sms")
    gateway = servers["sms"]

    status, reply = gateway.text_in(webhook, "inbound-token", LEE, "+16125550100", "STOP")

    assert status == 200 and "no more texts" in reply
    assert lee.contacts.get(channel="sms").opted_out
    send(notice(org, "Union meeting moved to 6 pm"))
    assert gateway.requests == 0
    assert "lee@example.org" in received(servers)["email"]

    status, reply = gateway.text_in(webhook, "inbound-token", LEE, "+16125550100", "START")

    assert status == 200 and "start again" in reply
    assert not lee.contacts.get(channel="sms").opted_out
    send(notice(org, "Vigil at 7 pm"))
    assert received(servers)["sms"] == [LEE]
