"""A local signal-cli-rest-api: POST /v2/send and GET /v1/receive/{number}, for tests and the demo.

server = LocalSignalServer().start()
settings.TOCSIN_SIGNAL_URL = server.url
server.max_recipients = 50          # answer 413 to larger requests
server.unregistered.add("+1...")    # not on Signal: the others get it, the answer is 400
server.inbound("+1...", "ok")       # what the next GET /v1/receive/{number} returns
"""

import json
import time
import urllib.parse
from typing import Any

from tocsin.delivery.channels.http import is_e164

from .gateway import Answer, LocalGateway

__all__ = ["LocalSignalServer"]


class LocalSignalServer(LocalGateway):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.max_recipients: int | None = None
        self.unregistered: set[str] = set()
        self._inbox: dict[str, list[dict]] = {}

    def settings(self) -> dict[str, str]:
        """Return the Django settings that send through this server."""
        return {"TOCSIN_SIGNAL_URL": self.url}

    def inbound(self, number: str, text: str, to: str = "") -> None:
        """Queue a message from `number`, returned by the next GET /v1/receive/{to}
        (by the next one for any account when `to` is not given)."""
        timestamp = int(time.time() * 1000)
        envelope = {
            "envelope": {
                "source": number,
                "sourceNumber": number,
                "timestamp": timestamp,
                "dataMessage": {"message": text, "timestamp": timestamp},
            }
        }
        with self.received:
            self._inbox.setdefault(to, []).append(envelope)

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        if method == "POST" and path == "/v2/send":
            return self._send(body)
        if method == "GET" and path.startswith("/v1/receive/"):
            number = urllib.parse.unquote(path.removeprefix("/v1/receive/").split("?")[0])
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
