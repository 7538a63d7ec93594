"""The dispatcher's console in a real browser, on a laptop and on a phone, in English and
Spanish: the newest words of each incident, per-dispatcher unread marks, a chime and a
desktop notification for a new incident, and the incident page's map beside the broadcast.

Reports come in as the public would send them: through the report page and the API of the
running server.
"""

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import SCREENS, browser_context, make_person, sign_in_browser
from tocsin.accounts.roles import Role
from tocsin.response.models import Incident
from tocsin.response.services import broadcast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": "Two unmarked SUVs blocking the ambulance bay, agents in tactical vests",
    "es": "Dos camionetas sin placas bloquean la entrada de ambulancias",
}
THANKS = {"en": "Thank you: your report is in", "es": "Gracias: recibimos tu reporte"}
# What the console says, in each language.
SAYS = {
    "en": {"unread": "Unread:", "notify": "Turn on desktop notifications", "report": "Report"},
    "es": {
        "unread": "Sin leer:",
        "notify": "Activar las notificaciones de escritorio",
        "report": "Reporte",
    },
}

# Record, as the browser is asked, each tone the page starts and each notification it shows:
# the page's own code runs unchanged, on the browser's real AudioContext and Notification.
LISTEN = """
window.__tones = 0;
window.__notifications = [];
(function () {
  var start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function () {
    window.__tones += 1;
    return start.apply(this, arguments);
  };
  var Real = window.Notification;
  if (!Real) { return; }
  function Recorded(title, options) {
    window.__notifications.push({ title: title, body: (options || {}).body || "" });
    return new Real(title, options);
  }
  Recorded.requestPermission = function () { return Real.requestPermission.apply(Real, arguments); };
  Object.defineProperty(Recorded, "permission", { get: function () { return Real.permission; } });
  window.Notification = Recorded;
})();
"""


@pytest.fixture
def screens(chromium, live_server, settings):
    """Return a factory of browser pages signed in as `person` (None: nobody):
    `screens(person, "phone", "es")`."""
    settings.TOCSIN_MAP_TILES_URL = ""  # no tile server here: the pages load at once
    contexts = []

    def make(person, screen="laptop", language="en", notifications=False):
        context = browser_context(chromium, screen, language, timeout=15_000)
        if notifications:
            context.grant_permissions(["notifications"], origin=live_server.url)
        context.add_init_script(LISTEN)
        contexts.append(context)
        page = context.new_page()
        page.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda r: r.abort())
        return sign_in_browser(page, live_server, person) if person else page

    yield make
    for context in contexts:
        context.close()
    # The server's stream threads notice a closed page at their next poll (tocsin.core.sse).
    time.sleep(1.5)


def dispatcher(org, name, language="en"):
    return make_person(
        org,
        Role.DISPATCHER,
        email=f"{name.lower()}@mna.test",
        password="dispatch horse 42",
        name=name,
        language=language,
    )


def report_by_api(live_server, org, activity, lat=44.9731, lng=-93.2617):
    """Send a report through the public API, as a member's app would."""
    body = {"organization": org.slug, "lat": lat, "lng": lng, "activity": activity}
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/reports",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201)


def console_of(page, live_server, org):
    page.goto(f"{live_server.url}/staff/o/{org.slug}/console/")
    return page


@pytest.mark.parametrize("screen", ["laptop", "phone"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_report_from_the_public_page_appears_in_the_queue_with_its_words(
    screens, live_server, org, site, screen, language
):
    console = console_of(
        screens(dispatcher(org, "Dana", language), screen, language), live_server, org
    )
    expect(console.locator("li.incident")).to_have_count(0)

    reporter = screens(None, "phone", language)  # anyone, without an account
    reporter.goto(f"{live_server.url}/report/s/{site.code}/")
    reporter.locator("textarea").first.fill(WORDS[language])
    reporter.locator("form button[type=submit]").last.click()
    expect(reporter.get_by_role("heading", name=THANKS[language])).to_be_visible()

    line = console.locator("li.incident")
    expect(line).to_have_count(1, timeout=10_000)
    expect(line.locator(".words")).to_have_text(WORDS[language][:140])
    # Named by its place and the first report's time, not by a code.
    expect(line.locator(".where")).to_contain_text("Hennepin County Medical Center, ")
    assert "Incident " not in line.locator(".where").inner_text()
    expect(line.locator(".words")).to_be_in_viewport()


@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_an_incident_is_unread_for_each_dispatcher_until_they_open_it(
    screens, live_server, org, site, screen
):
    report_by_api(live_server, org, WORDS["en"])
    incident = Incident.objects.get()
    ana = console_of(screens(dispatcher(org, "Ana"), screen), live_server, org)
    ben = console_of(screens(dispatcher(org, "Ben", "es"), screen, "es"), live_server, org)
    for page, language in ((ana, "en"), (ben, "es")):
        line = page.locator(f'li[data-incident="{incident.public_id}"]')
        expect(line).to_have_class(re.compile(r"\bunread\b"))
        expect(line.locator(".visually-hidden")).to_have_text(SAYS[language]["unread"] + " ")
        assert (
            line.get_by_role("link")
            .evaluate("a => a.textContent")
            .strip()
            .startswith(SAYS[language]["unread"])
        )

    ana.locator(f'li[data-incident="{incident.public_id}"] a').click()
    ana.wait_for_url(f"**/incidents/{incident.public_id}/")
    console_of(ana, live_server, org)
    expect(ana.locator(f'li[data-incident="{incident.public_id}"]')).not_to_have_class(
        re.compile(r"\bunread\b")
    )
    expect(ana.get_by_text(SAYS["en"]["unread"])).to_have_count(0)

    ben.reload()
    expect(ben.locator(f'li[data-incident="{incident.public_id}"]')).to_have_class(
        re.compile(r"\bunread\b")
    )

    # A new report on the same incident: unread again for Ana, on her open console.
    report_by_api(live_server, org, "Now six agents at the ER entrance")
    assert Incident.objects.count() == 1
    expect(ana.locator(f'li[data-incident="{incident.public_id}"]')).to_have_class(
        re.compile(r"\bunread\b"), timeout=10_000
    )
    expect(ana.locator("li.incident .words")).to_have_text("Now six agents at the ER entrance")


@pytest.mark.parametrize("screen,language", [("laptop", "en"), ("phone", "es")])
def test_a_new_incident_chimes_and_shows_a_desktop_notification(
    screens, live_server, org, site, screen, language
):
    console = console_of(
        screens(dispatcher(org, "Dana", language), screen, language, notifications=True),
        live_server,
        org,
    )
    alerts = console.locator("#console-alerts")
    expect(alerts).to_be_visible()
    console.get_by_role("button", name=SAYS[language]["notify"], exact=True).click()
    expect(console.get_by_role("button", name=SAYS[language]["notify"], exact=True)).to_be_hidden()
    assert console.evaluate("window.__tones") == 0

    report_by_api(live_server, org, WORDS[language])
    expect(console.locator("li.incident")).to_have_count(1, timeout=10_000)
    expect(alerts).to_have_attribute("data-chimes", "1")
    expect(alerts).to_have_attribute("data-notified", "1")
    assert console.evaluate("window.__tones") >= 1
    (shown,) = console.evaluate("window.__notifications")
    assert shown["title"].startswith("Hennepin County Medical Center, ")
    assert WORDS[language] not in shown["body"]  # what was reported stays on the console

    # A second report of the same incident is not a new incident: no second chime.
    report_by_api(live_server, org, "More agents")
    expect(console.locator("[data-reports='2']")).to_be_visible(timeout=10_000)
    expect(alerts).to_have_attribute("data-chimes", "1")


def test_the_sound_and_the_notifications_can_be_turned_off(screens, live_server, org, site):
    console = console_of(screens(dispatcher(org, "Dana"), notifications=True), live_server, org)
    console.get_by_role("button", name="Turn on desktop notifications").click()
    console.get_by_role("button", name="Turn off desktop notifications").click()
    console.get_by_label("Sound for a new incident").uncheck()
    console.reload()  # the choices stay in this browser
    expect(console.get_by_label("Sound for a new incident")).not_to_be_checked()

    report_by_api(live_server, org, WORDS["en"])
    expect(console.locator("li.incident")).to_have_count(1, timeout=10_000)
    console.wait_for_timeout(500)
    alerts = console.locator("#console-alerts")
    expect(alerts).to_have_attribute("data-chimes", "0")
    expect(alerts).to_have_attribute("data-notified", "0")
    assert console.evaluate("window.__tones") == 0
    assert console.evaluate("window.__notifications") == []


@pytest.mark.parametrize("screen", ["laptop", "phone"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_incident_page_maps_its_reports_and_the_alerts_area(
    screens, live_server, org, site, settings, screen, language
):
    settings.TOCSIN_MAP_TILES_URL = ""
    report_by_api(live_server, org, "Agents at the ambulance bay", 44.9731, -93.2617)
    report_by_api(live_server, org, "Vans on 8th Street", 44.9735, -93.2630)
    report_by_api(live_server, org, "Agents at the ER entrance", 44.9725, -93.2612)
    incident = Incident.objects.get()
    assert incident.reports.count() == 3
    dana = dispatcher(org, "Dana", language)
    page = screens(dana, screen, language)
    page.goto(f"{live_server.url}/staff/o/{org.slug}/incidents/{incident.public_id}/")

    box = page.locator("#incident-map")
    expect(box.locator("path.report-pin")).to_have_count(3)
    expect(box.locator("path.incident-point")).to_have_count(1)
    expect(box.locator("path.alert-area")).to_have_count(1)
    expect(box).to_have_attribute("data-alert-radius", str(settings.TOCSIN_BROADCAST_RADIUS_M))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hennepin County Medical Center")

    # The circle follows the radius being composed.
    page.locator("#confirm summary").click()
    page.locator('#confirm [name="radius_m"]').select_option("500")
    expect(box).to_have_attribute("data-alert-radius", "500")

    # Two columns on a laptop (the map beside the reports), one on a phone (below them).
    reports = page.locator(".incident-main").bounding_box()
    side = page.locator(".incident-side").bounding_box()
    if screen == "laptop":
        assert side["x"] > reports["x"] + reports["width"] - 1
    else:
        assert abs(side["x"] - reports["x"]) < 2 and side["y"] > reports["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]

    # Once the alert is sent, the circle is the one sent.
    facts = broadcast.AlertFacts(seen=["agents_on_foot"], notes={"en": "ICE at the ambulance bay"})
    broadcast.confirm_incident(dana, incident, facts, 2000)
    page.reload()
    expect(box.locator("path.alert-area")).to_have_count(1)
    expect(box).to_have_attribute("data-alert-radius", "2000")
    expect(box.locator("path.report-pin")).to_have_count(3)
