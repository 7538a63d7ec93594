"""The Minneapolis Regional Labor Federation's admin offers alert sharing to its four unions
in one step, and SEIU Local 26's admin accepts it on a phone."""

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.conftest import browser_context, sign_in_browser
from tocsin.demo import world

from .world import minneapolis_federation, sharing_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNIONS = [
    "SEIU Local 26",
    "UNITE HERE Local 17",
    "ATU Local 1005 (Metro Transit)",
    "CWA Local 7250",
]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_federation_offers_to_four_unions_and_one_accepts_on_a_phone(chromium, live_server):
    federation = minneapolis_federation()
    seiu = federation[world.SEIU_26]

    desk = browser_context(chromium, "laptop").new_page()
    sign_in_browser(desk, live_server, federation.admin)
    desk.goto(live_server.url + sharing_page(federation.organization))
    desk.get_by_role("link", name="Offer to all our member organizations").click()
    for name in UNIONS:
        expect(desk.get_by_label(name)).to_be_checked()
    desk.get_by_label("verified alerts").check()
    assert_accessible(desk)
    desk.get_by_role("button", name="Send the offer").click()
    expect(desk.get_by_text("Offered to 4 member organizations.")).to_be_visible()
    offers = desk.locator("section[aria-labelledby=circles] li")
    expect(offers.filter(has_text=": offered")).to_have_count(4)
    desk.context.close()

    phone = browser_context(chromium, "phone").new_page()
    sign_in_browser(phone, live_server, seiu.admin)
    phone.goto(live_server.url + sharing_page(seiu.organization))
    expect(
        phone.get_by_text("Minneapolis Regional Labor Federation offers to share both ways")
    ).to_be_visible()
    assert fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role(
        "button", name="Accept Minneapolis Regional Labor Federation\u2019s offer"
    ).click()
    expect(phone.get_by_text("Accepted. Sharing is in force from its start.")).to_be_visible()
    expect(phone.get_by_text("No offer is waiting for your answer.")).to_be_visible()
    receiving = phone.locator("section[aria-labelledby=receiving]")
    expect(
        receiving.get_by_text("With Minneapolis Regional Labor Federation, both ways")
    ).to_be_visible()
    assert fits_the_screen(phone)
    phone.context.close()
