"""A case message goes whole on every channel: the transport that cuts an alert to fit a
text message never cuts what a volunteer wrote to a family."""

from tocsin.hotline.models import Case, CaseMessage
from tocsin.hotline.services.cases import CaseInput, open_case
from tocsin.hotline.services.messages import MAX_UPDATE, send_family_update

SISTER = {
    "name": "Lucía Rivera",
    "relation": "sibling",
    "channel": "sms",
    "address": "612 555 0142",
    "language": "es",
}


def test_the_longest_update_reaches_a_sister_by_sms_word_for_word(
    org, hotline, sent, sms_gateway, smtp_server, settings
):
    settings.TOCSIN_SMS_MAX_SEGMENTS = 1  # an alert would be cut to 70 characters here
    update = ("La audiencia de Miguel es el jueves a las 9 en Sherburne. " * 11)[:MAX_UPDATE]
    with sent():
        case = open_case(
            hotline, org, CaseInput(name="Miguel", family=[SISTER]), Case.OpenedVia.CALL
        )
        send_family_update(hotline, case, update, [0])

    [text] = sms_gateway.messages
    assert text["text"].endswith(update.strip())
    assert CaseMessage.objects.get(case=case).status == "sent"
