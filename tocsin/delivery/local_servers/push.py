"""A Web Push service on 127.0.0.1 that checks VAPID and decrypts, for tests and the demo.

It plays both sides a real push needs: the push service (RFC 8030) that takes the POST, and
the browser that subscribed, so that it holds the subscription's private key and can open
the aes128gcm payload (RFC 8291) to check what arrived.

service = LocalPushService(jsonl_path=VAR_DIR / "outbox" / "push.jsonl").start()
subscription = service.subscribe(application_server_key=public_key)  # a contact address
service.wait_for(1)     # [{"endpoint_id", "payload", "at", ...}]
service.expire(subscription)  # answers 410 from then on
service.down(); service.up()  # refuse connections, then listen again on the same port
service.rate_limit(2, retry_after=3)  # the next two pushes answer 429 Retry-After: 3
service.stop()

LocalPushService(speaks="autopush") answers a key mismatch as Firefox's push service does,
LocalPushService(speaks="apple") refuses a VAPID subject at localhost as Safari's does.
"""

import base64
import contextlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from py_vapid import jwt

from .inbox import Inbox
from .smtp import free_port

# RFC 8291: a push message's encrypted body is at most 4096 bytes.
MAX_BODY_BYTES = 4096
# RFC 8292: a VAPID token must not be valid for more than 24 hours.
MAX_TOKEN_LIFETIME = 24 * 60 * 60


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    private_key: ec.EllipticCurvePrivateKey  # the browser's half of the ECDH exchange
    auth_secret: bytes
    application_server_key: str | None  # the VAPID public key it was made for, if any
    expired: bool = False


class Refusal(Exception):
    def __init__(
        self,
        status: int,
        reason: str,
        headers: dict[str, str] | None = None,
        content: dict | None = None,
    ):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}
        self.content = content or {"reason": reason}  # the JSON body of the answer


# Mozilla's autopush: every VAPID error is 401 with errno 109, and the message names the
# error; a key mismatch is "VAPID public key mismatch" (mozilla-services/autopush-rs,
# autoendpoint/src/error.rs, ApiError's Serialize, and autoendpoint/src/headers/vapid.rs).
AUTOPUSH_KEY_MISMATCH = {
    "code": 401,
    "errno": 109,
    "error": "Unauthorized",
    "message": "VAPID public key mismatch",
    "more_info": "http://autopush.readthedocs.io/en/latest/http.html#error-codes",
}


class PushRequestHandler(BaseHTTPRequestHandler):
    # Keep-alive, as real push services do, so that a sender's session reuse is exercised.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # see gateway.GatewayHandler
    server: "PushHTTPServer"

    def setup(self) -> None:
        super().setup()
        self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        self.server.open_connections.discard(self.connection)
        super().finish()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            endpoint_id = self.server.service.receive(self.path, dict(self.headers), body)
        except Refusal as refusal:
            self.answer(refusal.status, refusal.content, refusal.headers)
        else:
            self.answer(201, {}, {"Location": f"{self.server.service.url}/message/{endpoint_id}"})

    def answer(self, status: int, content: dict, headers: dict[str, str]) -> None:
        data = json.dumps(content).encode() if content else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:
        pass  # the request line holds a subscription's endpoint id


class PushHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], service: "LocalPushService"):
        super().__init__(address, PushRequestHandler)
        self.service = service
        self.open_connections: set[socket.socket] = set()

    def close_open_connections(self) -> None:
        for connection in list(self.open_connections):
            with contextlib.suppress(OSError):  # the client has closed it already
                connection.shutdown(socket.SHUT_RDWR)


class LocalPushService(Inbox):
    noun = "pushes"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        jsonl_path=None,
        state_path=None,
        speaks: str = "rfc8292",
    ):
        """`state_path` keeps the subscriptions (with their private keys) across restarts, so
        that the demo's stored subscriptions still work on the same port tomorrow. `speaks`
        says whose answers to give where push services differ: "rfc8292" (and FCM),
        "autopush" (Firefox) or "apple" (Safari)."""
        self.speaks = speaks
        self.host = host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        Inbox.__init__(self, jsonl_path)
        self.state_path = Path(state_path) if state_path else None
        self.subscriptions: dict[str, Subscription] = self.load_state()
        self.requests = 0  # every POST, answered or refused
        self._limited = 0
        self._retry_after = 0.0
        self._server: PushHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Running.

    def start(self) -> "LocalPushService":
        self._server = PushHTTPServer((self.host, self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.close_open_connections()
            self._server.server_close()
            self._server = None

    def down(self) -> None:
        """Stop listening and drop open connections: pushes now meet a refused connection."""
        self.stop()

    def up(self) -> None:
        """Listen again on the same port."""
        if self._server is None:
            self.start()

    def rate_limit(self, times: int, retry_after: float = 1) -> None:
        """Answer the next `times` pushes with 429 and this Retry-After (seconds)."""
        with self.received:
            self._limited = times
            self._retry_after = retry_after

    # Subscriptions: the browser's side.

    def subscribe(self, application_server_key: str | None = None) -> str:
        """Return a new subscription's JSON, as a browser's PushSubscription.toJSON() gives.

        With `application_server_key` (the VAPID public key the page subscribed with), pushes
        signed by any other key are refused with 403, as real push services do.
        """
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth_secret = secrets.token_bytes(16)
        endpoint_id = secrets.token_urlsafe(16)
        self.subscriptions[endpoint_id] = Subscription(
            private_key, auth_secret, application_server_key
        )
        self.save_state()
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return json.dumps(
            {
                "endpoint": f"{self.url}/push/{endpoint_id}",
                "keys": {"p256dh": b64url(public), "auth": b64url(auth_secret)},
            },
            separators=(",", ":"),
        )

    def expire(self, subscription: str) -> None:
        """Make a subscription (its JSON, endpoint or id) answer 410 Gone from now on."""
        self.subscriptions[self.endpoint_id(subscription)].expired = True
        self.save_state()

    def load_state(self) -> dict[str, Subscription]:
        if self.state_path is None or not self.state_path.exists():
            return {}
        return {
            endpoint_id: Subscription(
                private_key=ec.derive_private_key(int(saved["private"], 16), ec.SECP256R1()),
                auth_secret=b64url_decode(saved["auth"]),
                application_server_key=saved["application_server_key"],
                expired=saved["expired"],
            )
            for endpoint_id, saved in json.loads(self.state_path.read_text()).items()
        }

    def save_state(self) -> None:
        if self.state_path is None:
            return
        state = {
            endpoint_id: {
                "private": f"{subscription.private_key.private_numbers().private_value:x}",
                "auth": b64url(subscription.auth_secret),
                "application_server_key": subscription.application_server_key,
                "expired": subscription.expired,
            }
            for endpoint_id, subscription in list(self.subscriptions.items())
        }
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state))
        temporary.chmod(0o600)
        temporary.replace(self.state_path)

    def endpoint_id(self, subscription: str) -> str:
        if subscription.startswith("{"):
            subscription = json.loads(subscription)["endpoint"]
        return subscription.rstrip("/").rpartition("/")[2]

    def messages_for(self, subscription: str) -> list[dict]:
        endpoint_id = self.endpoint_id(subscription)
        return [m for m in self.messages if m["endpoint_id"] == endpoint_id]

    # The push service's side.

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> str:
        """Check and open one push; return its endpoint id, or raise Refusal."""
        headers = {name.lower(): value for name, value in headers.items()}
        with self.received:
            self.requests += 1
            if self._limited > 0:
                self._limited -= 1
                raise Refusal(429, "too many requests", {"Retry-After": f"{self._retry_after:g}"})
        prefix, _slash, endpoint_id = path.partition("/push/")
        subscription = self.subscriptions.get(endpoint_id) if prefix == "" else None
        if subscription is None:
            raise Refusal(404, "no such subscription")
        if subscription.expired:
            raise Refusal(410, "subscription expired")
        self.check_vapid(headers.get("authorization", ""), subscription)
        if headers.get("content-encoding", "").lower() != "aes128gcm":
            raise Refusal(415, "Content-Encoding must be aes128gcm")
        ttl = headers.get("ttl", "")
        if not ttl.isdigit():
            raise Refusal(400, "a TTL header (seconds) is required")
        if len(body) > MAX_BODY_BYTES:
            raise Refusal(413, "payload too large")
        try:
            plain = http_ece.decrypt(
                body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth_secret,
                version="aes128gcm",
            )
        except Exception:  # http_ece raises ECEException, ValueError or InvalidTag
            raise Refusal(
                400, "the payload does not decrypt with this subscription's keys"
            ) from None
        try:
            payload = json.loads(plain)
        except ValueError:
            payload = plain.decode(errors="replace")
        self.record(
            {
                "at": timezone.now().isoformat(),
                "endpoint_id": endpoint_id,
                "payload": payload,
                "bytes": len(plain),
                "ttl": int(ttl),
                "urgency": headers.get("urgency", "normal"),
                "topic": headers.get("topic", ""),
            }
        )
        return endpoint_id

    def check_vapid(self, authorization: str, subscription: Subscription) -> None:
        """Check `Authorization: vapid t=<JWT>, k=<public key>` as RFC 8292 asks."""
        scheme, _space, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refusal(401, "an Authorization: vapid t=…, k=… header is required")
        parts = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item.strip())
        token, key = parts.get("t", ""), parts.get("k", "")
        if not (token and key):
            raise Refusal(401, "the vapid authorization needs t and k")
        try:
            header = json.loads(b64url_decode(token.split(".", 1)[0]))
            claims = jwt.decode(token, key)
        except (InvalidSignature, ValueError):
            raise Refusal(401, "the VAPID token's signature does not verify") from None
        if header.get("alg") != "ES256":
            raise Refusal(401, "the VAPID token must be signed with ES256")
        now = time.time()
        if claims.get("aud") != self.url:
            raise Refusal(401, f"the VAPID token's aud must be {self.url}")
        expires = claims.get("exp")
        if not isinstance(expires, int) or expires <= now:
            raise Refusal(401, "the VAPID token has expired")
        if expires > now + MAX_TOKEN_LIFETIME + 60:
            raise Refusal(401, "the VAPID token must expire within 24 hours")
        if not claims.get("sub"):
            raise Refusal(401, "the VAPID token needs a sub (mailto: or https:)")
        if self.speaks == "apple" and urlsplit(claims["sub"]).path.endswith("@localhost"):
            # Apple refuses a subject it cannot reach with 403 BadJwtToken, whatever the
            # subscription (web-push-libs/web-push, issue 947).
            raise Refusal(403, "BadJwtToken")
        expected = subscription.application_server_key
        if expected is not None and b64url_decode(key) != b64url_decode(expected):
            # RFC 8292, 4.2: a push to a subscription restricted to another key is refused,
            # 403 (Forbidden) for a key that does not match, as FCM answers; Mozilla's
            # autopush says 401 "VAPID public key mismatch" (mozilla-services/autopush-rs,
            # autoendpoint/src/error.rs). Either way no push signed by this key ever reaches
            # the subscription again.
            if self.speaks == "autopush":
                raise Refusal(401, "VAPID public key mismatch", content=AUTOPUSH_KEY_MISMATCH)
            raise Refusal(403, "signed by another key than the subscription's")

    def record(self, message: dict) -> None:
        self.keep(message)
