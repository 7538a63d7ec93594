"""A member whose session ended while their plan's page was open still reaches "I am being
detained": the button carries its own token, and the PIN is asked as always."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tocsin.accounts.services.people import add_contact
from tocsin.hotline.models import Case
from tocsin.joining.links import member_link_token

from .conftest import PIN


@pytest.fixture
def rosa(nurse):
    """Rosa's browser, signed in from her member link."""
    browser = Client()
    contact = add_contact(nurse, "email", "rosa@mna.test", True)
    browser.get(reverse("joining:member_link", kwargs={"token": member_link_token(contact)}))
    return browser


def detained_button(page) -> str:
    [href] = re.findall(r'href="([^"]+)"[^>]*>Me están deteniendo', page.content.decode())
    return href


def test_the_detained_button_still_opens_the_trigger_after_the_session_ended(rosa, plan, nurse):
    button = detained_button(rosa.get(reverse("hotline:plan")))
    rosa.session.flush()  # the session ended (expired, or signed out) with the page open
    rosa.cookies.clear()
    assert rosa.get(reverse("joining:me")).status_code == 302  # really no session left

    form = rosa.get(button)
    assert form.status_code == 200
    assert "Activar mi plan" in form.content.decode()
    done = rosa.post(button, {"pin": PIN, "taken_where": "Estacionamiento del hospital"})

    assert done.status_code == 200
    case = Case.objects.get()
    assert (case.person, case.plan, case.opened_via) == (nurse, plan, "member")
    assert case.code in done.content.decode()


def test_the_button_without_the_pin_opens_nothing(rosa, plan):
    button = detained_button(rosa.get(reverse("hotline:plan")))

    refused = Client().post(button, {"pin": "0000"})

    assert refused.status_code == 400
    assert not Case.objects.exists()


def test_a_forged_button_leads_to_asking_for_a_link(plan):
    forged = reverse("hotline:plan_trigger_link", kwargs={"token": "forged"})
    assert Client().post(forged, {"pin": PIN}).status_code == 302
    assert not Case.objects.exists()
