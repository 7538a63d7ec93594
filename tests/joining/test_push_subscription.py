"""A member turns on web push on her phone: the browser's subscription becomes a confirmed
push contact, and alerts then reach it through a real push service."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.templatetags.static import static
from django.urls import reverse

from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import ContactPoint
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert, send_alert
from tocsin.delivery.vapid import application_server_key
from tocsin.joining.links import member_link_token

SUBSCRIBE = reverse("joining:push_subscribe")
UNSUBSCRIBE = reverse("joining:push_unsubscribe")


@pytest.fixture
def rosa_client(client, confirmed_member):
    token = member_link_token(confirmed_member.contacts.get())
    client.get(reverse("joining:member_link", kwargs={"token": token}))
    assert client.session[MEMBER_SESSION_KEY] == confirmed_member.pk
    return client


def post_json(client, url, content):
    body = content if isinstance(content, str) else json.dumps(content)
    return client.post(url, body, content_type="application/json")


def raw_address(contact):
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM accounts_contactpoint WHERE id = %s", [contact.pk])
        return cursor.fetchone()[0]


def test_it_stores_the_subscription_as_a_confirmed_encrypted_push_contact(
    rosa_client, confirmed_member, push_service, vapid
):
    subscription = push_service.subscribe(application_server_key())

    response = post_json(rosa_client, SUBSCRIBE, subscription)

    assert response.status_code == 201
    assert response.json() == {"subscribed": True}
    contact = confirmed_member.contacts.get(channel=ContactPoint.Channel.PUSH)
    assert contact.confirmed
    assert json.loads(contact.address) == json.loads(subscription)
    endpoint = json.loads(subscription)["endpoint"]
    assert endpoint not in raw_address(contact)
    assert endpoint.rpartition("/")[2] not in raw_address(contact)
    [entry] = AuditEntry.objects.filter(action="joining.push.subscribed")
    assert endpoint not in json.dumps(entry.detail)


def test_subscribing_the_same_browser_again_stores_it_once(
    rosa_client, confirmed_member, push_service, vapid
):
    subscription = push_service.subscribe(application_server_key())

    post_json(rosa_client, SUBSCRIBE, subscription)
    response = post_json(rosa_client, SUBSCRIBE, subscription)

    assert response.status_code == 201
    assert confirmed_member.contacts.filter(channel="push").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"endpoint": "https://push.example.org/x"},
        {"endpoint": "ftp://push.example.org/x", "keys": {"p256dh": "BKey", "auth": "a"}},
        {"endpoint": "https://push.example.org/x", "keys": {"p256dh": "", "auth": "a"}},
        [],
    ],
)
def test_it_refuses_a_malformed_subscription_naming_it(rosa_client, confirmed_member, body):
    response = post_json(rosa_client, SUBSCRIBE, body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["subscription"]
    assert not confirmed_member.contacts.filter(channel="push").exists()


def test_it_refuses_a_visitor_without_a_member_session(client, confirmed_member, push_service):
    subscription = push_service.subscribe()

    response = post_json(client, SUBSCRIBE, subscription)

    assert response.status_code == 302
    assert response["Location"] == reverse("joining:member_link_request")
    assert not ContactPoint.objects.filter(channel="push").exists()


def test_it_refuses_a_subscription_that_another_member_holds(
    rosa_client, client, org, push_service
):
    from tests.conftest import make_person
    from tocsin.accounts.services.people import add_contact

    subscription = push_service.subscribe()
    other = make_person(org, name="Lee")
    add_contact(other, ContactPoint.Channel.PUSH, subscription, confirmed=True)

    response = post_json(rosa_client, SUBSCRIBE, subscription)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["subscription"]
    assert ContactPoint.objects.get(channel="push").person == other


def test_stopping_web_push_removes_that_subscription_only(
    rosa_client, confirmed_member, push_service
):
    phone, laptop = push_service.subscribe(), push_service.subscribe()
    post_json(rosa_client, SUBSCRIBE, phone)
    post_json(rosa_client, SUBSCRIBE, laptop)

    response = post_json(rosa_client, UNSUBSCRIBE, {"endpoint": json.loads(phone)["endpoint"]})

    assert response.status_code == 200
    [left] = confirmed_member.contacts.filter(channel="push")
    assert json.loads(left.address)["endpoint"] == json.loads(laptop)["endpoint"]
    assert confirmed_member.contacts.filter(channel="email").exists()
    assert AuditEntry.objects.filter(action="joining.push.unsubscribed").count() == 1
    again = post_json(rosa_client, UNSUBSCRIBE, {"endpoint": json.loads(phone)["endpoint"]})
    assert again.status_code == 404
    assert list(again.json()["errors"]) == ["endpoint"]


def test_the_contacts_page_offers_web_push_with_the_vapid_key(rosa_client, vapid):
    response = rosa_client.get(reverse("joining:contacts"))

    page = response.content.decode()
    assert f'data-key="{vapid["TOCSIN_VAPID_PUBLIC_KEY"]}"' in page
    assert "push.js" in page
    assert "csrfmiddlewaretoken" in page


def test_it_serves_the_service_worker_from_the_site_root(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert b"showNotification" in response.content
    assert b"notificationclick" in response.content


def test_it_serves_the_web_app_manifest_linked_from_every_page(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Tocsin"
    assert manifest["start_url"] == "/me/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#9b1c1c"
    assert manifest["icons"][0]["src"] == static("tocsin/icon.svg")
    assert finders.find("tocsin/icon.svg")
    assert b'<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").content


def test_an_alert_reaches_the_subscribed_phone_through_the_push_service(
    rosa_client,
    confirmed_member,
    org,
    push_service,
    smtp_server,
    vapid,
    django_capture_on_commit_callbacks,
):
    subscription = push_service.subscribe(application_server_key())
    assert post_json(rosa_client, SUBSCRIBE, subscription).status_code == 201
    alert = create_alert(
        org,
        Alert.Kind.NOTICE,
        {"what": "Reunión sindical a las 6 pm", "where": "Cafetería"},
        {"whole_organizations": True},
    )

    with django_capture_on_commit_callbacks(execute=True):
        send_alert(alert)

    [message] = push_service.wait_for(1)
    assert message["endpoint_id"] == push_service.endpoint_id(subscription)
    assert message["payload"]["title"].startswith("AVISO")
    assert "Reunión sindical" in message["payload"]["body"]
    assert message["payload"]["url"].startswith("http")
    assert [m["to"] for m in smtp_server.messages] == [["rosa@example.org"]]
    channels = sorted(Delivery.objects.filter(alert=alert).values_list("channel", "status"))
    assert channels == [("email", "sent"), ("push", "sent")]


def open_as_member(page, live_server, person):
    """Give a browser page the member session of `person`, as a member link would."""
    from django.conf import settings
    from django.test import Client

    session = Client().session
    session[MEMBER_SESSION_KEY] = person.pk
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_button_appears_and_the_service_worker_registers_in_a_browser(
    phone, live_server, confirmed_member, vapid
):
    csp_errors = []
    phone.on(
        "console",
        lambda message: (
            csp_errors.append(message.text)
            if "Content Security Policy" in message.text and "htmx" not in str(message.location)
            else None
        ),
    )
    open_as_member(phone, live_server, confirmed_member)

    phone.goto(live_server.url + reverse("joining:contacts"))

    # The member chose Spanish, so the page speaks Spanish whatever the browser says.
    button = phone.get_by_role(
        "button", name="Recibir alertas en este teléfono (notificaciones web)"
    )
    button.wait_for()
    assert button.is_visible()
    assert not phone.locator("[data-push-unsubscribe]").is_visible()
    scope = phone.evaluate(
        "navigator.serviceWorker.ready.then((registration) => registration.scope)"
    )
    assert scope == live_server.url + "/"
    assert phone.evaluate("document.querySelector('link[rel=manifest]').href").endswith(
        "/manifest.webmanifest"
    )
    assert csp_errors == []
