"""The broadcast form and its preview on a phone, in Spanish, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.conftest import make_person, sign_in_browser
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_site
from tocsin.response.models import Incident

from .conftest import file_report


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_spanish_speaking_dispatcher_previews_the_alert_on_a_phone(
    phone_in, live_server, org, site, settings
):
    settings.TOCSIN_MAP_TILES_URL = ""
    rosa = make_person(org, name="Rosa", language="es")
    add_contact(rosa, "sms", "+16125550121", True)
    follow_site(rosa, org, site)
    lee = make_person(org, name="Lee")
    add_contact(lee, "email", "lee@example.org", True)
    follow_site(lee, org, site)
    file_report(org, site=site)
    incident = Incident.objects.get()
    dispatcher = make_person(
        org, Role.DISPATCHER, email="dd@mna.test", password="dispatch horse 42", language="es"
    )

    page = phone_in("es")
    sign_in_browser(page, live_server, dispatcher)
    page.goto(f"{live_server.url}/staff/o/{org.slug}/incidents/{incident.public_id}/")
    page.locator("summary", has_text="Confirmar y difundir").click()
    page.get_by_label("Agentes a pie").check()
    page.get_by_label("Un arresto en curso").check()
    page.get_by_label("Español: tus propias palabras (opcional)").fill("Eviten la calle 8")
    page.get_by_role("button", name="Ver a quién llega").click()

    expect(page.get_by_text("Esta alerta verificada llegará a 2 personas.")).to_be_visible()
    expect(page.get_by_role("heading", name="Antes de enviar")).to_be_visible()
    spanish = page.locator('[data-language="es"] [data-form="short"]')
    expect(spanish).to_contain_text("VERIFICADO: Agentes a pie, un arresto en curso")
    english = page.locator('[data-language="en"] [data-form="long"]')
    expect(english).to_contain_text("Agents on foot, an arrest in progress")
    expect(english).not_to_contain_text("Eviten")
    # Nothing sticks out of a phone's screen: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("button", name="Enviar a 2 personas")).to_be_visible()
