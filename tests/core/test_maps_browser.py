"""The maps on a phone (issue "Step 8 — Field-correct", items 1 and 6): a pin dropped in
Spanish lands where it was dropped; by default no map asks any server but Tocsin for
anything; an operator's tile archive is served by Tocsin; without tiles the map still shows
the sites, the pin, the area and a scale."""

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.browser import (
    REPORT_ZOOM,
    metres_between,
    tap_off_centre,
)
from tests.conftest import make_site, sign_in_browser
from tocsin.accounts.models import Subscription
from tocsin.accounts.roles import Role
from tocsin.response.models import Report

from .tile_archives import tiles_around, write_archive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AREA_ZOOM = 14  # area.js likewise


def recording(page, origin: str) -> list[str]:
    """Record every request the page makes; refuse (after recording) any leaving Tocsin."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route(
        lambda url: not url.startswith(origin) and not url.startswith(("data:", "blob:")),
        lambda route: route.abort(),
    )
    return requests


def elsewhere(requests: list[str], origin: str) -> list[str]:
    return [url for url in requests if not url.startswith((origin + "/", "data:", "blob:"))]


@pytest.fixture
def default_maps(settings):
    """The map settings of a Tocsin whose operator set no map variable (the test settings
    turn tiles off; this reads what tocsin/settings.py itself gives)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("TOCSIN_MAP_") and name != "DJANGO_SETTINGS_MODULE"
    }
    environment["PYTHONPATH"] = os.pathsep.join(sys.path)
    program = (
        "import json; from tocsin import settings as s; print(json.dumps({"
        "'url': s.TOCSIN_MAP_TILES_URL, 'file': getattr(s, 'TOCSIN_MAP_TILES_FILE', ''),"
        "'img': [str(v) for v in s.SECURE_CSP['img-src']],"
        "'connect': [str(v) for v in s.SECURE_CSP['connect-src']]}))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", program],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    defaults = json.loads(answer.stdout.strip().splitlines()[-1])
    settings.TOCSIN_MAP_TILES_URL = defaults["url"]
    settings.TOCSIN_MAP_TILES_FILE = defaults["file"]
    return defaults


def test_a_pin_dropped_in_spanish_on_the_report_page_is_stored_where_it_was_dropped(
    phone_in, live_server, org, site
):
    page = phone_in("es")
    page.goto(live_server.url + reverse("response:report_org", kwargs={"org": org.slug}))
    page.get_by_label("¿Qué ves?").fill("Dos agentes parando gente en la parada del autobús")

    dropped = tap_off_centre(
        page, ".pin-map.leaflet-container", 60, -40, (44.9727, -93.2622), REPORT_ZOOM
    )
    page.get_by_role("button", name="Quitar el marcador").wait_for()
    page.get_by_role("button", name="Enviar el reporte").click()

    page.get_by_role("heading", name="Gracias: recibimos tu reporte").wait_for()
    report = Report.objects.get()
    assert metres_between((float(report.lat), float(report.lng)), dropped) < 15


def test_an_area_tapped_in_spanish_on_the_join_page_is_stored_where_it_was_tapped(
    phone_in, live_server, site, smtp_server
):
    page = phone_in("es")
    page.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))
    page.get_by_label("Nombre o seudónimo").fill("Lupe")
    page.get_by_label("Correo electrónico").fill("lupe@example.org")

    tapped = tap_off_centre(
        page, ".area-map.leaflet-container", -50, 30, (44.9727, -93.2622), AREA_ZOOM
    )
    page.get_by_label("Acepto que Tocsin guarde mi nombre").check()
    page.get_by_role("button", name="Unirme").click()

    page.get_by_role("heading", name="Revisa tus mensajes").wait_for()
    area = Subscription.objects.get(lat__isnull=False)
    assert metres_between((float(area.lat), float(area.lng)), tapped) < 25


def test_with_the_default_settings_a_map_asks_nothing_of_any_other_server(
    phone_in, desk, live_server, org, site, admin, default_maps
):
    page = phone_in("es")
    requests = recording(page, live_server.url)
    staff = sign_in_browser(desk, live_server, admin)
    staff_requests = recording(staff, live_server.url)

    page.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))
    page.locator(".area-map .leaflet-control-scale").wait_for()
    page.goto(live_server.url + reverse("response:report_org", kwargs={"org": org.slug}))
    page.locator(".pin-map .leaflet-control-scale").wait_for()
    staff.goto(live_server.url + reverse("staff:sites", kwargs={"org": org.slug}))
    staff.locator("#site-map .leaflet-control-scale").wait_for()
    page.wait_for_load_state("networkidle")
    staff.wait_for_load_state("networkidle")

    assert requests and staff_requests
    assert elsewhere(requests, live_server.url) == []
    assert elsewhere(staff_requests, live_server.url) == []
    # Nor may any page: the Content-Security-Policy names no other origin for images or fetches.
    assert default_maps["url"] == "" and default_maps["file"] == ""
    assert default_maps["img"] == ["'self'", "data:"]
    assert default_maps["connect"] == ["'self'"]


def test_with_a_tile_archive_the_map_loads_its_tiles_from_tocsin(
    phone_in, live_server, org, site, settings, tmp_path
):
    archive = write_archive(
        tmp_path / "minneapolis.pmtiles", tiles_around(44.9727, -93.2622, range(12, 17))
    )
    settings.TOCSIN_MAP_TILES_URL = ""
    settings.TOCSIN_MAP_TILES_FILE = str(archive)
    page = phone_in("es")
    requests = recording(page, live_server.url)
    tiles = []
    page.on(
        "response",
        lambda response: (
            tiles.append((response.url, response.status, response.header_value("content-type")))
            if "/tiles/" in response.url
            else None
        ),
    )

    page.goto(live_server.url + reverse("response:report_org", kwargs={"org": org.slug}))
    page.locator(".pin-map img.leaflet-tile-loaded").first.wait_for()
    page.wait_for_load_state("networkidle")

    loaded = [url for url, status, kind in tiles if status == 200 and kind == "image/png"]
    assert loaded and all(url.startswith(live_server.url + "/tiles/15/") for url in loaded)
    assert page.locator(".pin-map img.leaflet-tile-loaded").count() >= 4
    assert elsewhere(requests, live_server.url) == []
    assert "OpenStreetMap" in page.locator(".pin-map .leaflet-control-attribution").inner_text()


def test_without_tiles_the_maps_show_the_sites_the_pin_the_area_and_a_scale(
    phone_in, desk, live_server, org, site, admin
):
    make_site(org, "Minneapolis VA Medical Center", "44.900600", "-93.203600")
    assert django_settings.TOCSIN_MAP_TILES_URL == ""
    page = phone_in("en")

    page.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))
    area_map = page.locator(".area-map.leaflet-container")
    area_map.scroll_into_view_if_needed()
    assert "map-plain" in area_map.get_attribute("class")
    assert page.locator(".area-map .leaflet-control-scale").is_visible()
    assert page.locator(".area-map .map-label").inner_text() == "Hennepin County Medical Center"
    tap_off_centre(page, ".area-map.leaflet-container", 20, 20, (44.9727, -93.2622), AREA_ZOOM)
    # The site, the chosen point and the area's circle.
    assert page.locator(".area-map path.leaflet-interactive").count() == 3

    page.goto(live_server.url + reverse("response:report_org", kwargs={"org": org.slug}))
    assert page.locator(".pin-map .leaflet-control-scale").is_visible()
    labels = page.locator(".pin-map .map-label").all_inner_texts()
    assert sorted(labels) == ["Hennepin County Medical Center", "Minneapolis VA Medical Center"]
    tap_off_centre(page, ".pin-map.leaflet-container", 30, 30, (44.9727, -93.2622), REPORT_ZOOM)
    page.get_by_role("button", name="Remove the pin").wait_for()
    assert page.locator(".pin-map path.leaflet-interactive").count() == 3

    staff = sign_in_browser(desk, live_server, admin)
    staff.goto(live_server.url + reverse("staff:sites", kwargs={"org": org.slug}))
    assert staff.locator("#site-map .leaflet-control-scale").is_visible()
    assert sorted(staff.locator("#site-map .map-label").all_inner_texts()) == sorted(labels)


def test_the_console_map_without_tiles_labels_the_sites_and_has_a_scale(
    desk, live_server, org, site
):
    from tests.conftest import make_person
    from tocsin.response.services.reports import ReportInput, submit_report

    dispatcher = make_person(org, Role.DISPATCHER, email="dispatch@mna.test", name="Dana")
    submit_report(
        org,
        ReportInput(activity="Two vans", lat=Decimal("44.98"), lng=Decimal("-93.27")),
        "web",
    )
    staff = sign_in_browser(desk, live_server, dispatcher)
    requests = recording(staff, live_server.url)

    staff.goto(live_server.url + reverse("response:console", kwargs={"org": org.slug}))

    staff.locator("#console-map .leaflet-control-scale").wait_for()
    assert staff.locator("#console-map .map-label").all_inner_texts() == [site.name]
    assert staff.locator("#console-map path.leaflet-interactive").count() == 2
    assert elsewhere(requests, live_server.url) == []
