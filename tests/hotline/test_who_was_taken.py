"""The family is told in the words Rosa wrote for the person taken (step 8): her own
("Estoy detenida…") when she is taken, the one for her husband when he is ("Mi esposo
Miguel fue detenido…"), and when she wrote none for him, a sentence in each contact's
language naming who was taken, never her first-person message."""

from django.urls import reverse

from tests.conftest import member_client
from tocsin.hotline.models import EmergencyPlan
from tocsin.hotline.services.plans import save_plan

from .conftest import LAWYER_EMAIL, PIN, SISTER_PHONE, plan_content

HERS = "Estoy detenida. Recoge a Sofía y a Mateo en la escuela a las 3."
HIS = "Mi esposo Miguel fue detenido. Yo estoy bien; recoge a los niños a las 3."


def her_plan(nurse, org, covered_message=HIS):
    return save_plan(nurse, org, plan_content(message=HERS, covered_message=covered_message), PIN)


def open_for_her_husband(hotline_client, org, sent):
    with sent():
        response = hotline_client.post(
            f"/staff/o/{org.slug}/cases/new/",
            {"who": "household", "member": "Rosa Rivera", "name": "Miguel Rivera", "agency": "ice"},
        )
    assert response.status_code == 302


def to_sister(sms_gateway):
    [text] = [m["text"] for m in sms_gateway.messages if m["to"] == SISTER_PHONE]
    return text


def to_lawyer(smtp_server):
    [email] = [m for m in smtp_server.messages if m["to"] == [LAWYER_EMAIL]]
    return email


def test_when_her_husband_is_taken_the_family_gets_her_words_for_him(
    hotline_client, org, nurse, sent, sms_gateway, smtp_server
):
    her_plan(nurse, org)

    open_for_her_husband(hotline_client, org, sent)

    text = to_sister(sms_gateway)
    assert HIS in text and HERS not in text
    assert text.startswith("Miguel Rivera fue detenido. Rosa Rivera nos pidió que te avisáramos.")
    email = to_lawyer(smtp_server)
    assert email["subject"] == "Miguel Rivera has been detained"
    assert HIS in email["body"] and HERS not in email["body"]


def test_when_she_is_taken_the_family_gets_her_own_words(
    client, org, nurse, sent, sms_gateway, smtp_server
):
    her_plan(nurse, org)
    phone = member_client(client, nurse)

    with sent():
        response = phone.post(reverse("hotline:plan_trigger"), {"pin": PIN})

    assert response.status_code == 200
    text = to_sister(sms_gateway)
    assert HERS in text and HIS not in text
    assert text.startswith("Rosa Rivera fue detenida o detenido y nos pidió que te avisáramos.")
    assert HERS in to_lawyer(smtp_server)["body"]


def test_without_words_for_him_the_family_is_told_who_was_taken_in_their_language(
    hotline_client, org, nurse, sent, sms_gateway, smtp_server
):
    her_plan(nurse, org, covered_message="")

    open_for_her_husband(hotline_client, org, sent)

    text = to_sister(sms_gateway)
    assert text.startswith("Miguel Rivera fue detenido. Rosa Rivera nos pidió que te avisáramos.")
    assert HERS not in text
    body = to_lawyer(smtp_server)["body"]
    assert body.startswith("Miguel Rivera has been detained. Rosa Rivera asked us to tell you.")
    assert HERS not in body


def test_she_writes_both_messages_on_her_plan_page_and_a_long_one_is_named(client, nurse, org):
    phone = member_client(client, nurse)
    page = phone.get(reverse("hotline:plan"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Tu mensaje si se llevan a alguien que cubre este plan" in page
    form = {
        "contact1_name": "Lucía Rivera",
        "contact1_relation": "sibling",
        "contact1_channel": "sms",
        "contact1_address": "612 555 0142",
        "contact1_language": "es",
        "message": HERS,
        "covered_message": "x" * 601,
        "pin": PIN,
    }

    refused = phone.post(reverse("hotline:plan"), form)

    assert refused.status_code == 400 and "covered_message" in refused.context["form"].errors
    assert not EmergencyPlan.objects.exists()
    assert phone.post(reverse("hotline:plan"), {**form, "covered_message": HIS}).status_code == 302
    content = EmergencyPlan.objects.get(person=nurse).content
    assert (content["message"], content["covered_message"]) == (HERS, HIS)
