"""One kept-alive HTTP connection to a channel's gateway (signal-cli-rest-api, an SMS gateway).

gateway = HttpGateway("http://127.0.0.1:8081", service="Signal")
response = gateway.post("/v2/send", body, {"Content-Type": "application/json"})
gateway.close()

A connection that cannot be made, or breaks, raises TransportError(permanent=False); a
request written whose answer does not come within the timeout raises NoAnswer (the gateway
may have carried it out); any HTTP answer, whatever its status, is returned for the caller
to judge. Errors name the
service and the kind of failure, never an address or a message.
"""

import base64
import http.client
import json
import re
import select
import socket
import ssl
import urllib.parse
from dataclasses import dataclass, field

from .base import TransportError

HTTP_TIMEOUT_SECONDS = 10
DEFAULT_RETRY_AFTER_SECONDS = 5.0
# A phone number as both gateways take it: "+", a country code, at most 15 digits in all.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class NoAnswer(TransportError):
    """The request was written but no answer came in time: it may have been carried out."""


def is_e164(number: object) -> bool:
    return isinstance(number, str) and E164.fullmatch(number) is not None


@dataclass
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case

    def json(self) -> dict:
        """Return the body as a JSON object, or an empty dict when it is not one."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def retry_after(self, default: float = DEFAULT_RETRY_AFTER_SECONDS) -> float:
        """Return the Retry-After header in seconds (the HTTP-date form counts as absent)."""
        try:
            return max(0.0, float(self.headers.get("retry-after", "")))
        except ValueError:
            return default


def basic_auth(user: str, password: str) -> str:
    """Return an Authorization header value for HTTP basic authentication."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class HttpGateway:
    """POST to one gateway over one connection, kept open across requests until close()."""

    def __init__(
        self,
        base_url: str,
        service: str,
        timeout: float = HTTP_TIMEOUT_SECONDS,
        context: ssl.SSLContext | None = None,
    ):
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TransportError(
                f"{service}: the gateway URL must be http or https", permanent=True
            )
        self.service = service
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.context = context  # for https; None: Python's default verifying context
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> HttpResponse:
        """POST `body` to the gateway's `path` and return its answer, whatever the status.

        A kept-alive connection the server has since closed is opened again once, but only
        when the request could not even be written, so that no request is sent twice.
        """
        reused = self.connection is not None
        written = False
        try:
            connection = self._connection()
            try:
                connection.request("POST", self.prefix + path, body=body, headers=headers)
            except (BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest):
                if not reused:
                    raise
                self.close()
                connection = self._connection()
                connection.request("POST", self.prefix + path, body=body, headers=headers)
            written = True
            response = connection.getresponse()
            answer = HttpResponse(
                status=response.status,
                body=response.read(),
                headers={name.lower(): value for name, value in response.getheaders()},
            )
        except (OSError, http.client.HTTPException) as error:
            self.close()
            if written and isinstance(error, TimeoutError):
                raise NoAnswer(f"{self.service}: no answer within {self.timeout:g} s") from None
            raise TransportError(f"{self.service}: {type(error).__name__}") from None
        if response.will_close:
            self.close()
        return answer

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is not None and dropped(self.connection):
            self.close()
        if self.connection is None:
            if self.scheme == "https":
                self.connection = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=self.context
                )
            else:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            self.connection.connect()
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.connection


def dropped(connection: http.client.HTTPConnection) -> bool:
    """Say whether the server has closed a kept-alive connection while it sat idle.

    An idle connection has nothing to read; if it reads as ready, the server hung up.
    """
    if connection.sock is None:
        return True
    try:
        readable, _, _ = select.select([connection.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
