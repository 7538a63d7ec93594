"""Signal reports arrive in every mode of signal-cli-rest-api, and a failure to read them is
shown to the organization's admins (issue 18, item 3).

In json-rpc mode /v1/receive/{number} is a websocket and a plain GET gets 400: polling read
nothing there, and logged the 400 as a number not registered, so every report was lost.
"""

import json
import logging
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client
from websockets.sync.client import connect

from tests.conftest import make_org, make_person, verified_client, wait_until
from tests.faults.servers import database_url, start_tocsin, stop_tocsin, tocsin_env
from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role
from tocsin.delivery.ratelimit import limiter
from tocsin.response.inbound import poll_signal
from tocsin.response.inbound_tasks import read_guard_key, read_signal_messages
from tocsin.response.models import Report, SignalReceiveFailure
from tocsin.response.signal_listener import Listener, websocket_url

from .conftest import JOSE, MARISOL

REPORT_NUMBER = "+16125550100"
NOT_ARRIVING = f"Reports sent by Signal to {REPORT_NUMBER} are not arriving."


@pytest.fixture(autouse=True)
def _fresh_sender_rates(fresh_sender_rates):
    """Every test here starts with a full report allowance for its senders."""


@pytest.fixture
def json_rpc(signal_server):
    """The local signal-cli-rest-api in json-rpc mode, holding the reporting number:
    receiving is a websocket."""
    signal_server.mode = "json-rpc"
    signal_server.accounts.add(REPORT_NUMBER)
    return signal_server


@pytest.fixture
def reporting_org(org):
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    return org


@pytest.fixture
def listener():
    """A listener as `tocsin worker` runs one, checking the mode often and reconnecting fast."""
    running = Listener(supervise_seconds=0.2, max_delay=0.5).start()
    yield running
    running.stop()


def members_page(client, org):
    return client.get(f"/staff/o/{org.slug}/members/").content


# The stand-in, as the real API in json-rpc mode.


def test_the_json_rpc_stand_in_answers_a_plain_get_400_and_sends_envelopes_on_the_websocket(
    json_rpc,
):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{json_rpc.url}/v1/receive/%2B16125550100", timeout=5)
    assert refused.value.code == 400
    assert b"not using the websocket protocol" in refused.value.read()

    with connect(websocket_url(REPORT_NUMBER), proxy=None, open_timeout=5) as websocket:
        json_rpc.websockets.wait_for(REPORT_NUMBER)
        json_rpc.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
        item = json.loads(websocket.recv(timeout=5))
        assert websocket.ping().wait(5)  # the API answers pings: a client may keep it alive
    assert item["account"] == REPORT_NUMBER
    assert item["envelope"]["sourceNumber"] == MARISOL
    assert item["envelope"]["dataMessage"]["message"] == "ICE at the ambulance bay"


# Tocsin receiving in json-rpc mode.


# signal-cli's own example of a message received in json-rpc mode (AsamK/signal-cli,
# man/signal-cli-jsonrpc.5.adoc), as signal-cli-rest-api passes it on: the notification's
# params, with the account (src/main/java/org/asamk/signal/json/JsonReceiveMessageHandler.java).
SIGNAL_CLI_FRAME = (
    '{"envelope":{"source":"+33123456789","sourceNumber":"+33123456789","sourceUuid":"uuid",'
    '"sourceName":"name","sourceDevice":1,"timestamp":1631458508784,"dataMessage":'
    '{"timestamp":1631458508784,"message":"foobar","expiresInSeconds":0,"viewOnce":false,'
    '"mentions":[],"attachments":[],"contacts":[]}},"account":"+16125550100"}'
)


def test_a_frame_as_signal_cli_sends_it_is_filed_and_an_error_frame_is_not(reporting_org, caplog):
    with caplog.at_level(logging.INFO):
        Listener.take(reporting_org, SIGNAL_CLI_FRAME)
        Listener.take(reporting_org, '{"error":"Untrusted identity for +33123456789"}')

    report = Report.objects.get()
    assert (report.raw_text, report.callback, report.source) == ("foobar", "+33123456789", "signal")
    assert "the server reported an error for mna" in caplog.text
    assert "+33123456789" not in caplog.text


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_files_a_report_sent_in_json_rpc_mode(json_rpc, tmp_path):
    org = make_org()
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    env = tocsin_env(
        tmp_path, {"signal": json_rpc}, database_url(), f"sqlite:///{tmp_path}/queue.sqlite3"
    )
    worker = start_tocsin(env, "worker", log=tmp_path / "worker.log")
    try:
        json_rpc.websockets.wait_for(REPORT_NUMBER, timeout=30)
        json_rpc.inbound(MARISOL, "ICE at the ambulance bay, 4 agents", to=REPORT_NUMBER)
        report = wait_until(lambda: Report.objects.filter(organization=org).first(), 20)
    finally:
        stop_tocsin(worker)

    assert (report.raw_text, report.source, report.callback) == (
        "ICE at the ambulance bay, 4 agents",
        "signal",
        MARISOL,
    )
    assert json_rpc.websockets.dropped == 0
    log = (tmp_path / "worker.log").read_text()
    assert REPORT_NUMBER not in log and MARISOL not in log and "ambulance" not in log


@pytest.mark.django_db(transaction=True)
def test_the_listener_reconnects_when_the_gateway_restarts(json_rpc, listener):
    org = make_org()
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    json_rpc.websockets.wait_for(REPORT_NUMBER)

    json_rpc.websockets.close_all()  # the API's container restarts
    wait_until(lambda: json_rpc.websockets.opened >= 2, 10)
    json_rpc.websockets.wait_for(REPORT_NUMBER)
    json_rpc.inbound(JOSE, "Two unmarked SUVs on Park Ave", to=REPORT_NUMBER)

    report = wait_until(lambda: Report.objects.filter(organization=org).first(), 10)
    assert report.raw_text == "Two unmarked SUVs on Park Ave"


@pytest.mark.django_db(transaction=True)
def test_two_workers_listening_store_a_message_once(json_rpc, listener):
    org = make_org()
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    second = Listener(supervise_seconds=0.2, max_delay=0.5).start()
    try:
        json_rpc.websockets.wait_for(REPORT_NUMBER, count=2)
        json_rpc.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
        wait_until(lambda: Report.objects.exists(), 10)
        time.sleep(0.5)  # the second listener's copy has arrived too
    finally:
        second.stop()

    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_listener_follows_a_number_given_later_and_holds_none_in_normal_mode(
    signal_server, listener
):
    org = make_org()
    time.sleep(0.5)
    assert listener.holding() == 0  # no reporting number yet

    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    time.sleep(0.5)
    assert listener.holding() == 0 and signal_server.websockets.opened == 0  # normal mode

    signal_server.accounts.add(REPORT_NUMBER)
    signal_server.mode = "json-rpc"
    signal_server.websockets.wait_for(REPORT_NUMBER)
    assert listener.holding() == 1


def test_polling_stands_aside_in_json_rpc_mode(json_rpc, reporting_org, caplog):
    with caplog.at_level(logging.INFO):
        assert poll_signal(reporting_org) == 0
        assert read_signal_messages.call_local() == 0

    assert "HTTP 400" not in caplog.text
    assert not SignalReceiveFailure.objects.exists()


# A failure to receive, shown to the admins.


def test_a_number_the_gateway_refuses_is_shown_to_the_admins(
    signal_server, reporting_org, admin, admin_client, dispatcher
):
    signal_server.unregistered.add(REPORT_NUMBER)

    assert read_signal_messages.call_local() == 0

    page = members_page(admin_client, reporting_org).decode()
    assert NOT_ARRIVING in page
    assert "refuses to read this number's messages (HTTP 400)" in page
    Person.objects.filter(pk=admin.pk).update(language="es")
    spanish = members_page(admin_client, reporting_org).decode()
    Person.objects.filter(pk=admin.pk).update(language="en")
    assert f"Los reportes enviados por Signal al {REPORT_NUMBER} no están llegando." in spanish
    console = verified_client(Client(), dispatcher).get(f"/staff/o/{reporting_org.slug}/console/")
    assert console.status_code == 200
    assert NOT_ARRIVING not in console.content.decode()  # the admins see to it

    signal_server.unregistered.discard(REPORT_NUMBER)
    limiter().reset(read_guard_key())
    signal_server.inbound(MARISOL, "ICE at the ambulance bay", to=REPORT_NUMBER)
    assert read_signal_messages.call_local() == 1
    assert NOT_ARRIVING not in members_page(admin_client, reporting_org).decode()


def test_a_gateway_that_cannot_be_reached_is_shown_to_the_admins(
    settings, reporting_org, admin_client
):
    settings.TOCSIN_SIGNAL_URL = "http://127.0.0.1:1"

    assert read_signal_messages.call_local() == 0

    page = members_page(admin_client, reporting_org).decode()
    assert NOT_ARRIVING in page
    assert "cannot reach the Signal gateway (ConnectionRefusedError)" in page


@pytest.mark.django_db(transaction=True)
def test_a_websocket_the_gateway_refuses_is_shown_to_the_admins_until_it_opens(
    json_rpc, client, listener
):
    org = make_org()
    admin = make_person(org, Role.ADMIN, email="admin@mna.test", password="correct horse 42")
    admin_client = verified_client(client, admin)
    json_rpc.down()  # the websocket's handshake is answered 503
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])

    wait_until(lambda: SignalReceiveFailure.objects.filter(organization=org).exists(), 10)
    page = members_page(admin_client, org).decode()
    assert NOT_ARRIVING in page and "(HTTP 503)" in page

    json_rpc.up()
    json_rpc.websockets.wait_for(REPORT_NUMBER)
    wait_until(lambda: not SignalReceiveFailure.objects.filter(organization=org).exists(), 10)
    assert NOT_ARRIVING not in members_page(admin_client, org).decode()


@pytest.mark.django_db(transaction=True)
def test_a_number_the_json_rpc_gateway_does_not_hold_is_shown_to_the_admins(
    json_rpc, client, listener
):
    org = make_org()
    admin = make_person(org, Role.ADMIN, email="admin@mna.test", password="correct horse 42")
    admin_client = verified_client(client, admin)
    json_rpc.accounts.clear()  # the reporting number was never registered on the gateway
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])

    wait_until(lambda: SignalReceiveFailure.objects.filter(organization=org).exists(), 10)
    page = members_page(admin_client, org).decode()
    assert NOT_ARRIVING in page and "(not registered there)" in page
    assert listener.holding() == 0

    json_rpc.accounts.add(REPORT_NUMBER)
    json_rpc.websockets.wait_for(REPORT_NUMBER)
    wait_until(lambda: not SignalReceiveFailure.objects.filter(organization=org).exists(), 10)
    assert NOT_ARRIVING not in members_page(admin_client, org).decode()
