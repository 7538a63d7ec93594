"""A verified alert at a site links that site's playbook, in each recipient's language, on
every channel: in the message itself where it has room, through the alert's page where it
has not (a text message); any other alert links the general rights page."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person
from tests.playbooks.conftest import english_in
from tocsin.accounts.models import Site
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_site
from tocsin.delivery.channels import kinds
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token, render
from tocsin.playbooks.links import site_url
from tocsin.playbooks.models import LocalPlaybook
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services.reports import ReportInput, submit_report

ADDRESSES = {"email": "rosa@links.test", "signal": "+16125550177", "sms": "+16515550177"}
LINK = re.compile(re.escape(settings.TOCSIN_BASE_URL) + r"/[^\s\"<>]*")


def reachable(channel, inboxes, person):
    if channel == "push":
        address = inboxes["push"].subscribe(settings.TOCSIN_VAPID_PUBLIC_KEY)
    else:
        address = ADDRESSES[channel]
    add_contact(person, channel, address, confirmed=True)


def message_in(channel, inboxes) -> str:
    [message] = inboxes[channel].wait_for(1)
    if channel == "push":
        return f"{message['payload'].get('body', '')}\n{message['payload'].get('url', '')}"
    if channel == "email":
        return f"{message['body']}\n{message['html']}"
    return message["text"]


def rights_links(text: str) -> set[str]:
    return {link for link in LINK.findall(text) if "/rights/" in link}


def alert_links(text: str) -> set[str]:
    return {link for link in LINK.findall(text) if urlsplit(link).path.startswith("/a/")}


def confirm_at(org, site, dispatcher):
    submit_report(org, ReportInput(site=site, activity="Agents at the ambulance bay"), "web")
    facts = broadcast.AlertFacts(seen=["agents_on_foot"])
    return broadcast.confirm_incident(dispatcher, Incident.objects.get(), facts)


def open_in(language: str, link: str):
    """Open a link as the recipient's phone would, the first time: no cookie."""
    parts = urlsplit(link)
    return Client(headers={"accept-language": "en"}).get(parts.path, parse_qs(parts.query))


@pytest.mark.parametrize("language", ["es", "so"])
@pytest.mark.parametrize("channel", kinds())
def test_a_verified_alert_links_the_site_s_playbook_in_the_recipient_s_language(
    channel, language, org, site, inboxes, sent
):
    dispatcher = make_person(org, Role.DISPATCHER, name="Dana Dispatcher")
    person = make_person(org, name="Rosa Reyes", language=language, site=site)
    reachable(channel, inboxes, person)
    follow_site(person, org, site)

    with sent():
        confirm_at(org, site, dispatcher)

    message = message_in(channel, inboxes)
    found = rights_links(message)
    if channel == "sms":
        assert not found  # no room in a text: its link's page carries it
    else:
        assert found, message
    for link in alert_links(message):
        found |= rights_links(html.unescape(open_in(language, link).content.decode()))
    assert found == {f"{settings.TOCSIN_BASE_URL}/rights/s/{site.code}/?lang={language}"}
    [link] = found
    page = open_in(language, link)
    assert page.status_code == 200
    content = page.content.decode()
    assert f'<html lang="{language}">' in content
    assert "Hennepin County Medical Center" in content
    assert english_in(content, language) == []


@pytest.mark.django_db
def test_an_alert_about_no_site_links_the_general_rights_page_in_its_reader_s_language(org):
    person = make_person(org, name="Rosa Reyes", language="so")
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.NOTICE, context={"what": "Meeting"}
    )
    delivery = Delivery.objects.create(alert=alert, person=person, channel="email")

    page = Client().get(reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}))

    assert f'href="{settings.TOCSIN_BASE_URL}/rights/?lang=so"' in page.content.decode()


@pytest.mark.django_db
def test_a_verified_alert_about_a_place_that_is_no_site_links_the_general_page(org, sent):
    dispatcher = make_person(org, Role.DISPATCHER, name="Dana Dispatcher")
    submit_report(org, ReportInput(lat=44.95, lng=-93.25, activity="Agents at a bus stop"), "web")
    incident = Incident.objects.get()
    assert incident.site is None

    with sent():
        alert = broadcast.confirm_incident(
            dispatcher, incident, broadcast.AlertFacts(seen=["checkpoint"])
        )

    assert f"{settings.TOCSIN_BASE_URL}/rights/?lang=es" in render(alert, "es").text
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_a_site_s_rights_link_stays_short(site):
    link = site_url(site, "so")

    assert link == f"{settings.TOCSIN_BASE_URL}/rights/s/{site.code}/?lang=so"
    assert len(link) - len(settings.TOCSIN_BASE_URL) <= 30


@pytest.mark.django_db
def test_the_general_page_an_alert_links_shows_its_organization_s_hotline(org):
    LocalPlaybook.objects.create(organization=org, hotline_number="+16125550142")
    person = make_person(org, name="Rosa Reyes", language="es")
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.NOTICE, context={"what": "Meeting"}
    )

    delivery = Delivery.objects.create(alert=alert, person=person, channel="email")
    page = Client().get(reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}))

    expected = f"{settings.TOCSIN_BASE_URL}/rights/?lang=es&o={org.slug}"
    assert f'href="{expected.replace("&", "&amp;")}"' in page.content.decode()
    rights = open_in("es", expected).content.decode()
    assert 'href="tel:+16125550142"' in rights
    assert "Minnesota Nurses Association" in rights
    # The role pages it links keep the organization, so they show its hotline too.
    role = f"/rights/nurse/?lang=es&amp;o={org.slug}"
    assert role in rights
    assert (
        'href="tel:+16125550142"'
        in Client().get("/rights/nurse/", {"lang": "es", "o": org.slug}).content.decode()
    )


@pytest.mark.django_db
def test_an_organization_that_does_not_exist_adds_nothing_to_the_page(org):
    page = Client().get(reverse("playbooks:rights"), {"lang": "en", "o": "no-such-local"})

    assert page.status_code == 200
    assert "tel:" not in page.content.decode()
