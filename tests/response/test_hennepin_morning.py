"""The Hennepin morning, end to end in real browsers, over the channels' real protocols.

At 6:40 a night-shift nurse scans the poster in the break room and reports, in Spanish,
unmarked SUVs and agents in tactical vests at the ambulance bay of Hennepin County Medical
Center. Two more reports arrive within three minutes; the console shows one incident with
three reports. The dispatcher claims it and asks the verifiers within 2 km; one answers
confirmed with a photo. The dispatcher confirms what was seen (agents on foot, unmarked
vehicles), sees whom it reaches by organization, language and channel and each language's
message, and sends: everyone following the hospital or the
blocks around it, the Minnesota Nurses Association's legal observers, and SEIU Local 26
members who follow that area get the verified alert, each in their language, on their own
channel. Two legal observers answer en route; the legal van answers with an ETA. At 8:15
the dispatcher sends the all-clear to the same people. The timeline exports with all of it,
and no page shows who the reporters were.
"""

import json
import re
import time
import urllib.request

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser import csp_violations
from tests.conftest import make_person, make_site, sign_in_browser
from tocsin.accounts.models import SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_area, follow_site
from tocsin.response.models import Incident, Response

WHAT = "Camionetas sin placas y agentes con chalecos tácticos en la entrada de ambulancias"
SPANISH_WORDS = "En la entrada de ambulancias, con chalecos tácticos"
CALLBACK = "+16125550177"  # the nurse's, left for a call back; no page may show it
LINK = re.compile(r"https?://[^\s]+/a/([^/\s]+)/")


def person(org, name, channel, address, roles=Role.MEMBER, language="en", site=None):
    someone = make_person(org, roles, name=name, language=language, site=site)
    add_contact(someone, channel, address, True)
    return someone


def wait_until(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def messages_to(servers):
    """Every message the local servers received, as (recipient, text)."""
    smtp, signal, sms = servers
    received = [(m["to"][0], m["subject"] + "\n" + m["body"]) for m in smtp.messages]
    received += [(m["to"], m["text"]) for m in signal.messages + sms.messages]
    return received


def received(servers, marker):
    """Return {recipient: text} of the messages whose text carries `marker`."""
    return {to: text for to, text in messages_to(servers) if marker in text}


def link_path(text):
    return f"/a/{LINK.search(text).group(1)}/"


def offline(page):
    """Refuse every request that would leave this machine, and collect CSP violations."""
    page.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda route: route.abort())
    errors = []
    page.on("console", lambda message: errors.extend(csp_violations(message)))
    return errors


def jpeg_with_gps(path):
    image = Image.new("RGB", (800, 600), "gray")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    image.save(path, "JPEG", exif=exif)
    return path


@pytest.fixture
def desk(chromium, live_server, transactional_db):
    """The dispatcher's browser: a desktop-sized page, closed before the database goes."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
    # The server's stream threads notice the closed page at their next poll (tocsin.core.sse):
    # let them end before the database is taken away.
    time.sleep(1.5)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_hennepin_morning(
    desk,
    phone_in,
    live_server,
    org,
    other_org,
    site,
    smtp_server,
    signal_server,
    sms_gateway,
    worker,
    settings,
    tmp_path,
):
    settings.TOCSIN_MAP_TILES_URL = ""
    settings.TOCSIN_BASE_URL = live_server.url
    servers = (smtp_server, signal_server, sms_gateway)
    site.organizations.add(other_org)
    va = make_site(org, name="Minneapolis VA Medical Center", lat="44.900600", lng="-93.203600")
    SharingAgreement.objects.create(organization=org, partner=other_org, alerts=True)

    dispatcher = make_person(
        org, Role.DISPATCHER, email="dana@mna.test", password="dispatch horse 42", name="Dana"
    )
    person(org, "Vera", "signal", "+16125550120", Role.VERIFIER, "es", site=site)
    rosa = person(org, "Rosa", "sms", "+16125550121", language="es")
    follow_site(rosa, org, site)
    lee = person(org, "Lee", "email", "lee@example.org")
    follow_area(lee, org, 44.9735, -93.2615, 500)
    tomas = person(other_org, "Tomás", "signal", "+16125550122", language="es")
    follow_area(tomas, other_org, 44.9730, -93.2630, 1000)
    person(other_org, "Grace", "email", "grace@example.org")  # SEIU, follows nothing here
    far = person(org, "Farah", "email", "farah@example.org")
    follow_site(far, org, va)
    person(org, "Lena", "email", "lena@example.org", Role.LEGAL_OBSERVER)
    person(org, "Omar", "sms", "+16125550123", Role.LEGAL_OBSERVER, "es")
    person(org, "Van crew", "sms", "+16125550124", Role.LEGAL_VAN)

    # The dispatcher's console is open before anything happens.
    console = desk
    console_csp = offline(console)
    sign_in_browser(console, live_server, dispatcher)
    console.goto(f"{live_server.url}/staff/o/{org.slug}/console/")
    expect(console.get_by_text("No open incidents")).to_be_visible()
    console.evaluate("window.notReloaded = true")

    # 6:40: the night-shift nurse reports from the break room poster, in Spanish.
    nurse = phone_in("es")
    nurse_csp = offline(nurse)
    nurse.goto(f"{live_server.url}/report/s/{site.code}/")
    nurse.get_by_label("¿Qué ves?").fill(WHAT)
    nurse.get_by_label("Cuántos agentes").fill("4")
    nurse.get_by_label("Cuántos vehículos").fill("2")
    nurse.get_by_label("Un teléfono o correo para llamarte (opcional)").fill(CALLBACK)
    nurse.get_by_role("button", name="Enviar el reporte").click()
    expect(nurse.get_by_role("heading", name="Gracias: recibimos tu reporte")).to_be_visible()

    # It appears on the console without a reload.
    expect(console.locator('[data-reports="1"]')).to_be_visible(timeout=5_000)

    # Two more reports within three minutes: one from a coworker's phone, one by the API.
    coworker = phone_in("en")
    coworker.goto(f"{live_server.url}/report/s/{site.code}/")
    coworker.get_by_label("What do you see?").fill("Two unmarked SUVs blocking the ambulance bay")
    coworker.get_by_role("button", name="Send the report").click()
    expect(coworker.get_by_role("heading", name="Thank you: your report is in")).to_be_visible()
    body = {
        "organization": org.slug,
        "lat": 44.9731,
        "lng": -93.2617,
        "activity": "Agents in vests at the ER entrance",
        "agents": 6,
    }
    api = urllib.request.Request(
        f"{live_server.url}/api/v1/reports",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(api, timeout=10) as answer:
        assert answer.status == 201

    expect(console.locator('[data-reports="3"]')).to_be_visible(timeout=5_000)
    expect(console.locator("li.incident")).to_have_count(1)
    assert console.evaluate("window.notReloaded") is True
    incident = Incident.objects.get()

    # From the keyboard: j to the incident, Enter to open it, c to claim it.
    console.keyboard.press("j")
    console.keyboard.press("Enter")
    console.wait_for_url(f"**/incidents/{incident.public_id}/")
    console.keyboard.press("c")
    expect(console.get_by_text("You have this incident.")).to_be_visible()
    console.wait_for_load_state()

    # Ask the verifiers within 2 km; Vera answers confirmed, with a photo, in Spanish.
    console.keyboard.press("v")
    console.get_by_label("Ask verifiers within").select_option("2000")
    console.get_by_role("button", name="Send the verify request").click()
    expect(console.get_by_text("Verify request sent to 1 verifier.")).to_be_visible()
    request = wait_until(lambda: received(servers, "SOLICITUD DE VERIFICACIÓN"))
    assert list(request) == ["+16125550120"]
    assert CALLBACK not in request["+16125550120"] and WHAT not in request["+16125550120"]

    verifier = phone_in("es")
    verifier.goto(live_server.url + link_path(request["+16125550120"]))
    expect(verifier.get_by_role("heading", name="¿Qué encontraste?")).to_be_visible()
    verifier.set_input_files("#photo", str(jpeg_with_gps(tmp_path / "bay.jpg")))
    verifier.get_by_label("Nota (opcional)").fill("Dos camionetas y agentes con chalecos")
    verifier.get_by_role("button", name="confirmado", exact=True).click()
    expect(verifier.get_by_text("Gracias. El despachador ya ve tu respuesta.")).to_be_visible()

    # The answer shows on the dispatcher's page without a reload.
    expect(console.locator('[data-answer="confirmed"]')).to_contain_text("Vera", timeout=5_000)

    # Confirm and broadcast: the facts, each said in every reader's language, and words of
    # the dispatcher's own for the Spanish readers; first the preview, then Send.
    console.keyboard.press("b")
    console.get_by_label("Agents on foot").check()
    console.get_by_label("Unmarked vehicles").check()
    expect(console.get_by_label("Where")).to_have_value(site.code)
    console.get_by_label("What people are asked to do").select_option("legal_observers")
    console.get_by_label("Español: your own words (optional)").fill(SPANISH_WORDS)
    console.get_by_role("button", name="See who it reaches").click()
    expect(console.get_by_text("This verified alert will reach 5 people.")).to_be_visible()
    by_organization = console.locator('[data-preview="organizations"]')
    expect(by_organization.locator(f'[data-count="{org.slug}"]')).to_have_text("4")
    expect(by_organization.locator(f'[data-count="{other_org.slug}"]')).to_have_text("1")
    by_language = console.locator('[data-preview="languages"]')
    expect(by_language.locator('[data-count="es"]')).to_have_text("3")
    expect(by_language.locator('[data-count="en"]')).to_have_text("2")
    by_channel = console.locator('[data-preview="channels"]')
    for channel, count in (("sms", "2"), ("email", "2"), ("signal", "1")):
        expect(by_channel.locator(f'[data-count="{channel}"]')).to_have_text(count)
    spanish_preview = console.locator('[data-language="es"] [data-form="long"]')
    expect(spanish_preview).to_contain_text("Agentes a pie, vehículos sin identificación")
    expect(spanish_preview).to_contain_text(SPANISH_WORDS)
    expect(console.locator('[data-language="en"] [data-form="long"]')).not_to_contain_text(
        SPANISH_WORDS
    )
    console.get_by_role("button", name="Send to 5 people").click()
    expect(console.get_by_text("Verified alert sent to 5 people.")).to_be_visible()

    alerted = wait_until(
        lambda: (found := received(servers, "VERIFI")) and len(found) >= 6 and found
    )
    verified = {
        to: text for to, text in alerted.items() if "VERIFY" not in text and "SOLICITUD" not in text
    }
    assert sorted(verified) == sorted(
        ["+16125550121", "lee@example.org", "+16125550122", "lena@example.org", "+16125550123"]
    )
    assert "VERIFICADO" in verified["+16125550121"]  # Rosa, by SMS, in Spanish
    assert "VERIFICADO" in verified["+16125550122"]  # Tomás of SEIU Local 26, on Signal
    assert "VERIFIED" in verified["lee@example.org"]  # Lee, by email, in English
    assert "Agentes a pie, vehículos sin identificación" in verified["+16125550122"]
    assert SPANISH_WORDS in verified["+16125550122"]
    assert "VERIFIED: Agents on foot, unmarked vehicles" in verified["lee@example.org"]
    assert SPANISH_WORDS not in verified["lee@example.org"]
    for text in verified.values():
        assert CALLBACK not in text

    # Two legal observers answer en route; then the legal van is sent and gives an ETA.
    for address, button in (("lena@example.org", "en route"), ("+16125550123", "en camino")):
        page = phone_in("es" if address.startswith("+") else "en")
        page.goto(live_server.url + link_path(verified[address]))
        page.get_by_role("button", name=button, exact=True).click()
        page.get_by_text("Your last answer").or_(page.get_by_text("Tu última respuesta")).wait_for()

    console.get_by_text("Dispatch the legal van").click()
    console.get_by_role("button", name="Send the address to the legal van").click()
    dispatch = wait_until(
        lambda: received(servers, "CONVOCATORIA") or received(servers, "DISPATCH")
    )
    assert list(dispatch) == ["+16125550124"]
    crew = phone_in("en")
    crew.goto(live_server.url + link_path(dispatch["+16125550124"]))
    crew.get_by_label("Minutes until you arrive (ETA)").fill("15")
    crew.get_by_role("button", name="en route", exact=True).click()
    crew.get_by_text("Your last answer").wait_for()

    expect(console.locator('[data-answer="en_route"]')).to_have_count(3, timeout=5_000)
    expect(console.get_by_text("ETA 15 min")).to_be_visible()

    # 8:15: the all-clear goes to exactly the people the alarm reached.
    console.get_by_text("All-clear", exact=True).click()
    console.get_by_label("The all-clear people will get").fill(
        "The agents left at 8:15. The ambulance bay is clear."
    )
    console.get_by_role("button", name="Send the all-clear to the same people").click()
    expect(console.get_by_text("All-clear sent to 6 people.")).to_be_visible()
    cleared = wait_until(
        lambda: (
            (found := {**received(servers, "ALL CLEAR"), **received(servers, "FIN DEL AVISO")})
            and len(found) >= 6
            and found
        )
    )
    assert sorted(cleared) == sorted([*verified, "+16125550124"])
    assert "FIN DEL AVISO" in cleared["+16125550121"]
    assert not [
        to for to, _text in messages_to(servers) if to in {"grace@example.org", "farah@example.org"}
    ]
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    assert Response.objects.filter(status="en_route").count() == 3

    # The record: every report, answer, alert and step; nowhere the reporters.
    console.get_by_role("link", name="The record (print, CSV)").click()
    console.wait_for_url("**/record/")
    expect(console.get_by_role("heading", name=re.compile("Record: "))).to_be_visible()
    record = console.content()
    for expected in (
        WHAT,
        "Two unmarked SUVs",
        "Agents in vests at the ER entrance",
        "Vera",
        "Lena",
        "Omar",
        "15",
    ):
        assert expected in record
    csv = console.request.get(
        f"{live_server.url}/staff/o/{org.slug}/incidents/{incident.public_id}/record.csv"
    )
    assert csv.ok and WHAT in csv.text()
    console.goto(f"{live_server.url}/staff/o/{org.slug}/incidents/{incident.public_id}/")
    for page_text in (record, csv.text(), console.content()):
        assert CALLBACK not in page_text and "0177" not in page_text
    assert console_csp == [] and nurse_csp == []
