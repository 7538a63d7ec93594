"""A local signal-cli-rest-api: POST /v2/send and GET /v1/receive/{number}, for tests and the demo.

server = LocalSignalServer().start()
settings.TOCSIN_SIGNAL_URL = server.url
server.max_recipients = 50          # answer 413 to larger requests
server.unregistered.add("+1...")    # not on Signal: the others get it, the answer is 400;
                                    # receiving for it answers 400 too
server.inbound("+1...", "ok")       # what the next GET /v1/receive/{number} returns
server.receipt("+1...")             # a delivery receipt, which carries no message
server.down()                       # sends and receives answer 503 until server.up()
server.mode = "json-rpc"            # receiving is a websocket: see signal_ws.py
server.accounts.add("+1...")        # a number the gateway holds: GET /v1/accounts lists it
"""

import json
import time
import urllib.parse
from typing import Any

from tocsin.delivery.channels.http import is_e164

from .gateway import Answer, LocalGateway
from .signal_ws import ReceiveHandler, Websockets, about

__all__ = ["LocalSignalServer"]


class LocalSignalServer(LocalGateway):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.max_recipients: int | None = None
        self.unregistered: set[str] = set()
        self._inbox: dict[str, list[dict]] = {}
        self._last_timestamp = 0
        self.mode = "normal"  # signal-cli-rest-api's MODE: normal, native or json-rpc
        self.websockets = Websockets()
        self.accounts: set[str] = set()  # the numbers registered on it (GET /v1/accounts)
        self.httpd.RequestHandlerClass = ReceiveHandler

    def stop(self) -> None:
        self.websockets.close_all()
        super().stop()

    def settings(self) -> dict[str, str]:
        """Return the Django settings that send through this server."""
        return {"TOCSIN_SIGNAL_URL": self.url}

    def inbound(self, number: str, text: str, to: str = "", timestamp: int | None = None) -> int:
        """Queue a message from `number`, returned by the next GET /v1/receive/{to}
        (by the next one for any account when `to` is not given); return its timestamp.
        Give the `timestamp` of an earlier message to deliver that message again."""
        timestamp = timestamp or self._next_timestamp()
        self._queue(to, number, timestamp, {"message": text, "timestamp": timestamp})
        return timestamp

    def receipt(self, number: str, to: str = "") -> None:
        """Queue a delivery receipt from `number`: an envelope with no dataMessage."""
        timestamp = self._next_timestamp()
        receipt = {"when": timestamp, "isDelivery": True, "timestamps": [timestamp - 1]}
        self._queue(to, number, timestamp, None, receipt)

    def _next_timestamp(self) -> int:
        """Return the time in milliseconds, later than any given before: Signal tells one
        sender's messages apart by their timestamps."""
        with self.received:
            self._last_timestamp = max(int(time.time() * 1000), self._last_timestamp + 1)
            return self._last_timestamp

    def _queue(
        self, to: str, number: str, timestamp: int, data: dict | None, receipt: dict | None = None
    ) -> None:
        envelope: dict[str, Any] = {
            "source": number,
            "sourceNumber": number,
            "timestamp": timestamp,
        }
        if data is not None:
            envelope["dataMessage"] = data
        if receipt is not None:
            envelope["receiptMessage"] = receipt
        if self.mode == "json-rpc":
            self.websockets.deliver(to, {"envelope": envelope})
            return
        with self.received:
            self._inbox.setdefault(to, []).append({"envelope": envelope})

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        if method == "POST" and path == "/v2/send":
            return self._send(body)
        if method == "GET" and path == "/v1/about":
            return 200, about(self.mode), {}
        if method == "GET" and path.startswith("/v1/receive/"):
            if self._down:
                return 503, {"error": "service unavailable"}, {}
            number = urllib.parse.unquote(path.removeprefix("/v1/receive/").split("?")[0])
            if number in self.unregistered:
                return 400, {"error": f"User {number} is not registered."}, {}
            with self.received:
                queued = self._inbox.pop(number, []) + self._inbox.pop("", [])
            return 200, queued, {}
        return 404, {"error": "not found"}, {}

    def _send(self, body: bytes) -> Answer:
        try:
            request = json.loads(body)
        except ValueError:
            return 400, {"error": "Couldn't process request - invalid request"}, {}
        error = problem(request)
        if error:
            return 400, {"error": error}, {}
        recipients: list[str] = request["recipients"]
        if self.max_recipients is not None and len(recipients) > self.max_recipients:
            return 413, {"error": "Too many recipients"}, {}
        failed = [number for number in recipients if number in self.unregistered]
        for number in recipients:
            if number not in failed:
                self.record(number, request["number"], request["message"])
        timestamp = str(int(time.time() * 1000))
        if failed:
            lines = "\n".join(f'{number}: Unregistered user "{number}"' for number in failed)
            return 400, {"error": f"Failed to send (some) messages:\n{lines}\n{timestamp}"}, {}
        return 201, {"timestamp": timestamp}, {}


def problem(request: object) -> str:
    """Return what is wrong with a /v2/send request, or "" when it is well formed."""
    if not isinstance(request, dict):
        return "Couldn't process request - invalid request"
    if not isinstance(request.get("message"), str):
        return "Couldn't process request - message missing"
    if not isinstance(request.get("number"), str) or not is_e164(request["number"]):
        return "Couldn't process request - please provide a valid number"
    recipients = request.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        return "Couldn't process request - please provide at least one recipient"
    if not all(is_e164(number) for number in recipients):
        return "Invalid recipient: not a phone number in E.164 form"
    return ""
