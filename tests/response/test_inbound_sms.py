"""A Twilio-style gateway posts each text sent to a reporting number; each one is a report."""

import logging

import pytest
from django.http import QueryDict
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import twilio_signature
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident, Report
from tocsin.response.services.reports import reset_rate
from tocsin.response.views.inbound import signed_by

URL = "/inbound/sms/"
TOKEN = "inbound-secret-of-the-mna-gateway"
REPORT_NUMBER = "+16125550100"
MARISOL = "+16125550111"


@pytest.fixture(autouse=True)
def _gateway(settings, db):
    settings.TOCSIN_BASE_URL = "https://tocsin.mna.example.org"
    reset_rate(MARISOL)
    yield
    reset_rate(MARISOL)


@pytest.fixture
def reporting_org(org):
    org.report_number = REPORT_NUMBER
    org.sms_inbound_token = TOKEN
    org.save(update_fields=["report_number", "sms_inbound_token"])
    return org


def text(client, body="ICE at the ambulance bay", sid="SM0001", to=REPORT_NUMBER, **extra):
    """Post what the gateway posts for one text from Marisol, signed with the right token."""
    params = {"From": MARISOL, "To": to, "Body": body, "MessageSid": sid, **extra}
    signature = twilio_signature("https://tocsin.mna.example.org" + URL, params, TOKEN)
    return client.post(URL, params, headers={"X-Twilio-Signature": signature})


def test_it_makes_a_report_of_a_signed_text_and_thanks_the_sender(client, reporting_org, caplog):
    with caplog.at_level(logging.INFO):
        response = text(client, "ICE at the ambulance bay, 4 agents", NumMedia="0")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    page = response.content.decode()
    assert "<Response><Message>Report received, thank you." in page
    assert "ambulance" not in page
    report = Report.objects.get()
    assert (report.organization, report.source) == (reporting_org, "sms")
    assert (report.raw_text, report.callback) == ("ICE at the ambulance bay, 4 agents", MARISOL)
    assert MARISOL not in caplog.text and "ambulance" not in caplog.text


def test_it_answers_in_the_organizations_language(client, reporting_org):
    reporting_org.default_language = "es"
    reporting_org.save(update_fields=["default_language"])

    response = text(client, "La migra en la entrada de ambulancias")

    assert response.status_code == 200
    with translation.override("es"):
        thanks = gettext("Report received, thank you. A dispatcher will check it.")
    assert f"<Message>{thanks}</Message>" in response.content.decode()
    assert Report.objects.get().language == "es"


def test_the_same_message_posted_twice_is_stored_once(client, reporting_org):
    assert text(client, sid="SM0001").status_code == 200
    assert text(client, sid="SM0001").status_code == 200

    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IGEgc2lnbmF0dXJl", "signed with another token"],
)
def test_it_refuses_a_text_without_the_gateways_signature(client, reporting_org, signature):
    params = {"From": MARISOL, "To": REPORT_NUMBER, "Body": "ICE here", "MessageSid": "SM1"}
    if signature == "signed with another token":
        signature = twilio_signature("https://tocsin.mna.example.org" + URL, params, "wrong")
    headers = {"X-Twilio-Signature": signature} if signature else {}

    response = client.post(URL, params, headers=headers)

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_it_refuses_a_signed_text_whose_body_was_changed(client, reporting_org):
    params = {"From": MARISOL, "To": REPORT_NUMBER, "Body": "ICE here", "MessageSid": "SM1"}
    signature = twilio_signature("https://tocsin.mna.example.org" + URL, params, TOKEN)

    response = client.post(
        URL, {**params, "Body": "Forged"}, headers={"X-Twilio-Signature": signature}
    )

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_it_answers_404_to_a_number_no_organization_takes_reports_at(client, reporting_org):
    response = text(client, to="+16125550199")

    assert response.status_code == 404
    assert "To number" in response.content.decode()
    assert not Report.objects.exists()


def test_it_finds_the_organization_however_the_to_number_is_written(client, reporting_org):
    assert text(client, to="+1 (612) 555-0100").status_code == 200
    assert Report.objects.get().organization == reporting_org


def test_it_refuses_an_empty_text_naming_the_body(client, reporting_org):
    response = text(client, body="   ")

    assert response.status_code == 400
    assert "Body" in response.content.decode()
    assert not Report.objects.exists()


def test_a_flood_from_one_number_is_told_to_slow_down(client, reporting_org, settings):
    settings.TOCSIN_REPORT_BURST = 2
    for count in range(2):
        assert text(client, f"ICE here {count}", sid=f"SM{count}").status_code == 200

    response = text(client, "ICE here again", sid="SM9")

    assert response.status_code == 200
    assert "Too many reports" in response.content.decode()
    assert Report.objects.count() == 2


def test_it_refuses_a_get(client, reporting_org):
    assert client.get(URL).status_code == 405


def test_a_number_saved_without_a_token_takes_no_text(client, reporting_org):
    # A reporting number saved before each organization had its own token.
    reporting_org.sms_inbound_token = ""
    reporting_org.save(update_fields=["sms_inbound_token"])

    response = text(client)

    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "signed_url",
    [
        "https://tocsin.mna.example.org:443/inbound/sms/",
        "https://tocsin.mna.example.org/inbound/sms/",
    ],
)
def test_a_signature_over_the_url_with_or_without_443_is_taken(client, reporting_org, signed_url):
    params = {"From": MARISOL, "To": REPORT_NUMBER, "Body": "ICE at dock 4", "MessageSid": "SM9"}
    signature = twilio_signature(signed_url, params, TOKEN)
    # The reference: Twilio's own validator takes this signature for Tocsin's URL.
    assert RequestValidator(TOKEN).validate(
        "https://tocsin.mna.example.org/inbound/sms/", params, signature
    )

    response = client.post(URL, params, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 200
    assert Report.objects.get().raw_text == "ICE at dock 4"


def test_a_signature_over_repeated_values_is_taken_as_twilio_computes_it(client, reporting_org):
    form = QueryDict(mutable=True)
    form.update({"From": MARISOL, "To": REPORT_NUMBER, "Body": "ICE at dock 4"})
    form.update({"MessageSid": "SM10"})
    form.setlist("MediaUrl0", ["https://media.example/1", "https://media.example/1"])
    signature = twilio_signature("https://tocsin.mna.example.org" + URL, form, TOKEN)
    assert RequestValidator(TOKEN).validate("https://tocsin.mna.example.org" + URL, form, signature)

    response = client.post(
        URL,
        form.urlencode(),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )

    assert response.status_code == 200
    assert Report.objects.count() == 1


def test_a_signature_over_another_port_or_path_is_refused(client, reporting_org):
    params = {"From": MARISOL, "To": REPORT_NUMBER, "Body": "ICE at dock 4", "MessageSid": "SM11"}
    for signed_url in (
        "https://tocsin.mna.example.org:8443/inbound/sms/",
        "https://tocsin.mna.example.org/inbound/sms/other/",
        "http://tocsin.mna.example.org/inbound/sms/",
    ):
        signature = twilio_signature(signed_url, params, TOKEN)
        assert not RequestValidator(TOKEN).validate(
            "https://tocsin.mna.example.org/inbound/sms/", params, signature
        )

        response = client.post(URL, params, headers={"X-Twilio-Signature": signature})

        assert response.status_code == 403
    assert Report.objects.count() == 0


@pytest.fixture
def marisol(org):
    from tests.conftest import make_person
    from tocsin.accounts.services.people import add_contact

    person = make_person(org, name="Marisol")
    add_contact(person, "sms", MARISOL, confirmed=True)
    add_contact(person, "email", "marisol@example.org", confirmed=True, preference=2)
    return person


@pytest.mark.parametrize(
    "body",
    ["STOP", "stop", " Stop. ", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO", "parar"],
)
def test_a_stop_keyword_opts_the_sender_out_and_files_no_report(
    client, reporting_org, marisol, body
):
    response = text(client, body)

    assert response.status_code == 200
    assert "no more texts" in response.content.decode()
    assert Report.objects.count() == 0
    assert Incident.objects.count() == 0
    assert Alert.objects.count() == 0  # no dispatcher is paged
    assert marisol.contacts.get(channel="sms").opted_out
    assert not marisol.contacts.get(channel="email").opted_out


def test_start_opts_the_sender_back_in(client, reporting_org, marisol):
    text(client, "STOP", sid="SM1")

    response = text(client, "Start", sid="SM2")

    assert "start again" in response.content.decode()
    assert not marisol.contacts.get(channel="sms").opted_out
    assert Report.objects.count() == 0


def test_help_says_what_the_number_is_in_the_senders_language(client, reporting_org, marisol):
    marisol.language = "es"
    marisol.save(update_fields=["language"])

    response = text(client, "AYUDA")

    with translation.override("es"):
        assert "reportarlo" in gettext(
            "%(name)s, on Tocsin: text what you see to this number to report it. "
            "Text STOP for no more texts, START to get them again."
        )
    assert "reportarlo" in response.content.decode()
    assert Report.objects.count() == 0
    assert not marisol.contacts.get(channel="sms").opted_out


def test_the_gateways_opt_out_type_is_taken_at_its_word(client, reporting_org, marisol):
    response = text(client, "Please stop texting me", OptOutType="STOP")

    assert response.status_code == 200
    assert Report.objects.count() == 0
    assert marisol.contacts.get(channel="sms").opted_out


def test_a_report_that_mentions_stop_is_still_a_report(client, reporting_org, marisol):
    response = text(client, "ICE at the stop on 5th street")

    assert response.status_code == 200
    assert Report.objects.count() == 1
    assert not marisol.contacts.get(channel="sms").opted_out


def test_stop_from_a_number_tocsin_does_not_know_is_answered_and_filed_nowhere(
    client, reporting_org
):
    response = text(client, "STOP")

    assert response.status_code == 200
    assert "no more texts" in response.content.decode()
    assert Report.objects.count() == 0


@settings_(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["Body", "From", "MediaUrl0", "NumMedia", "To"]),
            st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
        ),
        max_size=6,
    ),
    signed_url=st.sampled_from(
        [
            "https://tocsin.mna.example.org/inbound/sms/",
            "https://tocsin.mna.example.org:443/inbound/sms/",
            "https://tocsin.mna.example.org:8443/inbound/sms/",
            "http://tocsin.mna.example.org/inbound/sms/",
            "https://tocsin.mna.example.org/inbound/sms/?x=1",
        ]
    ),
)
def test_tocsin_takes_exactly_what_twilios_validator_takes(values, signed_url):
    form = QueryDict(mutable=True)
    for name, value in values:
        form.appendlist(name, value)
    signature = RequestValidator(TOKEN).compute_signature(signed_url, form)
    request = RequestFactory().post(
        URL,
        form.urlencode(),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )

    with override_settings(TOCSIN_BASE_URL="https://tocsin.mna.example.org"):
        taken = signed_by(request, TOKEN)

    assert taken == RequestValidator(TOKEN).validate(
        "https://tocsin.mna.example.org" + URL, form, signature
    )
