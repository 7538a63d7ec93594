"""The SMS gateway says later what became of each text (its status callbacks, signed as
Twilio signs them): delivered, or undelivered with the carrier's error, which fails the
delivery and hands the person over to their next channel. The alert page shows both."""

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from tests.factories import member_with, notice
from tocsin.delivery.local_servers.sms import LocalSmsGateway
from tocsin.delivery.models import Delivery
from tocsin.delivery.status import alert_status

ANA, BEN, CRUZ = "+16125550121", "+16125550122", "+16125550123"


@pytest.mark.django_db(transaction=True)
def test_callbacks_mark_delivered_and_undelivered_and_the_undelivered_fall_back(
    org, live_server, sms_gateway, smtp_server, settings, send, admin_client
):
    settings.TOCSIN_BASE_URL = live_server.url
    sms_gateway.status_callbacks = True
    for name, number in (("Ana", ANA), ("Ben", BEN), ("Cruz", CRUZ)):
        member_with(org, name, ("sms", number), ("email", f"{name.lower()}@example.org"))
    sms_gateway.outcome.update({BEN: 30003, CRUZ: 30007})

    alert = send(notice(org))
    callbacks = sms_gateway.wait_for_callbacks(6)

    # Each callback was taken: two per text ("sent", then the outcome), all answered 204.
    assert sorted(status for _sid, status, _answer in callbacks) == [
        "delivered",
        "sent",
        "sent",
        "sent",
        "undelivered",
        "undelivered",
    ]
    assert {answer for _sid, _status, answer in callbacks} == {204}
    # The admin has only email; Ben and Cruz get theirs there once their texts failed.
    emailed = sorted(address for m in smtp_server.wait_for(3) for address in m["to"])
    assert emailed == ["admin@mna.test", "ben@example.org", "cruz@example.org"]
    status = alert_status(alert)
    assert status["by_channel"]["sms"] == {
        "queued": 0,
        "sent": 1,
        "delivered": 1,
        "failed": 2,
        "skipped": 0,
    }
    assert status["by_channel"]["email"]["sent"] == 3
    reasons = set(Delivery.objects.filter(status="failed").values_list("reason", flat=True))
    assert reasons == {
        "not delivered: the phone is unreachable (30003)",
        "not delivered: filtered by the carrier (30007)",
    }
    page = admin_client.get(
        reverse("delivery:alert", kwargs={"org": org.slug, "alert": alert.public_id})
    ).content.decode()
    assert '<td data-count="by_channel.sms.delivered">1</td>' in page
    assert '<td data-count="by_channel.sms.failed">2</td>' in page
    assert "filtered by the carrier (30007)" in page


@pytest.mark.django_db(transaction=True)
def test_a_callback_not_signed_with_the_accounts_token_changes_nothing(
    org, live_server, sms_gateway, settings, send
):
    settings.TOCSIN_BASE_URL = live_server.url
    member_with(org, "Ana", ("sms", ANA), ("email", "ana@example.org"))
    send(notice(org))
    sid = Delivery.objects.get(channel="sms").provider_id
    url = live_server.url + reverse("response:inbound_sms_status")
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert not RequestValidator("another-token").validate(
        url, form, RequestValidator(settings.TOCSIN_SMS_TOKEN).compute_signature(url, form)
    )

    forged = LocalSmsGateway.post_signed(url, form, "another-token")
    unsigned = LocalSmsGateway.post_signed(url, {**form, "MessageSid": sid}, "")

    assert (forged[0], unsigned[0]) == (403, 403)
    assert Delivery.objects.get(channel="sms").status == "sent"
    assert Delivery.objects.filter(channel="email").count() == 0
    missing = LocalSmsGateway.post_signed(url, {"MessageSid": sid}, settings.TOCSIN_SMS_TOKEN)
    assert missing == (400, "MessageStatus is missing.")
