"""A webhook receiver as a union's other tool would run one: a real HTTP server on
127.0.0.1 that checks each body's signature and age with the webhook's secret, in its own
code (the snippet of decision 0032), and answers as its script says."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from huey.contrib.djhuey import HUEY

from tocsin.exchange.services.webhooks import add_webhook

FRESH_SECONDS = 300


def verified(secret: str, body: bytes, headers) -> dict:
    """Return the body's JSON if Tocsin signed it with `secret` in the last five minutes;
    raise ValueError otherwise. (What decision 0032 tells a receiver to do.)"""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers.get("X-Tocsin-Signature", "")):
        raise ValueError("signature")
    data = json.loads(body)
    if str(data["timestamp"]) != headers.get("X-Tocsin-Timestamp"):
        raise ValueError("timestamp header")
    if abs(time.time() - data["timestamp"]) > FRESH_SECONDS:
        raise ValueError("stale")
    return data


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        answer = server.script.pop(0) if server.script else server.answer
        try:
            data = verified(server.secret, body, self.headers)
        except (ValueError, KeyError) as refused:
            server.received.append({"verified": False, "why": str(refused), "body": body})
            self.send_response(401)
            self.end_headers()
            return
        server.received.append({"verified": True, "data": data, "body": body})
        if answer == "hang":
            server.release.wait(30)
            return
        self.send_response(answer)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1, a network the operator lets webhooks reach (decision 0013).
    `script` lists its next answers (a status, or "hang" for none); then `answer`."""
    settings.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.script, server.answer, server.received = [], 200, []
    server.secret = ""
    server.release = threading.Event()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/crm-token-8c1f"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook(org, admin, receiver):
    """A webhook of the organization to the receiver, following every event; the receiver
    holds its secret."""
    found, secret = add_webhook(
        admin,
        org,
        "Union CRM",
        receiver.url,
        ["incident.state_changed", "alert.sent", "event.turnout_changed"],
    )
    receiver.secret = secret
    return found


@pytest.fixture
def queue():
    """Huey's schedule, run as the worker's scheduler would once each retry is due."""
    HUEY.storage.flush_schedule()

    def run_retries(limit=20):
        ran = 0
        while ran < limit:
            due = HUEY.read_schedule(HUEY._get_timestamp().replace(year=2100))
            if not due:
                return ran
            for task in due:
                task.eta = None  # its time has come: the clock is not what this test is about
                HUEY.execute(task)
                ran += 1
        return ran

    yield run_retries
    HUEY.storage.flush_schedule()
