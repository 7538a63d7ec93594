"""A night-shift nurse reports what she sees at the ambulance bay from her phone, in Spanish;
someone else drops a pin on an organization's map."""

import re

import pytest
from django.urls import reverse

from tests.browser import csp_violations
from tocsin.response.models import Report

WHAT = "Camionetas sin placas y agentes con chalecos tácticos en la entrada de ambulancias"


def offline(page):
    """Refuse every request that would leave this machine, and collect CSP violations."""
    page.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda route: route.abort())
    errors = []
    page.on("console", lambda message: errors.extend(csp_violations(message)))
    return errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_takes_a_nurses_report_in_spanish_from_her_phone(phone_in, live_server, site, settings):
    settings.TOCSIN_MAP_TILES_URL = ""
    page = phone_in("es")
    csp_errors = offline(page)

    page.goto(live_server.url + reverse("response:report_site", kwargs={"site": site.code}))

    page.get_by_label("¿Qué ves?").fill(WHAT)
    page.get_by_label("Cuántos agentes").fill("4")
    page.get_by_label("Cuántos vehículos").fill("2")
    page.get_by_role("button", name="Enviar el reporte").click()

    page.get_by_role("heading", name="Gracias: recibimos tu reporte").wait_for()
    assert "Un despachador lo revisará" in page.content()
    assert "No se envía nada a los miembros hasta que se verifique" in page.content()
    report = Report.objects.get()
    assert (report.activity, report.agents, report.vehicles) == (WHAT, 4, 2)
    assert (report.language, report.site) == ("es", site)
    assert csp_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_tap_on_the_map_of_an_organization_page_pins_the_report(
    phone_in, live_server, org, site, settings
):
    settings.TOCSIN_MAP_TILES_URL = ""
    page = phone_in("en")
    csp_errors = offline(page)

    page.goto(live_server.url + reverse("response:report_org", kwargs={"org": org.slug}))

    page.get_by_label("What do you see?").fill("Two agents stopping people at the bus stop")
    map_box = page.locator(".pin-map.leaflet-container")
    map_box.scroll_into_view_if_needed()
    map_box.tap(position={"x": 60, "y": 60})
    page.get_by_role("button", name="Remove the pin").wait_for()
    page.get_by_role("button", name="Send the report").click()

    page.get_by_role("heading", name="Thank you: your report is in").wait_for()
    report = Report.objects.get()
    assert report.site is None and report.located
    assert abs(float(report.lat) - float(site.lat)) < 0.01
    assert abs(float(report.lng) - float(site.lng)) < 0.01
    assert csp_errors == []
