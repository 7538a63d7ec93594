import logging
import time
from collections import Counter

import pytest

from tocsin.delivery.channels.base import Outgoing, TransportError
from tocsin.delivery.channels.signal.transport import SignalTransport
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

    assert signal_server.connections == 1


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


def test_it_halves_a_group_the_server_finds_too_large_and_still_delivers_all(
    transport, signal_server
):
    signal_server.max_recipients = 30

    results = transport.send(messages(100))

    assert all(result.sent for result in results)
    assert received_once_each(signal_server, 100)


def test_it_starts_later_groups_at_the_size_that_fitted(transport, signal_server):
    signal_server.max_recipients = 30
    transport.send(messages(100))
    signal_server.clear()

    transport.send(messages(50))

    assert signal_server.requests == 2  # 25 and 25, without another 413
    assert received_once_each(signal_server, 50)


def test_it_fails_for_good_a_message_too_large_even_for_one_recipient(transport, signal_server):
    signal_server.max_recipients = 0

    [result] = transport.send(messages(1))

    assert not result.sent
    assert result.permanent
    assert signal_server.messages == []


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
    assert "Unregistered user" in failed[0].reason
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
    assert signal_server.connections == 2
    assert received_once_each(signal_server, 3)
