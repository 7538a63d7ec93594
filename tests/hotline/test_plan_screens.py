"""A member's plan page and the "I am being detained" trigger, from the member's link."""

import re

import pytest
from django.urls import reverse

from tests.conftest import make_org
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import Membership
from tocsin.accounts.services.people import add_contact
from tocsin.hotline.models import Case, EmergencyPlan
from tocsin.joining.links import member_link_token

from .conftest import PIN, SISTER_PHONE, plan_form


@pytest.fixture
def rosa_client(client, nurse):
    contact = add_contact(nurse, "email", "rosa@mna.test", True)
    client.get(reverse("joining:member_link", kwargs={"token": member_link_token(contact)}))
    assert client.session[MEMBER_SESSION_KEY] == nurse.pk
    return client


def test_it_asks_for_a_member_link_first(client):
    response = client.get(reverse("hotline:plan"))
    assert response.status_code == 302 and "/me/link/" in response["Location"]


def test_it_saves_my_plan_in_spanish(rosa_client, nurse):
    page = rosa_client.get(reverse("hotline:plan"), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200

    response = rosa_client.post(reverse("hotline:plan"), plan_form())

    assert response.status_code == 302
    plan = EmergencyPlan.objects.get(person=nurse)
    assert plan.content["contacts"][0]["address"] == SISTER_PHONE
    assert plan.content["lawyer"]["name"] == "Ana Abogada"
    assert plan.content["children"] == "Sofía (8) y Mateo (5)"


def test_it_shows_my_plan_back_to_me_after_its_pin_and_keeps_the_pin_when_left_empty(
    rosa_client, plan
):
    opened = rosa_client.post(reverse("hotline:plan"), {"pin": PIN})
    html = opened.content.decode()
    assert "Lucía Rivera" in html and "Me están deteniendo" in html  # Rosa reads Spanish
    mark = re.search(r'name="opened" value="([^"]+)"', html).group(1)
    response = rosa_client.post(
        reverse("hotline:plan"), plan_form(pin="", message="Nuevo mensaje", opened=mark)
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.content["message"] == "Nuevo mensaje"
    assert plan.pin_hash  # the old PIN still sets it off:
    assert rosa_client.post(reverse("hotline:plan_trigger"), {"pin": PIN}).status_code == 200


def test_a_bad_phone_is_named_beside_its_field_and_nothing_is_stored(rosa_client, nurse):
    response = rosa_client.post(reverse("hotline:plan"), plan_form(contact1_address="12"))
    assert response.status_code == 400
    assert "contact1_address" in response.context["form"].errors
    assert not EmergencyPlan.objects.filter(person=nurse).exists()


def test_a_plan_without_anyone_to_tell_is_refused(rosa_client, nurse):
    response = rosa_client.post(
        reverse("hotline:plan"),
        plan_form(contact1_name="", contact1_address="", lawyer_name="", lawyer_address=""),
    )
    assert response.status_code == 400
    assert "contact1_name" in response.context["form"].errors


def test_a_short_pin_is_refused(rosa_client, nurse):
    response = rosa_client.post(reverse("hotline:plan"), plan_form(pin="12"))
    assert "pin" in response.context["form"].errors
    assert not EmergencyPlan.objects.exists()


def test_a_member_of_two_unions_chooses_whose_hotline(rosa_client, nurse):
    seiu = make_org(slug="seiu-26", name="SEIU Local 26")
    Membership.objects.create(person=nurse, organization=seiu)
    response = rosa_client.post(reverse("hotline:plan"), plan_form(organization="seiu-26"))
    assert response.status_code == 302
    assert EmergencyPlan.objects.get(person=nurse).organization == seiu


def test_the_trigger_opens_my_case_with_the_right_pin(rosa_client, plan, nurse):
    response = rosa_client.post(
        reverse("hotline:plan_trigger"), {"pin": PIN, "taken_where": "Parking ramp"}
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.person, case.plan, case.opened_via) == (nurse, plan, "member")
    assert case.taken_where == "Parking ramp"
    assert case.code in response.content.decode()


def test_a_wrong_pin_says_so_and_opens_nothing(rosa_client, plan):
    response = rosa_client.post(reverse("hotline:plan_trigger"), {"pin": "0000"})
    assert response.status_code == 400
    assert "Ese PIN no es correcto." in response.content.decode()
    assert not Case.objects.exists()


def test_three_wrong_pins_lock_the_trigger(rosa_client, plan):
    for _attempt in range(3):
        response = rosa_client.post(reverse("hotline:plan_trigger"), {"pin": "0000"})
    assert "Demasiados PIN equivocados" in response.content.decode()
    response = rosa_client.post(reverse("hotline:plan_trigger"), {"pin": PIN})
    assert "Demasiados PIN equivocados" in response.content.decode()
    assert not Case.objects.exists()


def test_the_trigger_without_a_plan_leads_to_writing_one(rosa_client):
    response = rosa_client.get(reverse("hotline:plan_trigger"))
    assert response.status_code == 302 and response["Location"] == reverse("hotline:plan")
