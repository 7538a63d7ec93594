"""RFC 8058 one-click unsubscribe, as a mailbox provider does it: the reader presses the
provider's Unsubscribe button, maybe a year after the alert, and the provider POSTs
`List-Unsubscribe=One-Click` to the message's List-Unsubscribe URL from its own servers,
with no cookie and no CSRF token. The requests here go over HTTP to a live server, not
through Django's test client (which skips the CSRF check)."""

import time

import pytest
import requests
from django.core import signing
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.models import ContactPoint, Subscription
from tocsin.accounts.services.people import add_contact

YEAR_SECONDS = 365 * 24 * 60 * 60
ONE_CLICK = {"List-Unsubscribe": "One-Click"}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rosa(org, other_org, site):
    """A member who reads email and follows a site in two organizations."""
    rosa = make_person(org, name="Rosa Reyes", site=site)
    add_contact(rosa, "email", "rosa@example.org", confirmed=True)
    Subscription.objects.create(person=rosa, organization=org, site=site)
    Subscription.objects.create(person=rosa, organization=other_org, site=site)
    return rosa


@pytest.fixture
def unsubscribe_url(live_server, settings, org, rosa, smtp_server, admin_client, monkeypatch):
    """Send Rosa an alert by email; return the URL of its List-Unsubscribe header, with the
    clock moved a year on."""
    settings.TOCSIN_BASE_URL = live_server.url
    admin_client.post(
        reverse("delivery:alerts", kwargs={"org": org.slug}),
        {"what": "Picket at noon", "audience": "everyone"},
    )
    [message] = [m for m in smtp_server.wait_for(1) if m["to"] == ["rosa@example.org"]]
    assert message["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["headers"]["List-Unsubscribe"].strip("<>")
    assert url.startswith(live_server.url)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + YEAR_SECONDS)
    return url


def test_the_providers_one_click_post_a_year_later_stops_the_alerts(unsubscribe_url, org, rosa):
    response = requests.post(unsubscribe_url, data=ONE_CLICK, allow_redirects=False, timeout=10)

    assert response.status_code == 200
    assert not Subscription.objects.filter(person=rosa, organization=org).exists()


def test_it_does_the_unsubscribe_and_nothing_else(unsubscribe_url, rosa, other_org, settings):
    response = requests.post(unsubscribe_url, data=ONE_CLICK, allow_redirects=False, timeout=10)

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # nobody is signed in
    assert Subscription.objects.filter(person=rosa, organization=other_org).exists()
    assert ContactPoint.objects.filter(person=rosa, channel="email").exists()


def test_opening_the_link_changes_nothing_and_offers_the_button(unsubscribe_url, org):
    page = requests.get(unsubscribe_url, timeout=10)

    assert page.status_code == 200
    assert 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert Subscription.objects.filter(organization=org).count() == 1


def test_a_post_without_the_one_click_body_is_refused_by_name(unsubscribe_url, org):
    response = requests.post(unsubscribe_url, data={}, timeout=10)

    assert response.status_code == 400
    assert "List-Unsubscribe" in response.text
    assert Subscription.objects.filter(organization=org).count() == 1


def test_a_forged_token_is_404(unsubscribe_url, org):
    forged = unsubscribe_url.rstrip("/")[:-3] + "AAA/"

    response = requests.post(forged, data=ONE_CLICK, timeout=10)

    assert response.status_code == 404
    assert Subscription.objects.filter(organization=org).count() == 1
