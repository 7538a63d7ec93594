import logging
import time
from collections import Counter

import pytest

from tocsin.delivery.channels.base import Outgoing, TransportError
from tocsin.delivery.channels.signal.about import forget
from tocsin.delivery.channels.signal.transport import SignalTransport
from tocsin.delivery.local_servers import signal as local_signal
from tocsin.delivery.local_servers.gateway import GatewayHandler
from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.smtp import free_port

ALERT = "ICE agents reported at the east entrance. Stay away and warn your coworkers."


@pytest.fixture
def transport(signal_server):
    transport = SignalTransport()
    yield transport
    transport.close()


def number(index: int) -> str:
    return f"+1612555{index:04d}"


def messages(count: int, text: str = ALERT, start: int = 0) -> list[Outgoing]:
    return [
        Outgoing(
            delivery_id=start + i, address=number(start + i), language="en", subject="", text=text
        )
        for i in range(count)
    ]


def received_once_each(server: LocalSignalServer, count: int) -> bool:
    return Counter(message["to"] for message in server.messages) == {
        number(i): 1 for i in range(count)
    }


def test_it_sends_250_recipients_in_three_requests_each_getting_one_message(
    transport, signal_server
):
    results = transport.send(messages(250))

    assert all(result.sent for result in results)
    assert [result.delivery_id for result in results] == list(range(250))
    assert signal_server.requests == 3
    assert received_once_each(signal_server, 250)
    assert {(m["from"], m["text"]) for m in signal_server.messages} == {("+15555550100", ALERT)}


def test_it_keeps_one_connection_for_all_requests(transport, signal_server):
    transport.send(messages(250))

    assert signal_server.connections == 2  # one to read /v1/about once, one for every send


def test_it_takes_the_batch_size_from_settings(signal_server, settings):
    settings.TOCSIN_SIGNAL_BATCH = 40
    transport = SignalTransport()

    transport.send(messages(100))

    assert transport.limits.recipients_per_request == 40
    assert signal_server.requests == 3
    assert received_once_each(signal_server, 100)


def test_it_sends_each_text_to_its_own_recipients(transport, signal_server):
    spanish = "Agentes de ICE en la entrada este. Aléjese y avise a sus compañeros."
    batch = messages(3) + messages(2, text=spanish, start=3)

    transport.send(batch)

    assert signal_server.requests == 2
    assert {m["to"]: m["text"] for m in signal_server.messages} == {
        number(0): ALERT,
        number(1): ALERT,
        number(2): ALERT,
        number(3): spanish,
        number(4): spanish,
    }


def test_it_raises_the_servers_retry_after_on_429_and_sends_nothing_twice_on_retry(
    transport, signal_server
):
    signal_server.rate_limit(1, retry_after=7)
    batch = messages(80)

    with pytest.raises(TransportError) as error:
        transport.send(batch)

    assert error.value.retry_after == 7
    assert not error.value.permanent
    assert signal_server.messages == []

    results = transport.send(batch)

    assert all(result.sent for result in results)
    assert received_once_each(signal_server, 80)


def test_it_returns_what_went_when_429_comes_in_the_middle_of_a_batch(transport, signal_server):
    signal_server.rate_limit(1, retry_after=3, after=1)
    batch = messages(150)

    results = transport.send(batch)

    assert [result.sent for result in results] == [True] * 100 + [False] * 50
    assert not any(result.permanent for result in results)
    retried = transport.send([m for m, r in zip(batch, results, strict=True) if not r.sent])
    assert all(result.sent for result in retried)
    assert received_once_each(signal_server, 150)


@pytest.mark.parametrize("close", [False, True])
def test_a_server_down_is_a_temporary_failure_and_then_every_message_goes_once(
    transport, signal_server, close
):
    signal_server.down(close=close)
    batch = messages(10)

    with pytest.raises(TransportError) as error:
        transport.send(batch)

    assert not error.value.permanent
    assert signal_server.messages == []
    signal_server.up()
    assert all(result.sent for result in transport.send(batch))
    assert received_once_each(signal_server, 10)


def test_a_server_not_listening_is_a_temporary_failure(settings):
    settings.TOCSIN_SIGNAL_URL = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(TransportError) as error:
        SignalTransport().send(messages(1))

    assert not error.value.permanent


def test_it_fails_a_malformed_number_for_good_while_the_rest_go(transport, signal_server):
    batch = messages(3)
    batch[1].address = "612-555-0001"

    results = transport.send(batch)

    assert [result.sent for result in results] == [True, False, True]
    assert results[1].permanent
    assert results[1].reason == "invalid phone number"
    assert sorted(m["to"] for m in signal_server.messages) == [number(0), number(2)]


def test_it_fails_a_number_not_on_signal_for_good_and_never_resends_the_others(
    transport, signal_server
):
    signal_server.unregistered.add(number(7))

    results = transport.send(messages(20))

    failed = [result for result in results if not result.sent]
    assert [result.delivery_id for result in failed] == [7]
    assert failed[0].permanent
    assert failed[0].reason == "not on Signal (unregistered)"
    assert "555" not in failed[0].reason
    assert signal_server.requests == 1
    assert Counter(m["to"] for m in signal_server.messages) == {
        number(i): 1 for i in range(20) if i != 7
    }


def test_it_never_logs_an_address_or_the_text(transport, signal_server, caplog):
    signal_server.unregistered.add(number(1))
    caplog.set_level(logging.DEBUG)

    transport.send(messages(3))

    assert "555" not in caplog.text
    assert "ICE" not in caplog.text


def test_it_opens_a_new_connection_when_the_server_closed_the_idle_one(
    transport, signal_server, monkeypatch
):
    monkeypatch.setattr(GatewayHandler, "timeout", 0.1)
    transport.send(messages(1))
    time.sleep(0.4)  # the server hangs up the idle connection

    results = transport.send(messages(2, start=1))

    assert all(result.sent for result in results)
    assert signal_server.connections == 3  # /v1/about, then one before and one after
    assert received_once_each(signal_server, 3)


# What the real API answers by mode and version (tocsin/delivery/local_servers/signal.py
# follows signal-cli-rest-api's src/client/client.go and signal-cli's send results).

FAILURES = {
    3: local_signal.UNREGISTERED,
    4: local_signal.NETWORK,
    5: local_signal.RATE_LIMIT,
    6: local_signal.IDENTITY,
}


@pytest.fixture
def gateway_in(signal_server):
    """Put the stand-in in a mode and version, and have Tocsin read them afresh."""

    def put(mode: str, version: str) -> LocalSignalServer:
        signal_server.mode, signal_server.version = mode, version
        forget()
        for index, result in FAILURES.items():
            signal_server.fail(number(index), result)
        return signal_server

    yield put
    forget()


@pytest.mark.parametrize(
    ("mode", "version"),
    [("json-rpc", "0.101"), ("normal", "0.101"), ("normal", "0.100"), ("native", "0.100")],
)
def test_a_failed_recipient_is_failed_in_every_answer_and_only_unregistered_for_good(
    gateway_in, mode, version
):
    server = gateway_in(mode, version)

    results = SignalTransport().send(messages(10))

    by_id = {result.delivery_id: result for result in results}
    assert [i for i in range(10) if by_id[i].sent] == [0, 1, 2, 7, 8, 9]
    assert by_id[3].permanent and by_id[3].reason == "not on Signal (unregistered)"
    assert [by_id[i].permanent for i in (4, 5, 6)] == [False, False, False]
    assert by_id[6].reason == "Signal: untrusted identity (safety number changed)"
    assert Counter(m["to"] for m in server.messages) == {number(i): 1 for i in (0, 1, 2, 7, 8, 9)}
    assert server.requests == 1


def test_json_rpc_up_to_0_100_gets_one_recipient_per_request_so_no_failure_hides(gateway_in):
    server = gateway_in("json-rpc", "0.100")

    results = SignalTransport().send(messages(8))

    # Recipient 5's rate limit is a 429 for its request: the batch stops there, to retry.
    assert server.requests == 6
    assert [result.sent for result in results] == [True] * 3 + [False] * 5
    assert not any(result.permanent for result in results)  # the API does not say why
    assert Counter(m["to"] for m in server.messages) == {number(i): 1 for i in (0, 1, 2)}


def test_nobody_getting_it_in_normal_mode_fails_each_with_its_own_reason(gateway_in):
    server = gateway_in("normal", "0.100")
    batch = messages(4, start=3)  # 3, 4, 5 and 6: every one fails

    results = SignalTransport().send(batch)

    assert [(r.sent, r.permanent) for r in results] == [(False, True)] + [(False, False)] * 3
    assert results[1].reason == "Signal: network failure"
    assert server.messages == []


def test_it_sends_text_mode_normal_so_a_styled_server_keeps_stars_and_tildes(
    transport, signal_server
):
    signal_server.default_text_mode = "styled"
    text = "*Urgent*: ICE at ~east~ door, code ||4471||"

    transport.send(messages(2, text=text))

    assert signal_server.text_modes == ["normal"]
    assert {m["text"] for m in signal_server.messages} == {text}


def test_an_unanswered_send_is_unknown_failed_for_fallback_and_never_resent(
    signal_server, settings
):
    settings.TOCSIN_SIGNAL_TIMEOUT_SECONDS = 1
    transport = SignalTransport()
    signal_server.hang(delivers=True)  # it sends, and its answer never comes
    started = time.monotonic()

    results = transport.send(messages(5))

    assert time.monotonic() - started < 5
    assert all(not r.sent and r.permanent for r in results)
    assert {r.reason for r in results} == {
        "no answer from the Signal gateway in time: it may have been sent"
    }
    assert signal_server.requests == 1
    transport.close()


def test_the_api_killing_signal_cli_at_its_timeout_is_unknown_too(transport, signal_server):
    signal_server.command_timeout = 0.2
    signal_server.latency(0.3)  # signal-cli sends, and is killed before it answers

    results = transport.send(messages(3))

    assert all(not r.sent and r.permanent for r in results)
    assert results[0].reason.startswith("no answer from the Signal gateway")
    assert len(signal_server.messages) == 3


def test_a_429_after_an_unknown_send_keeps_it_unknown_instead_of_resending_the_batch(
    transport, signal_server
):
    signal_server.command_timeout = 0.1
    signal_server.latency(0.2)  # the first text's request is killed at the API's timeout
    signal_server.rate_limit(1, after=1)  # the second text's request is refused with 429
    batch = messages(2) + messages(2, text="Vigil at 5", start=2)

    results = transport.send(batch)

    assert [(r.sent, r.permanent) for r in results] == [(False, True)] * 2 + [(False, False)] * 2
    assert results[0].reason.startswith("no answer from the Signal gateway")


def test_a_400_without_signal_clis_word_refuses_the_whole_request_for_good(http_gateway, settings):
    """signal-cli-rest-api always says why it refused; a server that does not is not the
    gateway (TOCSIN_SIGNAL_URL names another one), and no retry will help."""
    settings.TOCSIN_SIGNAL_URL = http_gateway.url
    http_gateway.answer = (400, b"{}")
    transport = SignalTransport()

    with pytest.raises(TransportError) as error:
        transport.send(messages(3))

    transport.close()
    assert error.value.permanent
    assert error.value.reason == "Signal: HTTP 400"
