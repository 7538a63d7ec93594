"""The common part of the local HTTP gateways (Signal, SMS): a threaded server on 127.0.0.1
that keeps what it receives, with faults a test can switch on.

server = LocalSignalServer(jsonl_path=VAR_DIR / "outbox" / "signal.jsonl").start()
server.down()            # answer 503 (down(status=500): 500; down(close=True): hang up)
server.up()
server.rate_limit(2, retry_after=3)  # the next 2 sends answer 429, Retry-After: 3
server.hang()            # take each send in and answer nothing until server.release()
server.latency(2.5)      # answer each send 2.5 s late, until server.latency(0)
server.wait_for(10)      # the messages received so far, once there are at least 10
server.request_times     # when each send arrived (time.monotonic()), faults included
server.stop()
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.utils import timezone

from .inbox import Inbox

# What a gateway answers: status, JSON body, extra headers.
Answer = tuple[int, Any, dict[str, str]]
# The longest a hung request is held when nobody releases it, so that no test waits for ever.
HANG_LIMIT_SECONDS = 120.0


class GatewayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real gateways do
    # Headers and body go in two writes; without this each answer waits ~40 ms for Nagle.
    disable_nagle_algorithm = True
    timeout = 30  # an idle kept-alive connection is closed after this many seconds
    server: "_Server"

    def setup(self) -> None:
        super().setup()
        with self.server.gateway.received:
            self.server.gateway.connections += 1

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        gateway = self.server.gateway
        answer = gateway.fault() if method == "POST" else None
        if answer == "hang":
            gateway.hold(method, self.path, self.headers, body)
            self.close_connection = True
            return
        if isinstance(answer, str):  # "close": hang up without answering
            self.close_connection = True
            return
        if answer is None:
            answer = gateway.handle(method, self.path, self.headers, body)
        if method == "POST" and gateway.delay:
            time.sleep(gateway.delay)
        status, payload, headers = answer
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: request lines carry phone numbers."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    gateway: "LocalGateway"


class LocalGateway(Inbox):
    """A gateway on 127.0.0.1 (a free port unless given) that records each message sent."""

    def __init__(
        self, host: str = "127.0.0.1", port: int | None = None, jsonl_path: Path | None = None
    ):
        self.httpd = _Server((host, port or 0), GatewayHandler)
        self.httpd.gateway = self
        self.host, self.port = host, self.httpd.server_address[1]
        Inbox.__init__(self, jsonl_path)
        self.requests = 0  # sends (POSTs) received, faults included
        self.request_times: list[float] = []  # time.monotonic() of each, faults included
        self.connections = 0  # connections accepted: a client keeping one alive makes one
        self.hung = 0  # sends taken in while hanging, never answered
        self.delay = 0.0  # seconds each answer to a send is held back (latency())
        self._down: str | None = None
        self._down_status = 503
        self._hang_delivers = True
        self._released = threading.Event()
        self._released.set()
        self._rate_limited = 0
        self._rate_limit_after = 0
        self._retry_after = 1.0
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "LocalGateway":
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()

    # Faults.

    def down(self, close: bool = False, status: int = 503) -> None:
        """Refuse every send: answer `status` (503, or 500 as a gateway's own bug does), or
        with `close`, drop the connection unanswered."""
        self._down_status = status
        self._down = "close" if close else "status"

    def up(self) -> None:
        """End down() and hang(): answer every send normally again."""
        self._down = None
        self.release()

    def hang(self, delivers: bool = True) -> None:
        """Take each send in and answer nothing until release() (or HANG_LIMIT_SECONDS).

        This is a gateway that accepted the connection and the request and then went
        silent: an upstream stuck behind a load balancer that holds the connection open, a
        provider's API in an incident, a half-open TCP connection after a network change.
        The client sees nothing but its own timeout, and cannot know whether the message
        left. With `delivers` (the default: the worst case for duplicates) each hung send
        is recorded as received, as by a gateway that sent the message but whose answer
        was lost; `hung` counts them.
        """
        with self.received:
            self._hang_delivers = delivers
            self._released.clear()
            self._down = "hang"

    def release(self) -> None:
        """Let go of the hung requests: each connection closes without an answer."""
        self._released.set()

    def hold(self, method: str, path: str, headers: Any, body: bytes) -> None:
        """Hold one hung send until released; record it first if hanging delivers."""
        with self.received:
            self.hung += 1
            delivers = self._hang_delivers
        if delivers:
            self.handle(method, path, headers, body)
        self._released.wait(HANG_LIMIT_SECONDS)

    def latency(self, seconds: float) -> None:
        """Answer each send `seconds` late (0: at once again).

        A slow gateway, as opposed to one that is down: a provider under load, or
        signal-cli-rest-api, which answers /v2/send only once signal-cli has sent the
        message (in its `normal` mode it starts signal-cli for each request, seconds each).
        """
        self.delay = max(0.0, seconds)

    def rate_limit(self, times: int, retry_after: float = 1, after: int = 0) -> None:
        """Answer `times` sends with 429 and a Retry-After of `retry_after` seconds, starting
        once `after` more sends have been answered normally."""
        with self.received:
            self._rate_limited = times
            self._rate_limit_after = after
            self._retry_after = retry_after

    def fault(self) -> Answer | str | None:
        with self.received:
            self.requests += 1
            self.request_times.append(time.monotonic())
            if self._down in ("close", "hang"):
                return self._down
            if self._down == "status":
                return self._down_status, {"error": "service unavailable"}, {}
            if self._rate_limited > 0 and self._rate_limit_after > 0:
                self._rate_limit_after -= 1
            elif self._rate_limited > 0:
                self._rate_limited -= 1
                retry_after = f"{self._retry_after:g}"
                return 429, {"error": "rate limit exceeded"}, {"Retry-After": retry_after}
        return None

    # What was received.

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        raise NotImplementedError

    def record(self, to: str, sender: str, text: str) -> None:
        self.keep({"at": timezone.now().isoformat(), "to": to, "from": sender, "text": text})

    def clear(self) -> None:
        with self.received:
            super().clear()
            self.requests = 0
            self.request_times.clear()
            self.connections = 0
            self.hung = 0
