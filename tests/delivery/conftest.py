"""Local servers that speak the channels' protocols: SMTP (aiosmtpd) and plain HTTP gateways."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tocsin.delivery.local_servers.smtp import CapturingSMTPServer


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free port, with Django's mailer pointed at it."""
    server = CapturingSMTPServer().start()
    settings.MAILERS = server.mailer_settings()
    yield server
    server.stop()


class RecordingHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(
            {
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body": self.rfile.read(length),
            }
        )
        status, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def http_gateway():
    """An HTTP server on 127.0.0.1 that records each POST and answers `server.answer`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.requests = []
    server.answer = (201, json.dumps({"timestamp": "1"}).encode())
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
