"""A member's emergency plan: what is stored (encrypted), what is refused and named, what
the PIN sets off, and who may read the plan (the hotline, through an open case only)."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import Case, CaseMessage, EmergencyPlan
from tocsin.hotline.services.cases import CaseInput, change_state, open_case
from tocsin.hotline.services.plans import read_plan, save_plan, trigger_plan

from .conftest import LAWYER_EMAIL, PIN, SISTER_PHONE, plan_content

SISTER = {
    "name": "Lucía Rivera",
    "relation": "sibling",
    "channel": "sms",
    "address": "612 555 0142",
    "language": "es",
}


def stored_content(plan):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content_encrypted, pin_hash FROM hotline_emergencyplan WHERE id = %s",
            [plan.pk],
        )
        return cursor.fetchone()


def refusal(person, org, content, pin=PIN):
    with pytest.raises(ValidationError) as error:
        save_plan(person, org, content, pin)
    return error.value.message_dict


def trigger_refused(person, pin):
    with pytest.raises(ValidationError) as error:
        trigger_plan(person, pin)
    return error.value.message_dict["pin"]


def test_it_stores_the_plan_encrypted(plan):
    raw, pin_hash = stored_content(plan)

    assert raw and PIN not in pin_hash
    for plain in (
        "Lucía",
        "555 0142",
        "5550142",
        LAWYER_EMAIL,
        "Recoge a los niños",
        "Anishinabe Academy",
        "inhalador",
        "Carpeta azul",
        "Miguel Rivera, mi esposo",
    ):
        assert plain not in raw
    assert EmergencyPlan.objects.get().content["contacts"][0]["address"] == SISTER_PHONE


def test_it_names_a_bad_phone_number_by_its_row(nurse, org):
    bad = {**SISTER, "address": "call my cousin"}

    errors = refusal(nurse, org, plan_content(contacts=[bad]))

    assert list(errors) == ["contacts.0.address"]
    assert not EmergencyPlan.objects.exists()


def test_it_asks_for_someone_to_call(nurse, org):
    errors = refusal(nurse, org, plan_content(contacts=[{"name": "", "address": ""}]))

    assert list(errors) == ["contacts"]
    assert not EmergencyPlan.objects.exists()


def test_a_bad_row_keeps_its_index_when_earlier_rows_are_blank(nurse, org):
    blank = {"name": " ", "relation": "friend", "channel": "sms", "address": ""}
    nameless = {**SISTER, "name": ""}

    errors = refusal(nurse, org, plan_content(contacts=[blank, blank, nameless]))

    assert list(errors) == ["contacts.2.name"]


def test_it_names_the_lawyers_unknown_channel(nurse, org):
    lawyer = {"name": "Ana Abogada", "channel": "fax", "address": "612 555 0199"}

    assert list(refusal(nurse, org, plan_content(lawyer=lawyer))) == ["lawyer.channel"]


def test_it_refuses_a_message_too_long_to_text(nurse, org):
    assert list(refusal(nurse, org, plan_content(message="x" * 601))) == ["message"]


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4"])
def test_a_new_plan_needs_a_pin_of_four_to_eight_digits(nurse, org, pin):
    assert list(refusal(nurse, org, plan_content(), pin)) == ["pin"]
    assert not EmergencyPlan.objects.exists()


def test_the_plan_calls_one_of_the_members_own_organizations(nurse, other_org):
    assert list(refusal(nurse, other_org, plan_content())) == ["organization"]
    assert not EmergencyPlan.objects.exists()


def test_a_refused_edit_keeps_the_plan_as_it_was(plan, nurse, org):
    refusal(nurse, org, plan_content(message="Nuevo mensaje", contacts=[]))

    plan.refresh_from_db()
    assert plan.content["message"].startswith("Miguel fue detenido")


def test_a_blank_pin_keeps_the_old_one_on_edit(plan, nurse, org):
    save_plan(nurse, org, plan_content(pickup="La abuela Carmen"), "")

    plan.refresh_from_db()
    assert plan.content["pickup"] == "La abuela Carmen"
    assert check_password(PIN, plan.pin_hash)
    assert AuditEntry.objects.filter(action="hotline.plan.saved").count() == 1


def test_the_right_pin_opens_a_case_and_tells_the_plans_people_in_their_languages(
    plan, nurse, org, hotline, sent, sms_gateway, smtp_server
):
    with sent():
        case = trigger_plan(nurse, PIN, taken_where="Parking ramp, HCMC")

    assert (case.person, case.plan, case.organization) == (nurse, plan, org)
    assert case.opened_via == Case.OpenedVia.MEMBER and case.is_open
    [text] = sms_gateway.messages
    assert text["to"] == SISTER_PHONE
    assert "Rosa Rivera fue detenida o detenido y nos pidió que te avisáramos." in text["text"]
    assert "Dónde: Parking ramp, HCMC" in text["text"]
    assert "Recoge a los niños en la escuela a las 3." in text["text"]
    [email] = [m for m in smtp_server.messages if m["to"] == [LAWYER_EMAIL]]
    assert email["subject"] == "Rosa Rivera has been detained"
    assert f"You are named as their lawyer. The hotline of {org.name}" in email["body"]
    assert case.code in email["body"]
    assert set(CaseMessage.objects.values_list("status", flat=True)) == {"sent"}
    [told] = [m for m in smtp_server.messages if m["to"] == ["hotline@mna.test"]]
    assert case.code in told["subject"]


def test_a_wrong_pin_says_so_and_opens_nothing(plan, nurse):
    assert trigger_refused(nurse, "0000") == ["That PIN is not right."]
    assert not Case.objects.exists()


def test_a_member_without_a_plan_is_told_so(nurse):
    assert trigger_refused(nurse, PIN) == ["You have no emergency plan yet."]


def test_the_third_wrong_pin_locks_the_trigger_for_fifteen_minutes_and_tells_the_hotline(
    plan, nurse, hotline, sent, smtp_server, sms_gateway
):
    locked = ["Too many wrong PINs. Try again in 15 minutes, or call the hotline."]
    with sent():
        trigger_refused(nurse, "1111")
        trigger_refused(nurse, "2222")
        assert trigger_refused(nurse, "3333") == locked
    plan.refresh_from_db()
    assert timedelta(minutes=14) < plan.locked_until - timezone.now() <= timedelta(minutes=15)
    [notice] = [m for m in smtp_server.messages if m["to"] == ["hotline@mna.test"]]
    assert notice["subject"] == "HOTLINE: emergency trigger locked"
    assert "A wrong PIN was entered three times" in notice["body"]
    for name in ("Rosa", "Rivera", "Miguel"):
        assert name not in notice["subject"] + notice["body"]

    assert trigger_refused(nurse, PIN) == locked  # even the right PIN waits
    assert not Case.objects.exists()

    EmergencyPlan.objects.filter(pk=plan.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    with sent():
        assert trigger_plan(nurse, PIN).person == nurse
    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]


def test_a_right_pin_forgives_the_wrong_ones_before_it(plan, nurse, sent):
    trigger_refused(nurse, "1111")
    trigger_refused(nurse, "2222")
    with sent():
        trigger_plan(nurse, PIN)

    assert trigger_refused(nurse, "3333") == ["That PIN is not right."]


def test_the_plan_is_read_only_through_an_open_case_of_its_organization(
    plan, org, other_org, hotline, outsider
):
    household = open_case(hotline, org, CaseInput(name="Miguel Rivera"), "call", plan=plan)
    unrelated = open_case(hotline, org, CaseInput(name="Someone else"), "call")
    elsewhere = open_case(outsider, other_org, CaseInput(name="Someone else"), "call")

    assert read_plan(hotline, unrelated) is None
    assert read_plan(outsider, elsewhere) is None
    assert read_plan(hotline, household)["pickup"] == "Lucía Rivera o la abuela Carmen"
    assert read_plan(hotline, household)["medication"] == "Mateo: inhalador para el asma"

    reads = AuditEntry.objects.filter(action="hotline.plan.read")
    assert reads.count() == 2
    assert {(r.actor, r.organization, r.detail["case"]) for r in reads} == {
        (hotline, org, household.code)
    }


def test_a_plan_is_sealed_again_once_its_case_is_closed_not_at_release(plan, org, hotline):
    case = open_case(hotline, org, CaseInput(name="Miguel Rivera"), "call", plan=plan)
    assert read_plan(hotline, case) is not None

    case = change_state(hotline, case, Case.State.RELEASED)
    assert read_plan(hotline, case) is not None
    case = change_state(hotline, case, Case.State.CLOSED)

    assert read_plan(hotline, case) is None
    assert AuditEntry.objects.filter(action="hotline.plan.read").count() == 2


def test_another_members_plan_cannot_be_set_off_by_the_hotline_of_another_organization(
    plan, other_org, outsider
):
    with pytest.raises(ValidationError) as error:
        open_case(outsider, other_org, CaseInput(name="Miguel Rivera"), "call", plan=plan)

    assert list(error.value.message_dict) == ["plan"]
    assert not Case.objects.exists()


def test_a_member_of_two_organizations_chooses_which_hotline_her_plan_calls(
    nurse, org, other_org, sent
):
    Membership.objects.create(person=nurse, organization=other_org, roles=int(Role.MEMBER))

    save_plan(nurse, other_org, plan_content(), PIN)
    with sent():
        case = trigger_plan(nurse, PIN)

    assert case.organization == other_org


def test_a_plan_moved_to_another_organization_is_sealed_from_the_first(
    plan, nurse, org, other_org, hotline
):
    case = open_case(hotline, org, CaseInput(name="Miguel Rivera"), "call", plan=plan)
    Membership.objects.create(person=nurse, organization=other_org, roles=int(Role.MEMBER))

    save_plan(nurse, other_org, plan_content(), "")

    case.plan.refresh_from_db()
    assert read_plan(hotline, case) is None
