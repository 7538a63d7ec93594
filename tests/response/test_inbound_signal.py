"""Members write to the organization's reporting number on Signal; each message is a report."""

import logging
import time

import pytest

from tests.conftest import make_org
from tocsin.response.inbound import poll_signal
from tocsin.response.inbound_tasks import (
    read_signal_messages,
    schedule_signal_reads,
)
from tocsin.response.models import Report

from .conftest import JOSE, MARISOL

REPORT_NUMBER = "+16125550100"
NOBODYS_NUMBER = "+16125550199"


@pytest.fixture(autouse=True)
def _fresh_sender_rates(fresh_sender_rates):
    """Every test here starts with a full report allowance for its senders."""


@pytest.fixture
def reporting_org(org):
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    return org


def test_it_makes_a_report_of_each_message_and_skips_receipts(signal_server, reporting_org):
    signal_server.inbound(MARISOL, "ICE at the ambulance bay, 4 agents", to=REPORT_NUMBER)
    signal_server.receipt(MARISOL, to=REPORT_NUMBER)
    signal_server.inbound(JOSE, "Two unmarked SUVs on Park Ave", to=REPORT_NUMBER)

    assert poll_signal(reporting_org) == 2

    reports = list(Report.objects.filter(organization=reporting_org))
    assert [(r.raw_text, r.source, r.callback) for r in reports] == [
        ("ICE at the ambulance bay, 4 agents", "signal", MARISOL),
        ("Two unmarked SUVs on Park Ave", "signal", JOSE),
    ]
    assert all(r.incident.organization == reporting_org for r in reports)


def test_it_stores_nothing_new_when_it_reads_again(signal_server, reporting_org):
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
    poll_signal(reporting_org)

    assert poll_signal(reporting_org) == 0
    assert Report.objects.count() == 1


def test_a_message_delivered_twice_is_stored_once(signal_server, reporting_org):
    sent = signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
    assert poll_signal(reporting_org) == 1
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER, timestamp=sent)

    assert poll_signal(reporting_org) == 0
    assert Report.objects.count() == 1


def test_a_message_to_a_number_no_organization_has_is_not_stored(signal_server, reporting_org):
    signal_server.inbound(MARISOL, "ICE at the garage", to=NOBODYS_NUMBER)

    assert poll_signal(reporting_org) == 0
    assert not Report.objects.exists()


def test_an_organization_without_a_reporting_number_reads_nothing(signal_server, org):
    signal_server.inbound(MARISOL, "ICE at the garage")

    assert poll_signal(org) == 0
    assert not Report.objects.exists()


def test_a_server_that_is_down_is_read_again_next_round(signal_server, reporting_org, caplog):
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
    signal_server.inbound(JOSE, "Two unmarked SUVs", to=REPORT_NUMBER)
    signal_server.down()

    with caplog.at_level(logging.INFO):
        assert poll_signal(reporting_org) == 0
    assert not Report.objects.exists()
    assert "HTTP 503" in caplog.text
    assert REPORT_NUMBER not in caplog.text and "ambulance" not in caplog.text

    signal_server.up()
    assert poll_signal(reporting_org) == 2
    assert Report.objects.count() == 2


def test_a_server_that_cannot_be_reached_does_not_raise(settings, reporting_org, caplog):
    settings.TOCSIN_SIGNAL_URL = "http://127.0.0.1:1"

    with caplog.at_level(logging.INFO):
        assert poll_signal(reporting_org) == 0
    assert "ConnectionRefusedError" in caplog.text
    assert REPORT_NUMBER not in caplog.text


def test_a_flood_from_one_number_is_held_back(signal_server, reporting_org, settings, caplog):
    settings.TOCSIN_REPORT_BURST = 2
    for count in range(5):
        signal_server.inbound(MARISOL, f"spam {count}", to=REPORT_NUMBER)
    signal_server.inbound(JOSE, "Agents at the loading dock", to=REPORT_NUMBER)

    with caplog.at_level(logging.INFO):
        assert poll_signal(reporting_org) == 3

    assert sorted(Report.objects.values_list("raw_text", flat=True)) == [
        "Agents at the loading dock",
        "spam 0",
        "spam 1",
    ]
    assert MARISOL not in caplog.text and "spam" not in caplog.text


def test_the_worker_reads_every_organizations_number(signal_server, reporting_org):
    other = make_org(slug="seiu-26", name="SEIU Local 26")
    other.report_number = "+16125550200"
    other.save(update_fields=["report_number"])
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
    signal_server.inbound(JOSE, "ICE at the office tower", to="+16125550200")

    assert read_signal_messages.call_local() == 2

    assert Report.objects.get(organization=reporting_org).raw_text == "ICE at the ambulance bay"
    assert Report.objects.get(organization=other).raw_text == "ICE at the office tower"


def test_a_number_not_on_signal_does_not_stop_the_others(signal_server, reporting_org, caplog):
    signal_server.unregistered.add(REPORT_NUMBER)  # the first organization takes texts only
    on_signal = make_org(slug="seiu-26", name="SEIU Local 26")
    on_signal.report_number = "+16125550200"
    on_signal.save(update_fields=["report_number"])
    signal_server.inbound(JOSE, "ICE at the office tower", to="+16125550200")

    with caplog.at_level(logging.INFO):
        assert read_signal_messages.call_local() == 1

    assert Report.objects.get().organization == on_signal
    assert "HTTP 400" in caplog.text and REPORT_NUMBER not in caplog.text


def test_the_worker_reads_no_more_than_twice_an_interval(signal_server, reporting_org, settings):
    settings.TOCSIN_SIGNAL_POLL_SECONDS = 1
    assert read_signal_messages.call_local() == 0
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)

    assert read_signal_messages.call_local() == 0  # a twin of the read just made
    time.sleep(0.6)
    assert read_signal_messages.call_local() == 1


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_reads_the_messages_on_its_own(signal_server, settings, worker):
    org = make_org()
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    settings.TOCSIN_SIGNAL_POLL_SECONDS = 30
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)

    schedule_signal_reads()

    deadline = time.monotonic() + 10
    while not Report.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Report.objects.get().raw_text == "ICE at the ambulance bay"
