"""An admin's webhooks: a secret shown once, signed bodies a receiver can check, retries with
a growing pause that give up and say so, and payloads that name nobody."""

import time

import pytest
from django.db import connection
from django.urls import reverse

from tests.campaigns.objects import campaign_objects
from tests.factories import member_with, notice
from tocsin.audit.models import AuditEntry
from tocsin.campaigns.models import Event
from tocsin.campaigns.services.rsvps import answer
from tocsin.delivery.services import send_alert
from tocsin.exchange import tasks
from tocsin.exchange.models import Webhook, WebhookDelivery
from tocsin.exchange.services.webhooks import send_test
from tocsin.exchange.signing import check, signed_body
from tocsin.response.models import Incident
from tocsin.response.services.incidents import dismiss_incident


def webhooks_url(org):
    return reverse("exchange:webhooks", kwargs={"org": org.slug})


def add_form(url, **changes):
    data = {
        "name": "Union CRM",
        "url": url,
        "events": ["incident.state_changed", "alert.sent"],
    }
    data.update(changes)
    return data


def test_an_admin_adds_a_webhook_and_sees_its_secret_only_once(admin_client, org, receiver):
    page = admin_client.post(webhooks_url(org), add_form(receiver.url))

    assert page.status_code == 200
    webhook = Webhook.objects.get(organization=org)
    secret = webhook.secret
    assert secret.startswith("whsec_") and secret in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert secret not in admin_client.get(webhooks_url(org)).content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, url FROM exchange_webhook WHERE id = %s", [webhook.pk])
        stored_secret, stored_url = cursor.fetchone()
    assert secret not in stored_secret and "crm-token-8c1f" not in stored_url
    listing = admin_client.get(webhooks_url(org)).content.decode()
    assert (
        "crm-token-8c1f" not in listing and f"127.0.0.1:{receiver.server_address[1]}/…" in listing
    )
    assert AuditEntry.objects.filter(action="exchange.webhook.added", organization=org).exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5432/hook",
        "http://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "ftp://example.org/hook",
        "https://user:password@example.org/hook",
        "not a url",
        "https://[::1]/hook",
    ],
)
def test_it_refuses_an_address_it_may_not_post_to_naming_the_url(admin_client, org, url):
    page = admin_client.post(webhooks_url(org), add_form(url))

    assert page.status_code == 400
    assert (
        "Receiver&#x27;s URL:" in page.content.decode()
        or "Receiver's URL:" in page.content.decode()
    )
    assert not Webhook.objects.exists()


def test_it_refuses_a_webhook_without_events_naming_events(admin_client, org, receiver):
    page = admin_client.post(webhooks_url(org), add_form(receiver.url, events=[]))

    assert page.status_code == 400 and not Webhook.objects.exists()
    assert "Events it gets:" in page.content.decode()


def test_a_test_send_reaches_the_receiver_signed_and_fresh(
    admin_client, org, webhook, receiver, sent
):
    with sent():
        admin_client.post(
            reverse("exchange:webhook_test", kwargs={"org": org.slug, "webhook": webhook.code})
        )

    [got] = receiver.received
    assert got["verified"], got
    assert got["data"]["event"] == "webhook.test"
    assert got["data"]["organization"] == org.slug
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 1
    assert "Delivered" in admin_client.get(webhooks_url(org)).content.decode().replace(
        "delivered", "Delivered"
    )


def test_a_receiver_with_the_wrong_secret_refuses_the_body(
    org, admin, webhook, receiver, queue, sent
):
    receiver.secret = "whsec_someone-else"
    with sent():
        send_test(admin, webhook)

    assert receiver.received[0]["verified"] is False
    assert WebhookDelivery.objects.get().last_error == "HTTP 401"


def test_a_replayed_body_is_too_old_for_the_documented_check(webhook):
    body, headers = signed_body(
        webhook.secret, {"id": "x", "event": "webhook.test"}, now=time.time() - 600
    )

    with pytest.raises(ValueError, match="too old"):
        check(webhook.secret, body, headers)
    fresh_body, fresh_headers = signed_body(webhook.secret, {"id": "x", "event": "webhook.test"})
    assert check(webhook.secret, fresh_body, fresh_headers)["id"] == "x"
    with pytest.raises(ValueError, match="signature"):
        check(webhook.secret, fresh_body.replace(b"webhook.test", b"alert.sent"), fresh_headers)


def test_a_receiver_that_fails_twice_gets_the_third_attempt(
    org, admin, webhook, receiver, queue, sent
):
    receiver.script = [500, 503]
    with sent():
        send_test(admin, webhook)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_error == "HTTP 500"
    assert queue() == 2  # the worker runs the two retries the queue holds

    assert [got["verified"] for got in receiver.received] == [True, True, True]
    assert len({got["data"]["id"] for got in receiver.received}) == 1  # one delivery, three tries
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 3


def test_the_pause_between_attempts_grows():
    assert [tasks.pause_after(n) for n in (1, 2, 3, 4)] == [30, 120, 480, 1920]


def test_it_gives_up_after_the_last_attempt_and_the_admin_sees_it(
    admin_client, org, admin, webhook, receiver, queue, sent
):
    receiver.answer = 502
    with sent():
        send_test(admin, webhook)
    queue()

    assert len(receiver.received) == tasks.MAX_ATTEMPTS
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == tasks.MAX_ATTEMPTS
    page = admin_client.get(webhooks_url(org)).content.decode()
    assert "failed: gave up" in page and "HTTP 502" in page
    assert tasks.deliver.call_local(delivery.pk) is False  # never posted again
    assert len(receiver.received) == tasks.MAX_ATTEMPTS


def test_a_receiver_that_never_answers_costs_a_bounded_wait(
    org, admin, webhook, receiver, queue, sent
):
    receiver.script = ["hang"]
    started = time.monotonic()
    with sent():
        send_test(admin, webhook)
    waited = time.monotonic() - started

    assert waited < tasks.READ_TIMEOUT_SECONDS + 3
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.last_error == "timed out"
    assert queue() == 1  # the retry, which the receiver now answers
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 2


def test_a_webhook_refuses_an_address_that_became_internal(
    org, admin, webhook, receiver, settings, queue, sent
):
    """The address is checked again at each attempt: a network no longer allowed is refused."""
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = []
    with sent():
        send_test(admin, webhook)

    assert receiver.received == []
    assert "public servers" in WebhookDelivery.objects.get().last_error


def test_incidents_alerts_and_turnout_reach_it_without_words_or_contacts(
    org, site, admin, webhook, receiver, smtp_server, django_capture_on_commit_callbacks
):
    member = member_with(org, "Rosa Reyes", ("email", "rosa.reyes@example.org"))
    webhook.events = ["incident.state_changed", "alert.sent", "event.turnout_changed"]
    webhook.save()
    with django_capture_on_commit_callbacks(execute=True):
        incident = Incident.objects.create(
            organization=org, site=site, lat=site.lat, lng=site.lng, where="Loading dock B"
        )
    with django_capture_on_commit_callbacks(execute=True):
        dismiss_incident(admin, incident, Incident.DismissReason.FALSE_ALARM)
    with django_capture_on_commit_callbacks(execute=True):
        send_alert(notice(org, what="ICE van seen at loading dock B"))
    event = Event.objects.get(code=campaign_objects(org, site)["event"])
    with django_capture_on_commit_callbacks(execute=True):
        answer(member, event)

    got = [r["data"] for r in receiver.received]
    assert all(r["verified"] for r in receiver.received)
    assert [
        (d["event"], d["data"].get("state")) for d in got if d["event"] == "incident.state_changed"
    ] == [
        ("incident.state_changed", "new"),
        ("incident.state_changed", "dismissed"),
    ]
    [sent] = [d["data"] for d in got if d["event"] == "alert.sent"]
    assert sent["kind"] == "notice" and sent["audience_size"] >= 1
    assert sent["deliveries"].get("email", 0) >= 1
    [turnout] = [d["data"] for d in got if d["event"] == "event.turnout_changed"]
    assert turnout["going"] == 1 and turnout["event"] == event.code
    everything = b" ".join(r["body"] for r in receiver.received).decode()
    for private in ("Loading dock", "ICE van", "Rosa Reyes", "rosa.reyes@example.org", "44.97"):
        assert private not in everything


def test_an_organization_without_webhooks_posts_nothing(
    org, site, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Incident.objects.create(organization=org, site=site, lat=site.lat, lng=site.lng)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_an_admin_removes_a_webhook(admin_client, org, webhook):
    admin_client.post(
        reverse("exchange:webhook_remove", kwargs={"org": org.slug, "webhook": webhook.code})
    )

    assert not Webhook.objects.exists()
    assert AuditEntry.objects.filter(action="exchange.webhook.removed").exists()


def test_an_admin_of_another_organization_reaches_none_of_it(
    outsider_client, other_org, org, webhook
):
    assert outsider_client.get(webhooks_url(org)).status_code == 404
    for name in ("exchange:webhook_remove", "exchange:webhook_test"):
        theirs = reverse(name, kwargs={"org": other_org.slug, "webhook": webhook.code})
        assert outsider_client.post(theirs).status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk).exists() and not WebhookDelivery.objects.exists()


def test_an_organizer_who_is_not_an_admin_gets_404_on_webhooks(client, org):
    from tests.conftest import make_person, verified_client
    from tocsin.accounts.roles import Role

    organizer = make_person(org, Role.ORGANIZER, email="olga@mna.test", name="Olga Organizer")
    verified_client(client, organizer)
    assert client.get(webhooks_url(org)).status_code == 404
    assert client.get(reverse("exchange:exchange", kwargs={"org": org.slug})).status_code == 200


def test_a_delivery_whose_job_was_lost_is_sent_by_the_sweeper(webhook, receiver):
    """The queue restarted empty: the delivery is still pending in the database, long past
    its attempt, and the sweeper sends it once."""
    from datetime import timedelta

    from django.utils import timezone

    lost = WebhookDelivery.objects.create(
        webhook=webhook,
        event="webhook.test",
        payload={"message": "lost"},
        next_attempt_at=timezone.now() - timedelta(minutes=30),
    )

    assert tasks.resume_webhooks.call_local() == 1
    assert [got["data"]["id"] for got in receiver.received] == [lost.code]
    assert tasks.resume_webhooks.call_local() == 0
