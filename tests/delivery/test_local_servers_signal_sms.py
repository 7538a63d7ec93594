import base64
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.sms import LocalSmsGateway

SEND_PATH = "/2010-04-01/Accounts/AC123/Messages.json"


@pytest.fixture
def signal_server(tmp_path):
    server = LocalSignalServer(jsonl_path=tmp_path / "signal.jsonl").start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(tmp_path):
    server = LocalSmsGateway(
        account="AC123", token="secret-token", jsonl_path=tmp_path / "sms.jsonl"
    ).start()
    yield server
    server.stop()


def call(url, data=None, headers=None):
    """Return (status, JSON body, headers) of a request, whatever its status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


def signal_send(server, payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return call(server.url + "/v2/send", body, {"Content-Type": "application/json"})


def sms_send(server, form, user="AC123", password="secret-token"):
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    return call(
        server.url + SEND_PATH,
        urllib.parse.urlencode(form).encode(),
        {"Authorization": f"Basic {credentials}"},
    )


SIGNAL_SEND = {"message": "hola", "number": "+15555550100", "recipients": ["+16125550142"]}
SMS_FORM = {"To": "+16125550143", "From": "+15555550101", "Body": "hola"}


def test_it_records_one_signal_message_per_recipient(signal_server, tmp_path):
    status, body, _headers = signal_send(
        signal_server, {**SIGNAL_SEND, "recipients": ["+16125550142", "+16125550143"]}
    )

    assert status == 201
    assert body["timestamp"].isdigit()
    messages = signal_server.wait_for(2)
    assert [(m["to"], m["from"], m["text"]) for m in messages] == [
        ("+16125550142", "+15555550100", "hola"),
        ("+16125550143", "+15555550100", "hola"),
    ]
    lines = (tmp_path / "signal.jsonl").read_text().splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["+16125550142", "+16125550143"]


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        {"number": "+15555550100", "recipients": ["+16125550142"]},
        {"message": "hola", "recipients": ["+16125550142"]},
        {"message": "hola", "number": "+15555550100", "recipients": []},
        {"message": "hola", "number": "+15555550100", "recipients": "+16125550142"},
        {"message": "hola", "number": "+15555550100", "recipients": ["612 555 0142"]},
        {"message": 3, "number": "+15555550100", "recipients": ["+16125550142"]},
    ],
)
def test_the_signal_server_refuses_a_malformed_send_with_400(signal_server, payload):
    status, body, _headers = signal_send(signal_server, payload)

    assert status == 400
    assert body["error"]
    assert signal_server.messages == []


def test_the_signal_server_returns_queued_inbound_messages_once(signal_server):
    receive = signal_server.url + "/v1/receive/" + urllib.parse.quote("+15555550100")
    assert call(receive)[:2] == (200, [])

    signal_server.inbound("+16125550142", "YES")

    status, [envelope], _headers = call(receive)
    assert status == 200
    assert envelope["envelope"]["sourceNumber"] == "+16125550142"
    assert envelope["envelope"]["source"] == "+16125550142"
    assert envelope["envelope"]["dataMessage"]["message"] == "YES"
    assert isinstance(envelope["envelope"]["timestamp"], int)
    assert call(receive)[1] == []


@pytest.mark.parametrize("server", ["signal_server", "sms_gateway"])
def test_a_server_down_answers_503_and_then_comes_back(request, server):
    server = request.getfixturevalue(server)
    send = signal_send if isinstance(server, LocalSignalServer) else sms_send
    payload = SIGNAL_SEND if isinstance(server, LocalSignalServer) else SMS_FORM

    server.down()
    assert send(server, payload)[0] == 503
    server.up()
    assert send(server, payload)[0] == 201
    assert len(server.messages) == 1


@pytest.mark.parametrize("server", ["signal_server", "sms_gateway"])
def test_a_rate_limited_server_answers_429_with_retry_after(request, server):
    server = request.getfixturevalue(server)
    send = signal_send if isinstance(server, LocalSignalServer) else sms_send
    payload = SIGNAL_SEND if isinstance(server, LocalSignalServer) else SMS_FORM

    server.rate_limit(2, retry_after=3)

    for _attempt in range(2):
        status, _body, headers = send(server, payload)
        assert status == 429
        assert headers["Retry-After"] == "3"
    assert send(server, payload)[0] == 201
    assert len(server.messages) == 1


def test_the_sms_gateway_records_a_message_and_answers_like_twilio(sms_gateway, tmp_path):
    status, body, _headers = sms_send(sms_gateway, SMS_FORM)

    assert status == 201
    assert re.fullmatch(r"SM[0-9a-f]{32}", body["sid"])
    assert body["status"] == "queued"
    assert body["account_sid"] == "AC123"
    [message] = sms_gateway.wait_for(1)
    assert (message["to"], message["from"], message["text"]) == (
        "+16125550143",
        "+15555550101",
        "hola",
    )
    assert json.loads((tmp_path / "sms.jsonl").read_text())["text"] == "hola"


@pytest.mark.parametrize(
    ("user", "password"), [("AC123", "wrong"), ("ACother", "secret-token"), ("", "")]
)
def test_the_sms_gateway_refuses_wrong_credentials_with_401(sms_gateway, user, password):
    status, body, _headers = sms_send(sms_gateway, SMS_FORM, user, password)

    assert status == 401
    assert body["code"] == 20003
    assert sms_gateway.messages == []


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({**SMS_FORM, "To": "612-555-0143"}, 21211),
        ({**SMS_FORM, "To": "+0"}, 21211),
        ({"From": "+15555550101", "Body": "hola"}, 21604),
        ({"To": "+16125550143", "Body": "hola"}, 21603),
        ({"To": "+16125550143", "From": "+15555550101"}, 21602),
    ],
)
def test_the_sms_gateway_refuses_a_malformed_message_with_400(sms_gateway, form, code):
    status, body, _headers = sms_send(sms_gateway, form)

    assert status == 400
    assert body["code"] == code
    assert sms_gateway.messages == []


def test_waiting_for_messages_that_never_come_times_out(sms_gateway):
    with pytest.raises(TimeoutError):
        sms_gateway.wait_for(1, timeout=0.1)


# The Signal stand-in's answers, against the shapes of signal-cli-rest-api's own source
# (src/api/api.go SendV2 and About, src/client/client.go send, src/client/jsonrpc2.go) and
# signal-cli's texts (SendMessageResultUtils.java).

TWO = {**SIGNAL_SEND, "recipients": ["+16125550142", "+16125550143"]}


def test_the_signal_server_says_its_mode_and_version_as_v1_about_does(signal_server):
    signal_server.mode, signal_server.version = "json-rpc", "0.100"

    status, body, _headers = call(signal_server.url + "/v1/about")

    assert status == 200
    assert body == {
        "versions": ["v1", "v2"],
        "build": 2,
        "mode": "json-rpc",
        "version": "0.100",
        "capabilities": {"v2/send": ["quotes", "mentions"]},
    }


def test_normal_mode_0_100_answers_a_partial_failure_with_signal_clis_text_unwrapped(
    signal_server,
):
    signal_server.unregistered.add("+16125550143")

    status, body, _headers = signal_send(signal_server, TWO)

    assert status == 400
    assert re.fullmatch(
        r'Failed to send \(some\) messages:\+16125550143: Unregistered user "\+16125550143"\d+',
        body["error"],
    )
    assert [m["to"] for m in signal_server.messages] == ["+16125550142"]


def test_json_rpc_0_100_answers_201_with_a_timestamp_alone_though_one_failed(signal_server):
    signal_server.mode = "json-rpc"
    signal_server.unregistered.add("+16125550143")

    status, body, _headers = signal_send(signal_server, TWO)

    assert status == 201
    assert list(body) == ["timestamp"] and body["timestamp"].isdigit()


@pytest.mark.parametrize("mode", ["json-rpc", "normal", "native"])
def test_after_0_100_a_201_lists_the_failed_recipients(signal_server, mode):
    signal_server.mode, signal_server.version = mode, "0.101"
    signal_server.unregistered.add("+16125550143")

    status, [entry], _headers = signal_send(signal_server, TWO)

    assert status == 201
    assert entry["timestamp"].isdigit()
    [failed] = entry["errors"]["recipients"]
    assert failed["number"] == "+16125550143" and failed["reason"] == "UNREGISTERED_FAILURE"
    assert set(failed) == {"uuid", "number", "reason"}


def test_a_captcha_challenge_in_json_rpc_is_429_with_tokens_and_no_retry_after(signal_server):
    signal_server.mode = "json-rpc"
    signal_server.challenge("tok-1")

    status, body, headers = signal_send(signal_server, TWO)

    assert status == 429
    assert headers.get("Retry-After") is None
    assert body["challenge_tokens"] == ["tok-1", "tok-1"]
    assert body["account"] == "+15555550100"
    assert body["error"].startswith(
        "Failed to send message due to rate limiting. Use the attached challenge tokens"
    )
    assert signal_server.messages == []


def test_nobody_getting_it_in_normal_mode_is_400_with_each_reason_and_the_error_line(
    signal_server,
):
    signal_server.fail("+16125550142", "NETWORK_FAILURE")
    signal_server.unregistered.add("+16125550143")

    status, body, _headers = signal_send(signal_server, TWO)

    assert status == 400
    lines = body["error"].splitlines()
    assert lines[:3] == [
        "Failed to send (some) messages:",
        '+16125550142: Network failure for "+16125550142"',
        '+16125550143: Unregistered user "+16125550143"',
    ]
    assert lines[3].isdigit() and lines[4] == "Failed to send message"


def test_the_signal_server_never_answers_413(signal_server):
    many = {**SIGNAL_SEND, "recipients": [f"+1612555{n:04d}" for n in range(300)]}

    status, _body, _headers = signal_send(signal_server, many)

    assert status == 201
    assert len(signal_server.messages) == 300


def test_styled_text_mode_turns_markers_into_styles_and_normal_keeps_them(signal_server):
    signal_server.default_text_mode = "styled"

    signal_send(signal_server, {**SIGNAL_SEND, "message": "*ICE* at ~door~"})
    signal_send(signal_server, {**SIGNAL_SEND, "message": "*ICE* at ~door~", "text_mode": "normal"})

    assert [m["text"] for m in signal_server.messages] == ["ICE at door", "*ICE* at ~door~"]


@pytest.mark.parametrize(("mode", "at_least"), [("json-rpc", 0.05 + 0.2), ("native", 0.6 + 0.2)])
def test_realistic_latency_answers_as_slowly_as_the_mode_does(signal_server, mode, at_least):
    signal_server.mode = mode
    signal_server.realistic_latency()
    many = {**SIGNAL_SEND, "recipients": [f"+1612555{n:04d}" for n in range(10)]}

    started = time.monotonic()
    status, _body, _headers = signal_send(signal_server, many)

    assert status == 201
    assert time.monotonic() - started >= at_least
