"""On her phone, a member opens her site's playbook once; later, with no connection, it
opens again, and so does the general rights page, which she never opened. The printed
sheet of the site is one page of A4 and one of Letter."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import browser_context, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = "caches.open('tocsin-playbooks-v1').then((cache) => cache.keys()).then((keys) => keys.map((request) => request.url))"


@pytest.fixture
def phone_offline(chromium, live_server):
    context = browser_context(chromium, "phone", "so")
    yield context
    context.close()


def test_a_site_s_playbook_opened_once_opens_again_without_a_connection(
    phone_offline, live_server, site
):
    phone = phone_offline.new_page()
    url = live_server.url + reverse("playbooks:site", kwargs={"site": site.code}) + "?lang=so"
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hennepin County Medical Center")
    # The page is kept once the worker runs, and says so.
    expect(phone.locator("[data-offline-note]")).to_be_visible()
    wait_until(lambda: url in phone.evaluate(KEPT))

    phone_offline.set_offline(True)
    phone.reload()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Waxa laga sameeyo")
    expect(phone.get_by_text("Albaabka ha furin.")).to_be_visible()
    # Its style sheet was kept with it: the role links are laid out as buttons.
    assert (
        phone.evaluate("getComputedStyle(document.querySelector('.playbook-roles ul')).display")
        == "flex"
    )

    # The general rights page, never opened, was kept when the worker was installed.
    phone.goto(live_server.url + reverse("playbooks:rights") + "?lang=so")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ogow xuquuqdaada")


def test_pages_that_are_not_playbooks_are_not_kept(phone_offline, live_server, site):
    phone = phone_offline.new_page()
    phone.goto(live_server.url + reverse("playbooks:rights"))
    wait_until(lambda: any("/rights/" in url for url in phone.evaluate(KEPT)))
    phone.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))

    kept = phone.evaluate(KEPT)

    assert all(re.search(r"/rights/|/static/", url) for url in kept), kept


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_printed_sheet_of_a_site_is_one_page(chromium, live_server, site, paper):
    context = chromium.new_context()
    page = context.new_page()
    path = reverse("playbooks:site_print", kwargs={"site": site.code})
    page.goto(f"{live_server.url}{path}?paper={paper}&lang=so")

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    context.close()

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
