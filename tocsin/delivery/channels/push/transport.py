"""Web Push: one encrypted POST per subscription, over one kept-alive connection per push
service (HttpGateway; pywebpush encrypts, http.client posts: requests cost more per push
than the encryption).

The payload is JSON {"title", "body", "url"} that the service worker shows as a
notification, encrypted with aes128gcm for the subscription's keys and signed with this
server's VAPID key for the endpoint's origin. A subscription answering 404 or 410 is gone
for good: its Result asks the caller to remove the contact. So is one that refuses our key
(see key_refused): it was made for another VAPID key, and no push signed by this one will
ever reach it; the browser subscribes afresh with the new key when its page next opens.

As with email, a failure of the push service itself stops the batch: before anything was
sent it is a TransportError (with the service's Retry-After when it gave one); after, the
pushes already sent are reported sent and the rest as failed for now, so that a retry
never sends twice. Nothing here logs an endpoint: it identifies a person's browser.
"""

import email.utils
import json
import os
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests.certs
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from py_vapid import VapidException
from pywebpush import WebPusher, WebPushException

from tocsin.delivery.channels import Limits, Outgoing, Result, Transport, TransportError, register
from tocsin.delivery.channels.http import HttpGateway, HttpResponse
from tocsin.delivery.vapid import vapid_keys

# Browsers' push services take at most 4096 encrypted bytes; this leaves room to spare.
MAX_PAYLOAD_BYTES = 3000
# A phone switched off for the night still gets the alert in the morning, not a day later.
TTL_SECONDS = 12 * 60 * 60
# VAPID tokens may live 24 hours (RFC 8292); sign for 12 and renew an hour before the end.
TOKEN_SECONDS = 12 * 60 * 60
TOKEN_RENEW_SECONDS = 60 * 60
HTTP_TIMEOUT_SECONDS = 10
SENT_STATUSES = {200, 201, 202}
GONE_STATUSES = {404, 410}
# Apple's web push answers 403 {"reason": "BadJwtToken"} when it refuses the token itself
# (a VAPID subject it will not take): that is ours to fix, the subscription is sound.
TOKEN_REFUSED_REASONS = {"BadJwtToken"}
ELLIPSIS = "…"


class BatchStopped(Exception):
    """The push service failed as a whole; the rest of the batch waits for a retry."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@register
class PushTransport(Transport):
    kind = "push"
    # A subscription is made by the member's own browser on their own pages: nobody types
    # it, so no code, member link or case message is ever addressed to one.
    direct = False

    def __init__(self) -> None:
        self.limits = Limits(
            recipients_per_request=settings.TOCSIN_PUSH_BATCH,
            per_second=settings.TOCSIN_PUSH_RATE,
            max_length=MAX_PAYLOAD_BYTES,
        )
        try:
            self.keys = vapid_keys()
            self.signer = self.keys.signer()
        except ImproperlyConfigured as error:
            # Every push delivery fails with the variable's name, where staff can see it.
            raise TransportError(str(error), permanent=True) from None
        self.gateways: dict[str, HttpGateway] = {}  # one connection per push service origin
        self.authorizations: dict[str, tuple[dict[str, str], float]] = {}

    def close(self) -> None:
        for gateway in self.gateways.values():
            gateway.close()
        self.gateways.clear()

    def gateway(self, parts) -> HttpGateway:
        """Return the kept-alive connection to the push service of an endpoint's origin."""
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        if origin not in self.gateways:
            parts.port  # noqa: B018 (raises ValueError for a malformed port, before connecting)
            context = ssl_context() if parts.scheme == "https" else None
            self.gateways[origin] = HttpGateway(
                origin, service="push", timeout=HTTP_TIMEOUT_SECONDS, context=context
            )
        return self.gateways[origin]

    def send(self, messages: list[Outgoing]) -> list[Result]:
        """Send each push on the shared session; return one Result per message."""
        results: list[Result] = []
        for outgoing in messages:
            try:
                results.append(self.send_one(outgoing))
            except BatchStopped as stop:
                if not any(result.sent for result in results):
                    raise TransportError(stop.reason, retry_after=stop.retry_after) from None
                waiting = messages[len(results) :]
                results.extend(
                    Result(m.delivery_id, sent=False, reason=stop.reason) for m in waiting
                )
                break
        return results

    def send_one(self, outgoing: Outgoing) -> Result:
        try:
            subscription = json.loads(outgoing.address)
            endpoint = subscription["endpoint"]
            parts = urlsplit(endpoint)
            if parts.scheme not in {"https", "http"} or not parts.hostname:
                raise ValueError("not a web push endpoint")
            pusher = WebPusher(subscription)
            gateway = self.gateway(parts)
        except (ValueError, KeyError, TypeError, AttributeError, WebPushException):
            return failed(outgoing, _("subscription not valid"))
        data = payload_for(outgoing)
        if data is None:
            return failed(outgoing, _("message too long for web push"))
        try:
            body = pusher.encode(data, "aes128gcm")["body"]
        except (WebPushException, ValueError, TypeError):
            # A malformed public key: this subscription can never work.
            return failed(outgoing, _("subscription not valid"))
        # One Topic per delivery: a copy sent twice replaces the first at the push service
        # while it is undelivered (docs/decisions/0004-delivery.md).
        headers = self.authorization(endpoint) | {
            "Urgency": "high",
            "Topic": f"delivery-{outgoing.delivery_id}",
            "Content-Encoding": "aes128gcm",
            "TTL": str(TTL_SECONDS),
        }
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            response = gateway.post(path, body, headers)
        except TransportError as error:  # refused, reset, timed out: names only the error
            raise BatchStopped(
                str(
                    _("push service unreachable (%(error)s)")
                    % {"error": error.reason.rpartition(": ")[2]}
                )
            ) from None
        status = response.status
        if status in SENT_STATUSES:
            return Result(outgoing.delivery_id, sent=True)
        if status in GONE_STATUSES:
            return Result(
                outgoing.delivery_id,
                sent=False,
                permanent=True,
                remove_contact=True,
                reason=str(_("subscription expired")),
            )
        if key_refused(response):
            return Result(
                outgoing.delivery_id,
                sent=False,
                permanent=True,
                remove_contact=True,
                reason=str(_("subscription made for another server key")),
            )
        if status == 429:
            raise BatchStopped(
                str(_("push service busy (HTTP 429)")),
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        if status >= 500:
            raise BatchStopped(
                str(_("push service failed (HTTP %(status)s)") % {"status": status}),
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        return failed(
            outgoing, _("push service refused the message (HTTP %(status)s)") % {"status": status}
        )

    def authorization(self, endpoint: str) -> dict[str, str]:
        """Return the VAPID Authorization header for the endpoint's origin, signed once a while."""
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        now = time.time()
        cached = self.authorizations.get(origin)
        if cached is None or cached[1] - now < TOKEN_RENEW_SECONDS:
            expires = int(now) + TOKEN_SECONDS
            claims = {"aud": origin, "exp": expires, "sub": self.keys.subject}
            try:
                cached = (self.signer.sign(claims), expires)
            except VapidException:
                raise TransportError(
                    "py-vapid does not accept TOCSIN_VAPID_SUBJECT or the endpoint's origin.",
                    permanent=True,
                ) from None
            self.authorizations[origin] = cached
        return dict(cached[0])


def key_refused(response: HttpResponse) -> bool:
    """Say whether the push service refused the push because the subscription was made for
    another VAPID key than the one that signed it.

    RFC 8292, 4.2: a push to a subscription restricted to another key is refused with 403,
    as FCM does; Mozilla's autopush answers 401 with the message "VAPID public key mismatch"
    (mozilla-services/autopush-rs, autoendpoint/src/error.rs and headers/vapid.rs). A 403
    whose reason says the token itself was refused (Apple's BadJwtToken) is not one: it
    would refuse every subscription alike, and they would all be lost for a setting.
    """
    if response.status == 403:
        return response.json().get("reason") not in TOKEN_REFUSED_REASONS
    return response.status == 401 and response.json().get("message") == (
        "VAPID public key mismatch"
    )


def ssl_context() -> ssl.SSLContext:
    """Trust what requests (which pywebpush posted with before) trusts: REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE when set, else its certifi bundle."""
    cafile = (
        os.environ.get("REQUESTS_CA_BUNDLE")
        or os.environ.get("CURL_CA_BUNDLE")
        or requests.certs.where()
    )
    return ssl.create_default_context(cafile=cafile)


def failed(outgoing: Outgoing, reason) -> Result:
    return Result(outgoing.delivery_id, sent=False, reason=str(reason), permanent=True)


def payload_for(outgoing: Outgoing) -> bytes | None:
    """Return the notification's JSON, its body (then title) cut to fit MAX_PAYLOAD_BYTES."""

    def encode(title: str, body: str) -> bytes:
        content = {"title": title, "body": body, "url": outgoing.link}
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()

    title, body = outgoing.subject, outgoing.text
    if len(encode(title, body)) <= MAX_PAYLOAD_BYTES:
        return encode(title, body)
    if len(encode(title, ELLIPSIS)) > MAX_PAYLOAD_BYTES:
        title = longest_fitting(title, lambda cut: fits(encode(cut, ELLIPSIS)))
        if not fits(encode(title, ELLIPSIS)):
            return None  # the link alone is too long
    return encode(title, longest_fitting(body, lambda cut: fits(encode(title, cut))))


def fits(data: bytes) -> bool:
    return len(data) <= MAX_PAYLOAD_BYTES


def longest_fitting(text: str, fits_as: Callable[[str], bool]) -> str:
    """Return the longest start of `text`, ending in an ellipsis, that `fits_as` accepts."""

    def cut(length: int) -> str:
        return text[:length].rstrip() + ELLIPSIS

    shortest, longest = 0, len(text)
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        if fits_as(cut(middle)):
            shortest = middle
        else:
            longest = middle - 1
    return cut(shortest)


def parse_retry_after(value: str | None) -> float | None:
    """Read Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
