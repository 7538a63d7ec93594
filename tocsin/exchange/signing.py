"""How Tocsin signs what it posts to a webhook, and how a receiver checks it.

The body is JSON whose `timestamp` (Unix seconds) is also sent as `X-Tocsin-Timestamp`;
`X-Tocsin-Signature` is `sha256=` and the hex HMAC-SHA256 of the exact body bytes under the
webhook's secret. The timestamp is inside what is signed, so a receiver that refuses bodies
older than five minutes cannot be fed an old delivery again (decision 0032 has the snippet).
"""

import hashlib
import hmac
import json
import time

SIGNATURE_HEADER = "X-Tocsin-Signature"
TIMESTAMP_HEADER = "X-Tocsin-Timestamp"
EVENT_HEADER = "X-Tocsin-Event"
DELIVERY_HEADER = "X-Tocsin-Delivery"
# How old a body a receiver should still take (what check() uses).
TOLERANCE_SECONDS = 300


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_body(secret: str, envelope: dict, now: float | None = None) -> tuple[bytes, dict]:
    """Return the body (the envelope with this attempt's timestamp) and its headers."""
    timestamp = int(now if now is not None else time.time())
    body = json.dumps({**envelope, "timestamp": timestamp}, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Tocsin-Webhooks/1",
        SIGNATURE_HEADER: signature(secret, body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: str(envelope.get("event", "")),
        DELIVERY_HEADER: str(envelope.get("id", "")),
    }
    return body, headers


def check(secret: str, body: bytes, headers, now: float | None = None) -> dict:
    """Return the body's JSON if it is signed with `secret` and fresh; raise ValueError.

    What a receiver does (decision 0032 shows the same in a dozen lines)."""
    expected = signature(secret, body)
    if not hmac.compare_digest(expected, str(headers.get(SIGNATURE_HEADER, ""))):
        raise ValueError("bad signature")
    data = json.loads(body)
    timestamp = data.get("timestamp")
    if str(timestamp) != str(headers.get(TIMESTAMP_HEADER, "")):
        raise ValueError("timestamp header differs from the signed body")
    if abs((now if now is not None else time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("too old: replayed?")
    return data
