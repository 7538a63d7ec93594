"""The coalition view on a phone, in Somali: the open verified incidents of the unions that
share alerts with the federation are drawn on the map (no third-party tiles, no script the
page's policy refuses), the turnout chart and the pledges read in Somali, and nothing is
wider than the phone."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser import csp_violations
from tests.conftest import sign_in_browser
from tests.factories import share
from tocsin.response.models import Incident

from . import world as january_23


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_coalition_sees_the_open_incidents_on_a_map_on_a_phone(phone_in, live_server):
    world = january_23.minneapolis()
    for union in world.unions:
        share(union.organization, world.coalition, "alerts", "events")
    seiu, _unite, atu, cwa = world.unions
    january_23.open_incident(seiu, Incident.State.CONFIRMED)
    january_23.open_incident(atu, Incident.State.CONFIRMED, site=False)
    january_23.open_incident(cwa, Incident.State.NEW)  # not verified: not shown
    january_23.coalition_pledge(world)
    requests = []
    phone = phone_in("so")
    phone.on("request", lambda request: requests.append(request.url))
    violations = []
    phone.on("console", lambda message: violations.extend(csp_violations(message)))
    sign_in_browser(phone, live_server, world.organizer)
    phone.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "so", "url": live_server.url}]
    )

    phone.goto(f"{live_server.url}/staff/o/{world.coalition.slug}/coalition/")

    expect(phone.get_by_role("heading", name="Muuqaalka isbahaysiga")).to_be_visible()
    expect(phone.locator("#coalition-map")).to_be_visible()
    expect(phone.locator("#coalition-map path.leaflet-interactive")).to_have_count(2)
    expect(phone.get_by_text("Hennepin County Medical Center").first).to_be_visible()
    expect(phone.get_by_text("waxay sugaysaa in urur kastaa gaaro xadkiisa")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations == []
    assert all(url.startswith(live_server.url) for url in requests), requests
