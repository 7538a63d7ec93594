"""The emergency plan behind its PIN: whoever has the member's link, or a session opened
with it, sees and changes nothing of the plan without the PIN. A correct PIN shows it for
that one response, and a change can be saved from that page for a short while only."""

import re
import time
from unittest import mock

import pytest
from django.urls import reverse

from tests.conftest import member_client
from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import EmergencyPlan

from .conftest import LAWYER_EMAIL, PIN, SISTER_PHONE, plan_form

PLAN = "/me/plan/"
OPEN_FOR = 15 * 60  # seconds an opened plan can be saved from its page (decision 0008)
# What the plan holds that its page would show: names, numbers, care and documents.
PLAN_WORDS = ("Lucía", "Ana Abogada", "555 0142", "5550142", LAWYER_EMAIL, "inhalador", "azul")


@pytest.fixture
def rosa_client(client, nurse):
    return member_client(client, nurse)


def mark_of(response) -> str:
    """The mark in the opened plan's form that lets it be saved."""
    found = re.search(r'name="opened" value="([^"]+)"', response.content.decode())
    assert found, "the opened plan's form carries no mark"
    return found.group(1)


def shows_nothing_of_the_plan(html: str) -> bool:
    return not any(word in html for word in PLAN_WORDS)


def test_her_member_session_alone_shows_nothing_of_the_plan(rosa_client, plan):
    response = rosa_client.get(PLAN)

    page = response.content.decode()
    assert response.status_code == 200
    assert shows_nothing_of_the_plan(page)
    assert "Me están deteniendo" in page  # the trigger stays one tap away
    assert 'name="pin"' in page


def test_the_right_pin_shows_the_plan_in_that_response_only(rosa_client, plan):
    opened = rosa_client.post(PLAN, {"pin": PIN})
    again = rosa_client.get(PLAN)

    assert opened.status_code == 200
    assert "Lucía Rivera" in opened.content.decode()
    assert "no-cache" in opened["Cache-Control"]
    assert shows_nothing_of_the_plan(again.content.decode())


def test_opening_her_plan_with_its_pin_is_audited_as_a_read(rosa_client, plan):
    rosa_client.get(PLAN)
    rosa_client.post(PLAN, {"pin": PIN})

    reads = AuditEntry.objects.filter(action="hotline.plan.read")
    assert [(entry.actor_id, entry.object_type) for entry in reads] == [
        (plan.person_id, "emergencyplan")
    ]


def test_a_wrong_pin_shows_nothing_counts_and_is_audited(rosa_client, plan):
    response = rosa_client.post(PLAN, {"pin": "0000"})

    assert response.status_code == 400
    assert "Ese PIN no es correcto." in response.content.decode()
    assert shows_nothing_of_the_plan(response.content.decode())
    plan.refresh_from_db()
    assert plan.failed_pins == 1
    assert AuditEntry.objects.filter(action="hotline.plan.wrong_pin").count() == 1


def test_three_wrong_pins_lock_the_plan_and_its_trigger(rosa_client, plan):
    for _attempt in range(3):
        rosa_client.post(PLAN, {"pin": "0000"})

    with_right_pin = rosa_client.post(PLAN, {"pin": PIN})
    trigger = rosa_client.post(reverse("hotline:plan_trigger"), {"pin": PIN})

    assert "Demasiados PIN equivocados" in with_right_pin.content.decode()
    assert shows_nothing_of_the_plan(with_right_pin.content.decode())
    assert "Demasiados PIN equivocados" in trigger.content.decode()


def test_a_missing_pin_is_named_and_not_counted(rosa_client, plan):
    response = rosa_client.post(PLAN, {"pin": ""})

    assert response.status_code == 400
    assert "pin" in response.context["form"].errors
    plan.refresh_from_db()
    assert plan.failed_pins == 0


def test_the_plan_cannot_be_changed_without_its_pin(rosa_client, plan):
    stranger = plan_form(contact1_name="Someone Else", contact1_address="612 555 0199", pin="1111")

    response = rosa_client.post(PLAN, stranger)
    forged = rosa_client.post(PLAN, {**stranger, "opened": "forged"})

    plan.refresh_from_db()
    assert plan.content["contacts"][0]["address"] == SISTER_PHONE
    assert response.status_code == 400 and forged.status_code == 400
    assert shows_nothing_of_the_plan(forged.content.decode())


def test_a_plan_opened_too_long_ago_saves_nothing(rosa_client, plan):
    long_ago = time.time() - OPEN_FOR - 60
    with mock.patch("django.core.signing.time.time", return_value=long_ago):  # the clock only
        mark = mark_of(rosa_client.post(PLAN, {"pin": PIN}))

    response = rosa_client.post(PLAN, plan_form(pin="", message="Demasiado tarde", opened=mark))

    assert response.status_code == 400
    assert "Ingresa tu PIN otra vez" in response.content.decode()
    assert shows_nothing_of_the_plan(response.content.decode())
    plan.refresh_from_db()
    assert plan.content["message"] != "Demasiado tarde"


def test_a_new_pin_closes_pages_opened_with_the_old_one(rosa_client, plan):
    mark = mark_of(rosa_client.post(PLAN, {"pin": PIN}))
    changed = rosa_client.post(PLAN, plan_form(pin="97531", opened=mark))
    assert changed.status_code == 302

    replayed = rosa_client.post(PLAN, plan_form(pin="", message="Otra vez", opened=mark))

    assert replayed.status_code == 400
    assert EmergencyPlan.objects.get().content["message"] != "Otra vez"


def test_her_first_plan_is_written_without_a_pin_and_sets_one(rosa_client, nurse):
    assert 'name="pin"' in rosa_client.get(PLAN).content.decode()

    response = rosa_client.post(PLAN, plan_form())

    assert response.status_code == 302
    assert EmergencyPlan.objects.get(person=nurse).pin_hash
    assert shows_nothing_of_the_plan(rosa_client.get(PLAN).content.decode())
