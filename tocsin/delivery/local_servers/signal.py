"""A local signal-cli-rest-api: POST /v2/send, GET /v1/about and GET /v1/receive/{number},
for tests and the demo.

server = LocalSignalServer(mode="json-rpc", version="0.100").start()
settings.TOCSIN_SIGNAL_URL = server.url
server.unregistered.add("+1...")    # not on Signal; receiving for it answers 400 too
server.fail("+1...", NETWORK)       # signal-cli's result for that recipient: NETWORK,
                                    # RATE_LIMIT, IDENTITY (untrusted) or UNREGISTERED
server.challenge("token")           # Signal asks for a captcha: every recipient is
                                    # rate limited with this challenge token
server.default_text_mode = "styled" # DEFAULT_SIGNAL_TEXT_MODE: *, ~, || become styles
server.realistic_latency()          # answer as slowly as the mode does
server.command_timeout = 1          # normal mode: a send slower than this is killed (400)
server.inbound("+1...", "ok")       # what the next GET /v1/receive/{number} returns
server.receipt("+1...")             # a delivery receipt, which carries no message
server.down()                       # sends and receives answer 503 until server.up()
server.mode = "json-rpc"            # receiving is a websocket: see signal_ws.py
server.accounts.add("+1...")        # a number the gateway holds: GET /v1/accounts lists it
"""

import json
import re
import time
import urllib.parse
import uuid
from typing import Any

from tocsin.delivery.channels.http import is_e164

from .gateway import Answer, LocalGateway
from .signal_ws import ReceiveHandler, Websockets

__all__ = ["LocalSignalServer"]

# signal-cli's result types for one recipient (AsamK/signal-cli,
# src/main/java/org/asamk/signal/json/JsonSendMessageResult.java).
SUCCESS = "SUCCESS"
NETWORK = "NETWORK_FAILURE"
UNREGISTERED = "UNREGISTERED_FAILURE"
IDENTITY = "IDENTITY_FAILURE"
RATE_LIMIT = "RATE_LIMIT_FAILURE"
# The last release whose json-rpc mode drops signal-cli's per-recipient results, and answers
# 201 with a timestamp alone (bbernhard/signal-cli-rest-api, src/client/client.go at 0.100);
# master answers 201 with the failed recipients (commit 6a225e6, "fixed bug in send endpoint").
LAST_RELEASE = "0.100"
# Seconds a send takes, per mode: normal and native start signal-cli for each request (a JVM
# in normal mode; src/client/cli.go, Execute), json-rpc hands it to a running daemon.
LATENCY = {"normal": (2.5, 0.02), "native": (0.6, 0.02), "json-rpc": (0.05, 0.02)}
STYLE_MARKERS = re.compile(r"\*|~|`|\|\|")


class LocalSignalServer(LocalGateway):
    def __init__(self, *args: Any, mode: str = "normal", version: str = LAST_RELEASE, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode  # signal-cli-rest-api's MODE: normal, native or json-rpc
        self.version = version  # its BUILD_VERSION, as /v1/about reports it
        self.default_text_mode = "normal"  # its DEFAULT_SIGNAL_TEXT_MODE
        self.unregistered: set[str] = set()
        self.failures: dict[str, str] = {}
        self.challenge_token: str | None = None
        self.latency_per_recipient = 0.0
        # SIGNAL_CLI_CMD_TIMEOUT: in normal and native modes a send slower than this is
        # killed, perhaps after signal-cli sent it, and answered 400 (src/client/cli.go).
        self.command_timeout = 120.0
        self.text_modes: list[str | None] = []  # the text_mode of each send, as given
        self._inbox: dict[str, list[dict]] = {}
        self._last_timestamp = 0
        self.websockets = Websockets()
        self.accounts: set[str] = set()  # the numbers registered on it (GET /v1/accounts)
        self.httpd.RequestHandlerClass = ReceiveHandler

    def stop(self) -> None:
        self.websockets.close_all()
        super().stop()

    def fail(self, number: str, result: str) -> None:
        """Make every send to `number` fail with signal-cli's `result` (NETWORK, …)."""
        self.failures[number] = result

    def challenge(self, token: str | None) -> None:
        """Have Signal ask for a captcha (a proof-required rate limit) on every send until
        challenge(None): each recipient fails RATE_LIMIT with this challenge token."""
        self.challenge_token = token

    def realistic_latency(self) -> None:
        """Answer each send as late as the mode does: a start-up, and a little per recipient."""
        start, per_recipient = LATENCY[self.mode]
        self.latency(start)
        self.latency_per_recipient = per_recipient

    def about(self) -> dict[str, Any]:
        """Return what GET /v1/about answers (src/client/client.go, About)."""
        return {
            "versions": ["v1", "v2"],
            "build": 2,
            "mode": self.mode,
            "version": self.version,
            "capabilities": {"v2/send": ["quotes", "mentions"]},
        }

    def lists_failures(self) -> bool:
        """Whether this version answers a json-rpc send with its failed recipients."""
        return version_after(self.version, LAST_RELEASE)

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
            return 200, self.about(), {}
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
        """Answer POST /v2/send as signal-cli-rest-api does in this mode and version
        (src/api/api.go SendV2, src/client/client.go send) from signal-cli's results
        (src/main/java/org/asamk/signal/util/SendMessageResultUtils.java)."""
        try:
            request = json.loads(body)
        except ValueError:
            return 400, {"error": "Couldn't process request - invalid request"}, {}
        error = problem(request)
        if error:
            return 400, {"error": error}, {}
        recipients: list[str] = request["recipients"]
        text_mode = request.get("text_mode")
        with self.received:
            self.text_modes.append(text_mode)
        message = request["message"]
        if (text_mode or self.default_text_mode) == "styled":
            message = STYLE_MARKERS.sub("", message)
        results = [self._result(number) for number in recipients]
        for result in results:
            if result["type"] == SUCCESS:
                self.record(result["recipientAddress"]["number"], request["number"], message)
        if self.latency_per_recipient:
            time.sleep(self.latency_per_recipient * len(recipients))
        timestamp = int(time.time() * 1000)
        if self.mode != "json-rpc" and self.delay >= self.command_timeout:
            return 400, {"error": "process killed as timeout reached"}, {}
        if self.mode == "json-rpc":
            return self._json_rpc_answer(request["number"], timestamp, results)
        return self._command_answer(timestamp, results)

    def _result(self, number: str) -> dict[str, Any]:
        """Return signal-cli's result for one recipient (JsonSendMessageResult)."""
        address = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, number)), "number": number}
        kind = self.failures.get(number) or (UNREGISTERED if number in self.unregistered else "")
        if not kind and self.challenge_token:
            return {"recipientAddress": address, "type": RATE_LIMIT, "token": self.challenge_token}
        return {"recipientAddress": address, "type": kind or SUCCESS}

    def _json_rpc_answer(self, account: str, timestamp: int, results: list[dict]) -> Answer:
        """The daemon's answer: an error when nobody got it (SignalJsonRpcCommandHandler);
        otherwise 201, with the failed recipients only after 0.100."""
        failed = [result for result in results if result["type"] != SUCCESS]
        if len(failed) == len(results):
            kinds = {result["type"] for result in failed}
            if kinds == {RATE_LIMIT}:
                # src/client/jsonrpc2.go (code -5): the tokens, and no Retry-After header.
                tokens = [result.get("token", "") for result in failed]
                return (
                    429,
                    {
                        "error": RATE_LIMITED + CHALLENGE_HINT,
                        "challenge_tokens": tokens,
                        "account": account,
                    },
                    {},
                )
            if kinds == {IDENTITY}:
                untrusted = UNTRUSTED_KEYS if self.lists_failures() else UNTRUSTED
                return 400, {"error": untrusted}, {}
            return 400, {"error": NOT_SENT}, {}
        if not self.lists_failures():
            return 201, {"timestamp": str(timestamp)}, {}
        return 201, [sent_with_errors(timestamp, failed)], {}

    def _command_answer(self, timestamp: int, results: list[dict]) -> Answer:
        """The answer of a signal-cli run per request (normal and native modes): its output
        in a 400 when anyone failed, or after 0.100 its JSON output read as in json-rpc."""
        failed = [result for result in results if result["type"] != SUCCESS]
        nobody = len(failed) == len(results)
        if self.lists_failures():
            if not nobody:
                return 201, [sent_with_errors(timestamp, failed)], {}
            output = json.dumps({"timestamp": timestamp, "results": results}) + "\n"
            return 400, {"error": output + exception_message(failed) + "\n"}, {}
        if not failed:
            return 201, {"timestamp": str(timestamp)}, {}
        lines = ["Failed to send (some) messages:"]
        lines += [f"{r['recipientAddress']['number']}: {error_message(r)}" for r in failed]
        output = "\n".join([*lines, str(timestamp)])
        if nobody:  # signal-cli exits with an error: stdout and stderr, as they are
            return 400, {"error": output + "\n" + exception_message(failed) + "\n"}, {}
        # Exit 0, but the output is no timestamp: client.go returns it without its newlines.
        return 400, {"error": output.replace("\n", "")}, {}


NOT_SENT = "Failed to send message"
RATE_LIMITED = "Failed to send message due to rate limiting"
UNTRUSTED = "Failed to send message due to untrusted identities"
UNTRUSTED_KEYS = "Unable to complete request due to untrusted recipient keys"
CHALLENGE_HINT = (
    ". Use the attached challenge tokens to lift the rate limit restrictions via the "
    "'/v1/accounts/{number}/rate-limit-challenge' endpoint."
)


def exception_message(failed: list[dict]) -> str:
    """What signal-cli prints on stderr when nobody got the message."""
    kinds = {result["type"] for result in failed}
    if kinds == {IDENTITY}:
        return UNTRUSTED
    if kinds == {RATE_LIMIT}:
        return RATE_LIMITED
    return NOT_SENT


def error_message(result: dict) -> str:
    """signal-cli's text for one failed recipient (getErrorMessageFromSendMessageResult)."""
    number = result["recipientAddress"]["number"]
    kind = result["type"]
    if kind == RATE_LIMIT and result.get("token"):
        return (
            f'CAPTCHA proof required for sending to "{number}", available options "CAPTCHA" '
            f'with challenge token "{result["token"]}", or wait "86400" seconds.\n'
            "To get the captcha token, go to https://signalcaptchas.org/challenge/generate.html"
        )
    return {
        NETWORK: f'Network failure for "{number}"',
        RATE_LIMIT: f'Rate limit failure for "{number}"',
        UNREGISTERED: f'Unregistered user "{number}"',
        IDENTITY: f'Untrusted Identity for "{number}"',
    }[kind]


def sent_with_errors(timestamp: int, failed: list[dict]) -> dict[str, Any]:
    """One entry of master's 201 answer (src/datastructs/datastructs.go SendMessageResponse)."""
    entry: dict[str, Any] = {"timestamp": str(timestamp)}
    if failed:
        entry["errors"] = {
            "recipients": [
                {**result["recipientAddress"], "reason": result["type"]} for result in failed
            ]
        }
    return entry


def version_after(version: str, release: str) -> bool:
    """Whether `version` ("0.101", "0.101-dev") is a later release than `release` ("0.100");
    a version that is not one ("unset", a self-built image) counts as later: master."""
    found = re.match(r"(\d+)\.(\d+)", version or "")
    if found is None:
        return True
    major, minor = release.split(".")
    return (int(found[1]), int(found[2])) > (int(major), int(minor))


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
