"""Receiving in json-rpc mode for the local Signal server: GET /v1/receive/{number} is a
websocket.

server = LocalSignalServer().start()
server.mode = "json-rpc"             # /v1/about says so; receiving is a websocket
server.accounts.add("+1...")         # GET /v1/accounts lists it (registered there)
server.websockets.wait_for("+1...")  # once Tocsin holds the websocket of that number
server.inbound("+1...", "ok", to="+1...")  # sent at once to its open websockets, else lost
server.websockets.dropped            # messages that arrived while nobody listened

It follows bbernhard/signal-cli-rest-api, src/api/api.go (Receive, handleSignalReceive,
wsPong) and src/client/jsonrpc2.go (ReceiveData): in json-rpc mode signal-cli runs as a
daemon that receives all the time, and each message for an account goes, as one text frame,
to every websocket open on /v1/receive/{account} at that moment: the params of signal-cli's
"receive" notification, {"envelope": {...}, "account": "+1..."} (AsamK/signal-cli,
src/main/java/org/asamk/signal/json/JsonReceiveMessageHandler.java). A message that arrives
while no websocket is open is dropped (jsonrpc2.go: `select { case c <- msg: default: }`).
A plain GET, without the websocket upgrade, gets gorilla/websocket v1.5.0's 400 in text,
followed by gin's JSON of the same error (api.go writes both). The real API opens the
websocket of any number, registered or not; for one it does not hold, nothing ever comes.

The websocket protocol itself is spoken by the `websockets` library's sans-I/O layer.
"""

import json
import select
import threading
import time
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote

from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from .gateway import GatewayHandler

if TYPE_CHECKING:
    from .signal import LocalSignalServer

__all__ = ["ReceiveHandler", "Websockets"]

NOT_A_WEBSOCKET = (
    "websocket: the client is not using the websocket protocol: "
    "'upgrade' token not found in 'Connection' header"
)


class Websockets:
    """The receive websockets open on the server, by account, and what each has to send."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._open: dict[str, list[list[bytes]]] = {}
        self.opened = 0  # websockets opened so far
        self.dropped = 0  # messages that arrived while no websocket of their account was open

    def deliver(self, account: str, item: dict) -> None:
        """Send one received message to every websocket open on `account` ("": any), or
        drop it when there is none."""
        frame = json.dumps({**item, "account": account}, separators=(",", ":")).encode()
        with self._lock:
            outboxes = [box for number, boxes in self._open.items() for box in boxes]
            if account:
                outboxes = list(self._open.get(account, []))
            for outbox in outboxes:
                outbox.append(frame)
            if not outboxes:
                self.dropped += 1
            self._lock.notify_all()

    def listening(self, account: str) -> int:
        """Return how many websockets are open on `account`."""
        with self._lock:
            return len(self._open.get(account, []))

    def wait_for(self, account: str, count: int = 1, timeout: float = 10) -> None:
        """Wait until `count` websockets are open on `account`; fail after `timeout` s."""
        with self._lock:
            if not self._lock.wait_for(lambda: self.listening(account) >= count, timeout):
                raise AssertionError(f"no websocket opened on {account} within {timeout} s")

    def close_all(self) -> None:
        """Close every open websocket, as a restart of the API does."""
        with self._lock:
            for boxes in self._open.values():
                for outbox in boxes:
                    outbox.append(b"")
            self._lock.notify_all()

    def _add(self, account: str, outbox: list[bytes]) -> None:
        with self._lock:
            self._open.setdefault(account, []).append(outbox)
            self.opened += 1
            self._lock.notify_all()

    def _remove(self, account: str, outbox: list[bytes]) -> None:
        with self._lock:
            boxes = self._open.get(account, [])
            if outbox in boxes:
                boxes.remove(outbox)
            self._lock.notify_all()

    def _take(self, outbox: list[bytes], wait: float) -> list[bytes]:
        with self._lock:
            if not outbox:
                self._lock.wait(wait)
            frames = outbox[:]
            outbox.clear()
            return frames


class ReceiveHandler(GatewayHandler):
    """The local Signal server's handler: in json-rpc mode /v1/receive/{number} is a
    websocket; everything else is answered as by any local gateway."""

    @property
    def signal_server(self) -> "LocalSignalServer":
        return cast("LocalSignalServer", self.server.gateway)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if self.signal_server.mode == "json-rpc" and path.startswith("/v1/receive/"):
            self._receive(path.removeprefix("/v1/receive/"))
            return
        if path == "/v1/accounts":  # api.go GetAccounts: the numbers signal-cli holds
            self._answer_json(sorted(self.signal_server.accounts))
            return
        super().do_GET()

    def _answer_json(self, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _receive(self, account: str) -> None:
        gateway = self.signal_server
        if gateway._down:  # answered 503, as every receive while the server is down
            super().do_GET()
            return
        if "upgrade" not in self.headers.get("Connection", "").lower():
            self._not_a_websocket()
            return
        # The request was read by http.server: hand it to the protocol as it came.
        protocol = ServerProtocol()
        head = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
        protocol.receive_data(f"{self.requestline}\r\n{head}\r\n".encode("latin-1"))
        request = next(event for event in protocol.events_received() if isinstance(event, Request))
        response = protocol.accept(request)
        protocol.send_response(response)
        self.close_connection = True
        if not self._flush(protocol) or protocol.state is not State.OPEN:
            return
        outbox: list[bytes] = []
        websockets = gateway.websockets
        websockets._add(unquote(account), outbox)
        try:
            self._serve(protocol, outbox, websockets)
        finally:
            websockets._remove(unquote(account), outbox)

    def _serve(self, protocol: ServerProtocol, outbox: list[bytes], sockets: Websockets) -> None:
        """Send the account's messages as text frames and answer the client's pings and
        close, until either side closes."""
        connection = self.connection
        while protocol.state is State.OPEN:
            for frame in sockets._take(outbox, 0.05):
                if frame == b"":
                    protocol.send_close(1001)
                else:
                    protocol.send_text(frame)
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                data = connection.recv(65536)
                if data:
                    protocol.receive_data(data)
                else:
                    protocol.receive_eof()
                protocol.events_received()
            if not self._flush(protocol):
                return
        deadline = time.monotonic() + 2
        while protocol.state is not State.CLOSED and time.monotonic() < deadline:
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable:
                data = connection.recv(65536)
                protocol.receive_data(data) if data else protocol.receive_eof()
                if not self._flush(protocol):
                    return

    def _flush(self, protocol: ServerProtocol) -> bool:
        """Write what the protocol has to send; False once the connection must close."""
        for data in protocol.data_to_send():
            if data == b"":
                return False
            try:
                self.connection.sendall(data)
            except OSError:
                return False
        return True

    def _not_a_websocket(self) -> None:
        """Answer as signal-cli-rest-api does a GET that is no websocket handshake: gorilla's
        http.Error, then gin's c.JSON(400, …) appended to the same body."""
        body = b"Bad Request\n" + json.dumps({"error": NOT_A_WEBSOCKET}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Sec-Websocket-Version", "13")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
