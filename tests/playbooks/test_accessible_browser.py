"""The playbook pages pass axe-core's WCAG 2 A and AA rules on a phone in every language,
and the coordinator's screens on a desk (tests/test_accessibility.py walks them too, with
the demo world; this is the quick check beside the code)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.conftest import browser_context, make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.playbooks.models import LocalPlaybook, SiteNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_playbook_page_is_accessible_on_a_phone(chromium, live_server, org, site, language):
    LocalPlaybook.objects.create(organization=org, hotline_number="+16125550142")
    SiteNote.objects.create(organization=org, site=site, notes={"en": "Security: ext. 4411."})
    context = browser_context(chromium, "phone", language)
    page = context.new_page()
    try:
        for path in (
            reverse("playbooks:rights"),
            reverse("playbooks:role_legal-observer"),
            reverse("playbooks:site", kwargs={"site": site.code}),
            reverse("playbooks:site_print", kwargs={"site": site.code}),
        ):
            page.goto(f"{live_server.url}{path}?lang={language}")
            assert_accessible(page, f"{path} ({language})")
    finally:
        context.close()


def test_the_coordinator_s_screens_are_accessible(chromium, live_server, org, site):
    organizer = make_person(org, Role.ORGANIZER, email="olga@mna.test", name="Olga")
    session = verified_client(Client(), organizer).cookies[settings.SESSION_COOKIE_NAME].value
    context = browser_context(chromium, "laptop")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        for path in (
            reverse("playbooks:playbooks", kwargs={"org": org.slug}),
            reverse("playbooks:site_note", kwargs={"org": org.slug, "site": site.code}),
        ):
            page.goto(live_server.url + path)
            assert_accessible(page, path)
        # A refused form too: its error is named and tied to its field.
        page.goto(live_server.url + reverse("playbooks:playbooks", kwargs={"org": org.slug}))
        page.get_by_label("Hotline number").fill("call Ana")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Enter a phone number with its country code")).to_be_visible()
        assert_accessible(page, "refused number")
    finally:
        context.close()
