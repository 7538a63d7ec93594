import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.delivery.channels.base import Outgoing, TransportError
from tocsin.delivery.channels.sms.segments import count_segments
from tocsin.delivery.channels.sms.transport import SmsTransport, fit_sms
from tocsin.delivery.local_servers.smtp import free_port

LINK = "https://tocsin.example.org/a/Xk3v9QpL2m"
ALERT = f"ICE agents reported at the east entrance of HCMC. Stay away. {LINK}"


@pytest.fixture
def transport(sms_gateway):
    transport = SmsTransport()
    yield transport
    transport.close()


def number(index: int) -> str:
    return f"+1612555{index:04d}"


def messages(count: int, text: str = ALERT) -> list[Outgoing]:
    return [
        Outgoing(delivery_id=i, address=number(i), language="en", subject="", text=text, link=LINK)
        for i in range(count)
    ]


def test_it_sends_each_message_in_turn_on_one_kept_alive_connection(transport, sms_gateway):
    results = transport.send(messages(5))

    assert all(result.sent for result in results)
    assert sms_gateway.connections == 1
    assert [(m["to"], m["from"], m["text"]) for m in sms_gateway.messages] == [
        (number(i), "+15555550101", ALERT) for i in range(5)
    ]


def test_it_cuts_a_long_text_at_a_word_to_two_segments_and_keeps_the_link(transport, sms_gateway):
    long_text = "Agents reported at the east entrance, near the loading dock. " * 10 + LINK

    transport.send(messages(1, text=long_text))

    [message] = sms_gateway.messages
    # Plain text goes as GSM-7: two segments hold 2 x 153 characters (320 would be three).
    assert len(message["text"]) <= 2 * 153
    assert message["text"].isascii()  # "…" would send it all as UCS-2
    assert message["text"].endswith(f"... {LINK}")
    assert message["text"].startswith("Agents reported at the east entrance")
    assert message["text"].removesuffix(f"... {LINK}").split()[-1] in long_text.split()


def test_a_spanish_text_beyond_gsm7_is_cut_to_two_ucs2_segments(transport, sms_gateway):
    long_text = "Agentes de ICE en la entrada este. Información: ¿quién está allí? " * 8 + LINK

    transport.send(messages(1, text=long_text))

    [message] = sms_gateway.messages
    # "ó" and "í" are not in GSM-7: the text goes as UCS-2, 2 x 67 UTF-16 units.
    assert len(message["text"].encode("utf-16-le")) // 2 <= 2 * 67
    assert message["text"].endswith(f"… {LINK}")
    assert message["text"].startswith("Agentes de ICE en la entrada este.")


def test_it_takes_the_segments_from_settings(sms_gateway, settings):
    settings.TOCSIN_SMS_MAX_SEGMENTS = 1
    transport = SmsTransport()

    transport.send(messages(1, text="word " * 100 + LINK))

    assert transport.limits.max_length == 160
    assert len(sms_gateway.messages[0]["text"]) <= 160


def test_wrong_credentials_fail_the_batch_for_good_without_sending(
    transport, sms_gateway, settings
):
    settings.TOCSIN_SMS_TOKEN = "wrong-token"

    with pytest.raises(TransportError) as error:
        transport.send(messages(3))

    assert error.value.permanent
    assert sms_gateway.requests == 1
    assert sms_gateway.messages == []
    assert "wrong-token" not in error.value.reason


def test_it_fails_a_malformed_number_for_good_while_the_rest_go(transport, sms_gateway):
    batch = messages(3)
    batch[1].address = "(612) 555-0001"

    results = transport.send(batch)

    assert [result.sent for result in results] == [True, False, True]
    assert results[1].permanent
    assert results[1].reason == "invalid phone number"
    assert [m["to"] for m in sms_gateway.messages] == [number(0), number(2)]


@pytest.mark.parametrize("code", [21211, 21614])
def test_a_number_the_gateway_calls_invalid_fails_for_good(http_gateway, settings, code):
    settings.TOCSIN_SMS_URL = http_gateway.url
    http_gateway.answer = (400, json.dumps({"code": code, "message": "invalid"}).encode())

    [result] = SmsTransport().send(messages(1))

    assert not result.sent
    assert result.permanent
    assert result.reason == "invalid phone number"


def test_another_refusal_fails_for_good_with_its_status(http_gateway, settings):
    settings.TOCSIN_SMS_URL = http_gateway.url
    http_gateway.answer = (400, json.dumps({"code": 21602, "message": "no body"}).encode())

    [result] = SmsTransport().send(messages(1))

    assert result.permanent
    assert "400" in result.reason


def test_it_raises_the_gateways_retry_after_on_429_and_sends_nothing_twice(transport, sms_gateway):
    sms_gateway.rate_limit(1, retry_after=4)
    batch = messages(3)

    with pytest.raises(TransportError) as error:
        transport.send(batch)

    assert error.value.retry_after == 4
    assert sms_gateway.messages == []
    assert all(result.sent for result in transport.send(batch))
    assert Counter(m["to"] for m in sms_gateway.messages) == {number(i): 1 for i in range(3)}


def test_it_returns_what_went_when_429_comes_in_the_middle_of_a_batch(transport, sms_gateway):
    sms_gateway.rate_limit(1, retry_after=2, after=2)
    batch = messages(4)

    results = transport.send(batch)

    assert [result.sent for result in results] == [True, True, False, False]
    assert not any(result.permanent for result in results)
    transport.send(batch[2:])
    assert Counter(m["to"] for m in sms_gateway.messages) == {number(i): 1 for i in range(4)}


@pytest.mark.parametrize("close", [False, True])
def test_a_gateway_down_is_a_temporary_failure(transport, sms_gateway, close):
    sms_gateway.down(close=close)

    with pytest.raises(TransportError) as error:
        transport.send(messages(2))

    assert not error.value.permanent
    sms_gateway.up()
    assert all(result.sent for result in transport.send(messages(2)))
    assert len(sms_gateway.messages) == 2


def test_a_gateway_not_listening_is_a_temporary_failure(settings):
    settings.TOCSIN_SMS_URL = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(TransportError) as error:
        SmsTransport().send(messages(1))

    assert not error.value.permanent


def test_fit_sms_leaves_a_text_that_fits_alone():
    assert fit_sms(ALERT, LINK, 1) == ALERT


def test_fit_sms_moves_the_link_to_the_end_of_the_cut_text():
    text = f"Read this: {LINK} " + "and more words " * 40

    fitted = fit_sms(text, LINK, 1)

    assert fitted.startswith("Read this: and more words")
    assert fitted.endswith(f"... {LINK}")
    assert fitted.count(LINK) == 1
    assert len(fitted) <= 160


def test_fit_sms_cuts_a_text_without_link_at_a_word():
    fitted = fit_sms("one two three four five six " * 10, "", 1)

    assert fitted == "one two three four five six " * 5 + "one two three..."
    assert len(fitted) <= 160


def test_fit_sms_counts_extension_characters_twice():
    fitted = fit_sms("[a] " * 100, "", 1)

    # "[" and "]" each take an escape septet too: "[a]" is 5 septets, and 160 hold 26 of
    # them with their spaces and the dots.
    assert fitted == "[a] " * 25 + "[a]..."


@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=800),
    link=st.sampled_from(["", LINK, "https://t.example/a/1"]),
    max_segments=st.integers(min_value=1, max_value=4),
)
def test_fit_sms_never_exceeds_the_segments_and_keeps_the_link(text, link, max_segments):
    fitted = fit_sms(text + (" " + link if link else ""), link, max_segments)

    assert count_segments(fitted).count <= max_segments
    if link:
        assert fitted.endswith(link)
