"""An admin on a phone, in each language, adds a webhook, copies its secret, sends a test
and sees it arrive; the exports page is there too. Both pages pass axe's WCAG rules."""

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.conftest import browser_context, sign_in_browser

WORDS = {
    "en": {"add": "Add", "name": "Name", "url": "Receiver's URL", "delivered": "delivered"},
    "es": {"add": "Añadir", "name": "Nombre", "url": "URL del receptor", "delivered": "entregado"},
    "so": {
        "add": "Ku dar",
        "name": "Magac",
        "url": "URL-ka qaataha",
        "delivered": "la gaarsiiyay",
    },
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "es", "so"])
def test_an_admin_adds_and_tests_a_webhook_on_a_phone(
    chromium, live_server, org, admin, receiver, language
):
    admin.language = language
    admin.save(update_fields=["language"])
    context = browser_context(chromium, "phone", language)
    try:
        phone = sign_in_browser(context.new_page(), live_server, admin)
        words = WORDS[language]

        phone.goto(f"{live_server.url}/staff/o/{org.slug}/exchange/")
        assert phone.locator("html").get_attribute("lang") == language
        assert_accessible(phone, f"exchange page ({language})")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        phone.goto(f"{live_server.url}/staff/o/{org.slug}/exchange/webhooks/")
        phone.get_by_label(words["name"], exact=True).fill("Union CRM")
        phone.get_by_label(words["url"]).fill(receiver.url)
        phone.get_by_role("button", name=words["add"], exact=True).click()
        secret = phone.locator("code.secret").inner_text()
        assert secret.startswith("whsec_")
        receiver.secret = secret
        assert_accessible(phone, f"webhooks page ({language})")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        phone.locator("form[action$='/test/'] button").click()
        expect(phone.locator("tbody").last).to_contain_text(words["delivered"])
        assert [got["verified"] for got in receiver.received] == [True]
    finally:
        context.close()
