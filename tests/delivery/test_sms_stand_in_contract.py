"""The SMS stand-in read by Twilio's own SDK (twilio-python's Client, pointed at it): its
answers parse as Twilio's do, its errors raise TwilioRestException with Twilio's codes,
and its status callbacks pass the SDK's RequestValidator."""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

LEE = "+16125550103"


@pytest.fixture
def twilio(sms_gateway, monkeypatch):
    """twilio-python's client, sending to the stand-in; anything else would go to a closed
    local port, never to Twilio."""
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = Client("AC123", "secret-token")
    client.api.base_url = sms_gateway.url
    return client


def send(client, to=LEE, **extra):
    return client.messages.create(to=to, from_="+15555550101", body="Vigil at 7 pm", **extra)


def test_a_send_parses_as_twilios_message(twilio, sms_gateway):
    message = send(twilio)

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.num_segments) == ("queued", LEE, "1")
    assert [m["to"] for m in sms_gateway.messages] == [LEE]


@pytest.mark.parametrize(
    ("setup", "to", "status", "code"),
    [
        (lambda gateway: gateway.opted_out.add(LEE), LEE, 400, 21610),
        (lambda gateway: gateway.invalid.add(LEE), LEE, 400, 21211),
        (lambda gateway: None, "+1612", 400, 21211),
        (lambda gateway: gateway.rate_limit(1), LEE, 429, 20429),
    ],
)
def test_its_errors_raise_twilios_exception_with_twilios_codes(
    twilio, sms_gateway, setup, to, status, code
):
    setup(sms_gateway)

    with pytest.raises(TwilioRestException) as refused:
        send(twilio, to=to)

    assert (refused.value.status, refused.value.code) == (status, code)
    assert sms_gateway.messages == []


class Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.server.posted.append((self.headers["X-Twilio-Signature"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_its_status_callbacks_pass_twilios_validator(twilio, sms_gateway):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.posted = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/inbound/sms/status/"
    sms_gateway.status_callbacks = True
    sms_gateway.outcome[LEE] = 30007
    try:
        message = send(twilio, status_callback=url)
        sms_gateway.wait_for_callbacks(2)
    finally:
        server.shutdown()
        server.server_close()

    forms = []
    for signature, body in server.posted:
        form = dict(urllib.parse.parse_qsl(body))
        assert RequestValidator("secret-token").validate(url, form, signature)
        forms.append(form)
    assert [(f["MessageSid"], f["MessageStatus"]) for f in forms] == [
        (message.sid, "sent"),
        (message.sid, "undelivered"),
    ]
    assert forms[1]["ErrorCode"] == "30007"
