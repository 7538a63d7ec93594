"""The benchmarks' reader of the console's event stream, against a real local HTTP server
that writes what the console's stream writes (tocsin/response/views/console.py)."""

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tocsin.bench import sse

# A stream as the console writes it: a keep-alive comment (no event), two `changed` events,
# one with CRLF line ends, an event with no data; then the server ends the stream.
STREAM = (
    b": keep-alive\n\n"
    b'event: changed\ndata: {"mark": 7}\n\n'
    b'event: changed\r\ndata: {"mark": 9}\r\n\r\n'
    b"event: ping\n\n"
)


class Server(ThreadingHTTPServer):
    """Keep each request's path, cookie and Accept header."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, str, str]] = []


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers["Cookie"], self.headers["Accept"]))
        if self.path != "/events/":
            self.send_error(403)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for line in STREAM.splitlines(keepends=True):
            self.wfile.write(line)
            self.wfile.flush()

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def connect(server: Server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)


def test_it_yields_each_event_with_its_data_and_ends_with_the_stream(server):
    response = sse.open_stream(connect(server), "/events/", "sessionid=abc")

    assert list(sse.events(response)) == [
        ("changed", '{"mark": 7}'),
        ("changed", '{"mark": 9}'),
        ("ping", ""),
    ]
    assert server.seen == [("/events/", "sessionid=abc", "text/event-stream")]


def test_it_refuses_a_stream_the_server_does_not_open(server):
    with pytest.raises(ValueError, match="answered 403"):
        sse.open_stream(connect(server), "/elsewhere/", "sessionid=abc")
