"""The alert screens: a sender's notice form and live status, and the recipient's own page."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person, verified_client
from tocsin.accounts.models import Subscription
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token


@pytest.fixture
def recipients(org, site, smtp_server, signal_server):
    """Two members: Rosa reads English email, Tomás reads Spanish on Signal."""
    rosa = make_person(org, name="Rosa Reyes", site=site)
    add_contact(rosa, "email", "rosa@example.org", confirmed=True)
    tomas = make_person(org, name="Tomás Torres", language="es", site=site)
    add_contact(tomas, "signal", "+16125550102", confirmed=True)
    return {"rosa": rosa, "tomas": tomas}


@pytest.fixture
def visitor():
    """A browser with no session: the recipient opening the link in their message."""
    return Client()


@pytest.fixture
def post_notice(admin_client, org, django_capture_on_commit_callbacks):
    """Send the notice form as the admin; its jobs run when the request's transaction ends."""

    def posting(data):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(reverse("delivery:alerts", kwargs={"org": org.slug}), data)

    return posting


def asgi_get(signed_in_client, url):
    """GET `url` as `tocsin serve` serves it (ASGI), with the signed-in client's session."""
    from django.test import AsyncClient

    client = AsyncClient()
    client.cookies = signed_in_client.cookies
    response = async_to_sync(client.get)(url)
    assert response.is_async  # the stream holds no thread while it waits
    return response


def events_of(response) -> list[tuple[str, dict]]:
    """Read a whole Server-Sent Events stream: [(event name, data), ...]."""

    async def read():  # the stream is asynchronous, as the ASGI server serves it
        return b"".join([chunk async for chunk in response.streaming_content])

    text = async_to_sync(read)().decode()
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_it_sends_a_notice_and_shows_its_counts(org, recipients, post_notice, admin_client):
    response = post_notice(
        {"what": "Union meeting moved to 6 pm", "where": "HCMC cafeteria", "audience": "everyone"}
    )

    alert = Alert.objects.get(organization=org)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "delivery:alert", kwargs={"org": org.slug, "alert": alert.public_id}
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "Union meeting moved to 6 pm" in page
    # Everyone: Rosa, Tomás and the admin, a member too, whose sign-in email is a contact.
    assert 'Audience: <strong data-count="audience_size">3</strong>' in page
    assert 'data-count="deliveries.sent">3<' in page
    assert 'data-count="by_channel.signal.sent">1<' in page
    assert 'data-count="by_channel.email.sent">2<' in page


def test_the_events_stream_gives_the_counts_and_ends_when_the_alert_is_done(
    org, recipients, post_notice, admin_client
):
    post_notice({"what": "Picket at noon", "audience": "everyone"})
    alert = Alert.objects.get(organization=org)

    response = asgi_get(
        admin_client,
        reverse("delivery:alert_events", kwargs={"org": org.slug, "alert": alert.public_id}),
    )

    assert response["Content-Type"] == "text/event-stream"
    [(name, status)] = events_of(response)  # the stream ended after one event: done
    assert name == "status"
    assert status["state"] == "done"
    assert status["id"] == str(alert.public_id)
    assert status["audience_size"] == 3  # Rosa, Tomás and the admin
    assert status["deliveries"] == {
        "queued": 0,
        "sent": 3,
        "delivered": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert status["by_channel"]["signal"]["sent"] == 1


def test_the_events_stream_follows_an_alert_still_sending(org, recipients, admin_client):
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.NOTICE, state=Alert.State.SENDING, audience_size=2
    )
    rosa, tomas = recipients["rosa"], recipients["tomas"]
    Delivery.objects.create(alert=alert, person=rosa, channel="email", status="sent")
    queued = Delivery.objects.create(alert=alert, person=tomas, channel="signal", status="queued")

    response = asgi_get(
        admin_client,
        reverse("delivery:alert_events", kwargs={"org": org.slug, "alert": alert.public_id}),
    )

    def deliver():
        queued.status = "sent"
        queued.save()

    async def watch():
        stream = response.streaming_content
        first = await anext(stream)
        await sync_to_async(deliver)()
        return first.decode(), b"".join([chunk async for chunk in stream]).decode()

    first, rest = async_to_sync(watch)()  # the stream ends on its own once nothing is queued
    assert '"queued": 1' in first and '"state": "sending"' in first

    assert rest.count("event: status") == 1
    assert '"sent": 2' in rest and '"state": "done"' in rest


def test_a_notice_without_a_message_is_refused_naming_the_field(org, recipients, post_notice):
    response = post_notice({"what": "", "where": "HCMC", "audience": "everyone"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_what_error"' in page
    assert "Message: This field is required." in page
    assert not Alert.objects.exists()


def test_a_member_without_a_sender_role_gets_404(client, org, member, recipients):
    steward = make_person(org, Role.MEMBER | Role.RESPONDER, name="Rita Responder")
    client = verified_client(client, steward)
    alerts = reverse("delivery:alerts", kwargs={"org": org.slug})

    assert client.get(alerts).status_code == 404
    assert client.post(alerts, {"what": "Hi", "audience": "everyone"}).status_code == 404
    assert not Alert.objects.exists()


def test_the_link_page_shows_the_alert_to_its_recipient(org, recipients, post_notice, visitor):
    post_notice({"what": "Reunión a las 6", "where": "Cafetería", "audience": "everyone"})
    delivery = Delivery.objects.get(person=recipients["tomas"])

    page = visitor.get(
        reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}),
        headers={"accept-language": "es"},
    ).content.decode()

    assert "AVISO: Reunión a las 6 — Cafetería" in page
    assert "Dónde: Cafetería" in page
    assert "Minnesota Nurses Association" in page


def test_the_link_page_speaks_the_recipients_language_whatever_the_browser_says(
    org, recipients, post_notice, visitor
):
    post_notice({"what": "Reunión a las 6", "where": "Cafetería", "audience": "everyone"})
    delivery = Delivery.objects.get(person=recipients["tomas"])

    page = visitor.get(
        reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}),
        headers={"accept-language": "en"},
    ).content.decode()

    assert "AVISO" in page


def test_a_forged_link_is_404(visitor, org, recipients, post_notice):
    post_notice({"what": "Picket at noon", "audience": "everyone"})
    delivery = Delivery.objects.get(person=recipients["rosa"])
    token = link_token(delivery.pk)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert visitor.get(reverse("delivery:alert_link", kwargs={"token": forged})).status_code == 404
    assert visitor.get(reverse("delivery:alert_link", kwargs={"token": "1"})).status_code == 404
    stop = reverse("delivery:alert_stop", kwargs={"token": forged})
    assert visitor.post(stop).status_code == 404


def test_stopping_removes_the_persons_follows_in_that_organization_only(
    org, other_org, site, recipients, post_notice, visitor
):
    rosa = recipients["rosa"]
    Subscription.objects.create(person=rosa, organization=org, site=site)
    Subscription.objects.create(person=rosa, organization=other_org, site=site)
    Subscription.objects.create(person=recipients["tomas"], organization=org, site=site)
    post_notice({"what": "Picket at noon", "audience": "everyone"})
    token = link_token(Delivery.objects.get(person=rosa).pk)
    stop = reverse("delivery:alert_stop", kwargs={"token": token})

    assert visitor.get(stop).status_code == 200
    assert Subscription.objects.filter(person=rosa, organization=org).exists()
    response = visitor.post(stop)

    assert response.status_code == 200
    assert not Subscription.objects.filter(person=rosa, organization=org).exists()
    assert Subscription.objects.filter(person=rosa, organization=other_org).exists()
    assert Subscription.objects.filter(person=recipients["tomas"], organization=org).exists()
