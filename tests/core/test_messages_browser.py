"""The message a page shows after an action ("Offered to 4 member organizations.") is read
out by screen readers and passes axe's rules like the page around it."""

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.conftest import browser_context, sign_in_browser
from tests.sharing.world import minneapolis_federation, sharing_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_page_showing_a_message_passes_the_accessibility_rules(chromium, live_server):
    federation = minneapolis_federation()
    phone = browser_context(chromium, "phone").new_page()
    sign_in_browser(phone, live_server, federation.admin)
    phone.goto(live_server.url + sharing_page(federation.organization))
    phone.get_by_role("link", name="Offer to all our member organizations").click()
    phone.get_by_label("verified alerts").check()
    phone.get_by_role("button", name="Send the offer").click()

    expect(phone.get_by_role("status")).to_contain_text("Offered to 4 member organizations.")
    assert_accessible(phone)
