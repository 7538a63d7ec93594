"""In real browsers: MNA's volunteer hands Rosa's case over to NYSNA at her desk; NYSNA's
volunteer, who reads Somali, works it on her phone (390 px) and hands it back."""

import pytest
from playwright.sync_api import expect

from tests.conftest import make_org, make_person, sign_in_browser
from tests.factories import share
from tocsin.accounts.roles import Role
from tocsin.hotline.models import Case
from tocsin.hotline.services.cases import CaseInput, open_case


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_case_handed_over_and_back_in_the_browser(
    desk, phone_in, live_server, org, hotline, nurse, plan, sms_gateway, smtp_server, settings
):
    settings.TOCSIN_BASE_URL = live_server.url
    nysna = make_org(slug="nysna", name="New York State Nurses Association")
    share(org, nysna, "hotline")
    hodan = make_person(
        nysna, Role.HOTLINE, email="hodan@nysna.test", password="ny horse 42", language="so"
    )
    case = open_case(hotline, org, CaseInput(), Case.OpenedVia.CALL, person=nurse, plan=plan)

    sign_in_browser(desk, live_server, hotline)
    desk.goto(f"{live_server.url}/staff/o/{org.slug}/cases/{case.code}/")
    desk.get_by_label("Hand the case over to").select_option("nysna")
    desk.get_by_role("button", name="Hand over", exact=True).click()
    expect(desk.get_by_test_id("handed-to")).to_contain_text("New York State Nurses Association")

    phone = sign_in_browser(phone_in("so"), live_server, hodan)
    phone.goto(f"{live_server.url}/staff/o/nysna/cases/")
    phone.get_by_role("link", name=case.code).click()
    expect(phone.get_by_test_id("handed-from")).to_contain_text("Minnesota Nurses Association")
    expect(phone.get_by_text("Lucía Rivera o la abuela Carmen")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Kiiska dib ugu celi Minnesota Nurses Association").click()
    expect(phone.get_by_text(f"Kiiska {case.code} wuxuu dib ugu laabtay")).to_be_visible()
    assert phone.goto(f"{live_server.url}/staff/o/nysna/cases/{case.code}/").status == 404

    desk.reload()
    expect(desk.get_by_role("heading", name="Move the case on")).to_be_visible()
