"""An admin signs in with a password, enrols an authenticator, and changes a member's roles."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import make_person, make_site
from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role


def code_from_secret(secret: str) -> str:
    """Compute what an authenticator app shows for the base32 key printed on the page."""
    from base64 import b32decode

    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    return f"{totp(b32decode(key)):06d}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_signs_in_enrols_totp_and_makes_a_member_a_dispatcher(phone, live_server):
    org = Organization.objects.create(
        slug="mna", name="Minnesota Nurses Association", kind=Organization.Kind.UNION
    )
    site = make_site(org)
    make_person(org, Role.ADMIN, email="admin@mna.test", password="correct horse 42", name="Ada")
    rosa = make_person(org, Role.MEMBER, name="Rosa Rivera", site=site)

    phone.goto(live_server.url + "/staff/login/")
    phone.get_by_label("Email").fill("admin@mna.test")
    phone.get_by_label("Password").fill("correct horse 42")
    phone.get_by_role("button", name="Sign in").click()

    phone.wait_for_url(re.compile(r"/staff/second-factor/"))
    assert phone.locator(".qr svg").is_visible()
    secret = phone.locator("#totp-secret").inner_text()
    assert TOTPDevice.objects.get().bin_key  # the pending device is in the database
    phone.get_by_label("Code").fill(code_from_secret(secret))
    phone.get_by_role("button", name="Confirm").click()

    codes = phone.locator(".backup-codes code")
    codes.first.wait_for()  # count() does not wait for the page the click loads
    assert codes.count() == 10
    phone.get_by_role("link", name="I have saved them, continue").click()
    phone.get_by_test_id("org-row").locator("summary").click()  # the organization's screens
    phone.get_by_role("link", name="Members", exact=True).click()

    phone.get_by_label("Name, email or phone").fill("rosa")
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("link", name="Rosa Rivera").click()
    phone.get_by_label("dispatcher").check()
    phone.get_by_label("legal observer").check()
    phone.get_by_role("button", name="Save", exact=True).click()

    assert phone.get_by_text("Saved.").is_visible()
    membership = Membership.objects.get(person=rosa)
    assert Role(membership.roles) == Role.MEMBER | Role.DISPATCHER | Role.LEGAL_OBSERVER


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_sites_map_runs_under_the_strict_content_security_policy(phone, live_server):
    from tests.conftest import sign_in_browser

    org = Organization.objects.create(
        slug="mna", name="Minnesota Nurses Association", kind=Organization.Kind.UNION
    )
    make_site(org)
    make_site(org, name="Minneapolis VA Medical Center", lat="44.900600", lng="-93.203600")
    admin = make_person(org, Role.ADMIN, email="admin@mna.test", password="correct horse 42")
    refused = []
    phone.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in_browser(phone, live_server, admin)
    phone.goto(live_server.url + "/staff/o/mna/units/")
    without_map = set(refused)
    refused.clear()

    phone.goto(live_server.url + "/staff/o/mna/sites/")

    assert phone.locator("#site-map").is_visible()
    expect(phone.locator("#site-map .leaflet-interactive")).to_have_count(2)
    assert phone.get_by_role("link", name="Minneapolis VA Medical Center").is_visible()
    # The base page's own violation (htmx injects its indicator style) is not the map's.
    assert set(refused) <= without_map
