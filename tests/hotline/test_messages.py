"""What a case sends to people outside Tocsin: family updates to the chosen people only,
each in their language; what a failing gateway does to a message; a message is never sent
twice; and no log line says who was written to or what they were told."""

import logging
import re

import pytest
from django.core.exceptions import ValidationError

from tocsin.delivery.direct import DeliveryError
from tocsin.hotline.models import Case, CaseEvent, CaseMessage
from tocsin.hotline.services.cases import CaseInput, open_case
from tocsin.hotline.services.messages import send_family_update
from tocsin.hotline.tasks import RETRIES, send_case_message

from .conftest import LAWYER_EMAIL, SISTER_PHONE

COUSIN_EMAIL = "tomas.rivera@example.org"
COUSIN = {
    "name": "Tomás Rivera",
    "relation": "relative",
    "channel": "email",
    "address": COUSIN_EMAIL,
    "language": "es",
}
UPDATE = "Miguel está en Sherburne County Jail. La audiencia es el jueves."


@pytest.fixture
def case(plan, org, hotline, sent, sms_gateway, smtp_server):
    """Miguel's case, set off by Rosa's plan (the sister, the lawyer), and his cousin, who
    called the hotline; the plan's own messages are already out."""
    with sent():
        return open_case(
            hotline,
            org,
            CaseInput(name="Miguel Rivera", family=[COUSIN]),
            Case.OpenedVia.CALL,
            plan=plan,
        )


def updates(case):
    return CaseMessage.objects.filter(case=case, kind=CaseMessage.Kind.UPDATE)


def refusal(hotline, case, text, chosen):
    with pytest.raises(ValidationError) as error:
        send_family_update(hotline, case, text, chosen)
    return sorted(error.value.message_dict)


def test_an_update_goes_only_to_the_chosen_people_in_their_language(
    case, hotline, org, sent, sms_gateway, smtp_server
):
    sms_gateway.clear()
    smtp_server.clear()

    with sent():
        assert send_family_update(hotline, case, UPDATE, [0, 2]) == 2

    [text] = sms_gateway.messages
    assert text["to"] == SISTER_PHONE
    assert text["text"] == (
        f"Novedades de la línea de ayuda de {org.name} (caso {case.code}):\n{UPDATE}"
    )
    [email] = smtp_server.messages
    assert email["to"] == [COUSIN_EMAIL]  # not the lawyer
    assert email["subject"] == f"Novedades del caso {case.code}"
    assert UPDATE in email["body"]
    assert set(updates(case).values_list("status", flat=True)) == {"sent"}
    line = case.events.get(kind=CaseEvent.Kind.FAMILY_UPDATE)
    assert (line.note, line.detail) == (UPDATE, {"people": 2})


def test_the_lawyer_reads_the_update_in_english(case, hotline, org, sent, smtp_server):
    smtp_server.clear()

    with sent():
        send_family_update(hotline, case, "Hearing moved to Thursday.", [1])

    [email] = smtp_server.messages
    assert email["to"] == [LAWYER_EMAIL]
    assert email["subject"] == f"Update on case {case.code}"
    assert email["body"].strip().splitlines() == [
        f"An update from the hotline of {org.name} (case {case.code}):",
        "Hearing moved to Thursday.",
    ]


def test_choosing_someone_twice_sends_them_one_update(case, hotline, sent, sms_gateway):
    sms_gateway.clear()

    with sent():
        assert send_family_update(hotline, case, UPDATE, [0, 0]) == 1

    assert len(sms_gateway.messages) == 1


def test_a_relative_on_signal_gets_the_update_on_signal(
    plan, org, hotline, sent, sms_gateway, smtp_server, signal_server
):
    on_signal = {**COUSIN, "channel": "signal", "address": "+1 612 555 0177"}
    with sent():
        case = open_case(
            hotline, org, CaseInput(name="Miguel", family=[on_signal]), "call", plan=plan
        )
        send_family_update(hotline, case, UPDATE, [2])

    [message] = signal_server.messages
    assert message["to"] == "+16125550177" and UPDATE in message["text"]


@pytest.mark.parametrize(
    ("text", "chosen", "wrong"),
    [
        ("  ", [0], ["text"]),
        ("x" * 601, [0], ["text"]),
        (UPDATE, [], ["recipients"]),
        (UPDATE, [3], ["recipients"]),
        (UPDATE, [-1], ["recipients"]),
        (UPDATE, ["0"], ["recipients"]),
        ("", [7], ["recipients", "text"]),
    ],
)
def test_it_refuses_an_update_without_text_or_people_from_the_list(
    case, hotline, text, chosen, wrong
):
    assert refusal(hotline, case, text, chosen) == wrong
    assert not updates(case).exists()
    assert not case.events.filter(kind=CaseEvent.Kind.FAMILY_UPDATE).exists()


def test_a_number_the_gateway_refuses_for_good_is_marked_failed(
    plan, org, hotline, sent, sms_gateway, smtp_server, settings
):
    settings.TOCSIN_SMS_TOKEN = "wrong-token"  # the gateway answers 401

    with sent():
        case = open_case(hotline, org, CaseInput(name="Miguel"), "call", plan=plan)

    to_sister = CaseMessage.objects.get(case=case, channel="sms")
    assert (to_sister.status, to_sister.reason, to_sister.attempts) == (
        "failed",
        "SMS: HTTP 401",
        1,
    )
    assert sms_gateway.messages == []
    assert CaseMessage.objects.get(case=case, channel="email").status == "sent"

    settings.TOCSIN_SMS_TOKEN = "secret-token"
    send_case_message.call_local(to_sister.pk)  # a late retry does not revive it
    assert sms_gateway.messages == []


def test_a_gateway_that_is_down_keeps_the_message_queued_for_a_retry(
    plan, org, hotline, sent, sms_gateway, smtp_server
):
    sms_gateway.down()

    with sent():
        case = open_case(hotline, org, CaseInput(name="Miguel"), "call", plan=plan)

    to_sister = CaseMessage.objects.get(case=case, channel="sms")
    assert (to_sister.status, to_sister.reason, to_sister.attempts) == (
        "queued",
        "SMS: HTTP 503",
        1,
    )

    sms_gateway.up()
    send_case_message.call_local(to_sister.pk)  # the retry

    to_sister.refresh_from_db()
    assert (to_sister.status, to_sister.reason, to_sister.attempts) == ("sent", "", 2)
    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]


def test_a_message_is_failed_after_its_last_retry(
    plan, org, hotline, sent, sms_gateway, smtp_server
):
    sms_gateway.down()
    with sent():
        case = open_case(hotline, org, CaseInput(name="Miguel"), "call", plan=plan)
    to_sister = CaseMessage.objects.get(case=case, channel="sms")

    for _retry in range(RETRIES - 1):
        with pytest.raises(DeliveryError, match="HTTP 503"):
            send_case_message.call_local(to_sister.pk)
    send_case_message.call_local(to_sister.pk)

    to_sister.refresh_from_db()
    assert (to_sister.status, to_sister.attempts) == ("failed", RETRIES + 1)


def test_a_message_already_sent_is_not_sent_again_when_its_job_runs_again(
    case, sms_gateway, smtp_server
):
    sent_before = (len(sms_gateway.messages), len(smtp_server.messages))

    for message in CaseMessage.objects.filter(case=case):
        assert message.status == "sent"
        send_case_message.call_local(message.pk)

    assert (len(sms_gateway.messages), len(smtp_server.messages)) == sent_before
    assert set(CaseMessage.objects.values_list("attempts", flat=True)) == {1}


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A retry's time (eta 2026-12-07 10:45:38.070142) may hold the digits too, by chance.
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[+-]\d\d:?\d\d)?")


def test_no_log_line_holds_an_address_or_what_was_said(
    plan, org, hotline, sent, sms_gateway, smtp_server, caplog, settings
):
    caplog.set_level(logging.DEBUG)
    with sent():
        case = open_case(
            hotline, org, CaseInput(name="Miguel Rivera", family=[COUSIN]), "call", plan=plan
        )
        send_family_update(hotline, case, UPDATE, [0, 1, 2])
    sms_gateway.down()
    with sent():
        send_family_update(hotline, case, UPDATE, [0])
    sms_gateway.up()
    settings.TOCSIN_SMS_TOKEN = "wrong-token"
    with sent():
        send_family_update(hotline, case, UPDATE, [0])

    assert "not sent on sms: SMS: HTTP 503" in caplog.text  # the jobs did log, by id
    assert "not sent on sms: SMS: HTTP 401" in caplog.text
    # Huey names each job by a random UUID, whose hex digits may spell "612" by chance.
    logged = TIME.sub("<time>", UUID.sub("<job>", caplog.text))
    for plain in (
        SISTER_PHONE,
        "612",
        "0142",
        LAWYER_EMAIL,
        COUSIN_EMAIL,
        "Lucía",
        "Tomás",
        "Miguel",
        "Rosa",
        "Sherburne",
        "Recoge a los niños",
    ):
        assert plain not in logged
