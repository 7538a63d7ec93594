"""On her phone, in her language, a member opens her emergency plan with its PIN, changes
it, and finds it closed again once saved."""

import pytest
from playwright.sync_api import expect

from tests.conftest import make_person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.hotline.models import EmergencyPlan
from tocsin.hotline.services.plans import save_plan
from tocsin.joining.links import member_link_url

from .conftest import PIN, plan_content

WORDS = {
    "es": {
        "pin": "Tu PIN",
        "open": "Abrir mi plan",
        "wrong": "Ese PIN no es correcto.",
        "message": "Tu mensaje para ellos",
        "save": "Guardar mi plan",
        "saved": "Tu plan de emergencia está guardado.",
        "trigger": "Me están deteniendo",
    },
    "en": {
        "pin": "Your PIN",
        "open": "Open my plan",
        "wrong": "That PIN is not right.",
        "message": "Your message to them",
        "save": "Save my plan",
        "saved": "Your emergency plan is saved.",
        "trigger": "I am being detained",
    },
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_she_opens_and_changes_her_plan_with_its_pin_on_her_phone(
    phone_in, live_server, org, site, settings, language
):
    settings.TOCSIN_BASE_URL = live_server.url
    rosa = make_person(org, Role.MEMBER, name="Rosa Rivera", language=language, site=site)
    contact = add_contact(rosa, "email", "rosa@example.org", True)
    save_plan(rosa, org, plan_content(), PIN)
    words = WORDS[language]
    phone = phone_in(language)

    phone.goto(member_link_url(contact))
    phone.goto(f"{live_server.url}/me/plan/")
    expect(phone.get_by_role("link", name=words["trigger"])).to_be_visible()
    expect(phone.get_by_text("Lucía Rivera")).to_have_count(0)
    phone.get_by_label(words["pin"]).fill("0000")
    phone.get_by_role("button", name=words["open"]).click()
    expect(phone.get_by_text(words["wrong"])).to_be_visible()
    phone.get_by_label(words["pin"]).fill(PIN)
    phone.get_by_role("button", name=words["open"]).click()
    expect(phone.locator("fieldset.person-row").nth(0).locator("input").first).to_have_value(
        "Lucía Rivera"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label(words["message"]).fill("Recoge a los niños a las 4.")
    phone.get_by_role("button", name=words["save"]).click()

    expect(phone.get_by_text(words["saved"])).to_be_visible()
    expect(phone.get_by_label(words["pin"])).to_be_visible()
    expect(phone.get_by_text("Lucía Rivera")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert (
        EmergencyPlan.objects.get(person=rosa).content["message"] == "Recoge a los niños a las 4."
    )
