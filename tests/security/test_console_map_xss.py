"""The malicious reporter writes HTML where a place's name goes, or in what they saw, to run
it in a dispatcher's browser. On the console's map a tooltip shows it as text, and so does
the queue's line with the newest report's words: no element is made from it, and nothing in
it runs."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_person, sign_in_browser
from tocsin.accounts.roles import Role
from tocsin.response.models import Incident
from tocsin.response.services.reports import reset_rate

pytestmark = pytest.mark.browser

ATTACKER = "198.51.100.66"
PAYLOAD = (
    '<img id="injected" src="x" onerror="window.pwned = 1"><b class="injected">ambulance bay</b>'
)


@pytest.fixture
def attacker():
    reset_rate(ATTACKER)
    yield ATTACKER
    reset_rate(ATTACKER)


def test_html_in_a_reported_place_is_shown_as_text_in_the_maps_tooltip(
    desk, live_server, org, site, attacker
):
    dispatcher = make_person(
        org, Role.DISPATCHER, email="dispatch@mna.test", password="dispatch horse 42"
    )
    answer = Client().post(
        reverse("response:report_org", kwargs={"org": org.slug}),
        {
            "activity": "Agents at the door",
            "seen": "0",
            "location": PAYLOAD,
            "lat": "44.9731",
            "lng": "-93.2400",
        },
        REMOTE_ADDR=attacker,
    )
    assert answer.status_code == 302
    incident = Incident.objects.get()
    assert incident.where == PAYLOAD

    sign_in_browser(desk, live_server, dispatcher)
    desk.goto(f"{live_server.url}/staff/o/{org.slug}/console/")
    markers = desk.locator("#console-map path.leaflet-interactive")
    expect(markers).to_have_count(2)  # the site and the incident
    tooltip = desk.locator(".leaflet-tooltip")
    for index in range(2):
        markers.nth(index).hover(force=True)
        if PAYLOAD[:10] in (tooltip.last.text_content(timeout=2_000) or ""):
            break
    expect(tooltip.last).to_contain_text(PAYLOAD)
    assert desk.locator("#console-map img#injected, #console-map .injected").count() == 0
    assert desk.locator("#injected, .injected").count() == 0
    assert desk.evaluate("window.pwned") is None


def test_html_in_a_reports_words_is_shown_as_text_in_the_queue(
    desk, live_server, org, site, attacker, caplog
):
    dispatcher = make_person(
        org, Role.DISPATCHER, email="dispatch@mna.test", password="dispatch horse 42"
    )
    sign_in_browser(desk, live_server, dispatcher)
    desk.goto(f"{live_server.url}/staff/o/{org.slug}/console/")
    expect(desk.get_by_text("No open incidents")).to_be_visible()

    answer = Client().post(
        reverse("response:report_org", kwargs={"org": org.slug}),
        {"activity": PAYLOAD, "seen": "0", "lat": "44.9731", "lng": "-93.2400"},
        REMOTE_ADDR=attacker,
    )
    assert answer.status_code == 302

    # It arrives by the console's own refresh, then again on a fresh load.
    words = desk.locator("li.incident .words")
    expect(words).to_have_text(PAYLOAD)
    desk.reload()
    expect(words).to_have_text(PAYLOAD)
    assert desk.locator("#queue img, #queue b, #injected, .injected").count() == 0
    assert desk.evaluate("window.pwned") is None
    assert "ambulance bay" not in caplog.text  # the words are never logged
