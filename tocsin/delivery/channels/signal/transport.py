"""Signal through signal-cli-rest-api: one POST /v2/send carries one text to many recipients.

signal-cli reports a result per recipient, and the API passes it on in its own ways by mode
and version (bbernhard/signal-cli-rest-api, src/api/api.go SendV2, src/client/client.go send;
AsamK/signal-cli, src/main/java/org/asamk/signal/util/SendMessageResultUtils.java):

201 {"timestamp"}                  everyone got it (see about.py for json-rpc up to 0.100,
                                   where this may hide failures: one recipient per request)
201 [{"timestamp", "errors": …}]   after 0.100: the recipients listed failed, with signal-cli's
                                   reason (UNREGISTERED_FAILURE, NETWORK_FAILURE, …)
400 {"error": signal-cli's output} normal and native modes: each failed recipient named with
                                   its reason ('Unregistered user "+1…"', or JSON results
                                   after 0.100); those not named got it
429 {"challenge_tokens": […]}      json-rpc: Signal asks for a captcha or to slow down; no
                                   Retry-After, and a captcha does not clear by itself

Only a recipient not on Signal (unregistered) fails for good and falls back at once; a
network, rate-limit or untrusted-identity failure is retried with the chunk, and the person
falls back when their deadline passes. A request not answered within
TOCSIN_SIGNAL_TIMEOUT_SECONDS may have been sent: its recipients are marked unknown (failed,
"may have been sent") and fall back at once, but are never sent on Signal again. Messages
go with text_mode "normal", so that *, ~ and || in an alert stay as written.
"""

import json
import logging
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .. import register
from ..base import Limits, Outgoing, Result, Transport, TransportError
from ..http import HttpGateway, HttpResponse, NoAnswer, is_e164
from .about import gateway_about
from .challenges import record_challenge

log = logging.getLogger(__name__)

# Signal takes longer texts, but 2,000 characters is what clients show without "read more".
MAX_LENGTH = 2000
DETAIL_LENGTH = 200

INVALID_NUMBER = _("invalid phone number")
REFUSED = _("Signal refused the message")
NOT_ON_SIGNAL = _("not on Signal (unregistered)")
UNKNOWN = _("no answer from the Signal gateway in time: it may have been sent")
CAPTCHA = _("Signal asks for a captcha before sending more")
REASONS = {
    "UNREGISTERED_FAILURE": NOT_ON_SIGNAL,
    "NETWORK_FAILURE": _("Signal: network failure"),
    "RATE_LIMIT_FAILURE": _("Signal: rate limited"),
    "IDENTITY_FAILURE": _("Signal: untrusted identity (safety number changed)"),
    "INVALID_PRE_KEY_FAILURE": _("Signal: invalid pre-key"),
}
# signal-cli's text for a failed recipient, for each result type (SendMessageResultUtils).
FAILURE_TEXTS = re.compile(
    r"(?P<kind>Unregistered user|Network failure for|Rate limit failure for|Untrusted Identity "
    r'for|CAPTCHA proof required for sending to) "(?P<number>\+[0-9]+)"'
    r'(?:[^"]*"[^"]*" with challenge token "(?P<token>[^"]*)")?'
)
TEXT_KINDS = {
    "Unregistered user": "UNREGISTERED_FAILURE",
    "Network failure for": "NETWORK_FAILURE",
    "Rate limit failure for": "RATE_LIMIT_FAILURE",
    "Untrusted Identity for": "IDENTITY_FAILURE",
    "CAPTCHA proof required for sending to": "RATE_LIMIT_FAILURE",
}
# What the API answers when it killed signal-cli at its own timeout (src/client/cli.go).
KILLED = "process killed as timeout reached"

# What may identify a person in the server's error text: numbers, UUIDs, group ids.
_IDENTIFIERS = re.compile(
    r"\+?[0-9][0-9 ]{4,}[0-9]"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|group\.[A-Za-z0-9+/=]+",
    re.IGNORECASE,
)


def scrub(error_text: str) -> str:
    """Return the server's error text without addresses, shortened for a delivery's reason."""
    text = " ".join(_IDENTIFIERS.sub("…", error_text).split())
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"


@register
class SignalTransport(Transport):
    kind = "signal"
    personal_links = False

    def __init__(self) -> None:
        self.limits = Limits(
            recipients_per_request=settings.TOCSIN_SIGNAL_BATCH,
            per_second=settings.TOCSIN_SIGNAL_RATE,
            max_length=MAX_LENGTH,
        )
        self.request_timeout = float(settings.TOCSIN_SIGNAL_TIMEOUT_SECONDS)
        self.gateway: HttpGateway | None = None
        self.requests = 0

    def send(self, messages: list[Outgoing]) -> list[Result]:
        """Send each distinct text once to all its recipients; return one Result per message.

        Raise TransportError when the server is down, overloaded or asks to wait (429) before
        it answered any request of this batch; after that, the messages not yet sent come
        back as failures instead, so that a retry never repeats a request answered. A
        request left unanswered ends the batch: its recipients are unknown, the rest wait.
        """
        results: dict[int, Result] = {}
        groups: dict[str, list[Outgoing]] = {}
        for message in messages:
            if is_e164(message.address):
                groups.setdefault(message.text, []).append(message)
            else:
                results[message.delivery_id] = failure(message, str(INVALID_NUMBER))
        about = gateway_about()
        cap = max(1, self.limits.recipients_per_request)
        if about is not None and about.hides_failures():
            cap = 1
        answered = 0  # requests of this batch the gateway answered: never to be repeated
        try:
            for group in groups.values():
                for start in range(0, len(group), cap):
                    self._send_group(group[start : start + cap], results)
                    answered += 1
        except NoAnswer:
            self._left_for_later(messages, results, "Signal: the gateway did not answer")
        except TransportError as error:
            if not answered:
                raise
            self._left_for_later(messages, results, error.reason, error.permanent)
        sent = sum(result.sent for result in results.values())
        log.info(
            "signal: %d sent, %d failed, in %d requests", sent, len(results) - sent, self.requests
        )
        return [results[message.delivery_id] for message in messages]

    def close(self) -> None:
        if self.gateway is not None:
            self.gateway.close()
            self.gateway = None

    @staticmethod
    def _left_for_later(
        messages: list[Outgoing], results: dict[int, Result], reason: str, permanent: bool = False
    ) -> None:
        for message in messages:
            if message.delivery_id not in results:
                results[message.delivery_id] = failure(message, reason, permanent=permanent)

    def _send_group(self, group: list[Outgoing], results: dict[int, Result]) -> None:
        try:
            response = self._post(group)
        except NoAnswer:
            for message in group:
                results[message.delivery_id] = failure(message, str(UNKNOWN))
            raise
        if response.status in (200, 201):
            self._judge(group, listed_failures(response), "", results)
        elif response.status == 429:
            body = response.json()
            tokens = [token for token in body.get("challenge_tokens") or [] if token]
            if tokens:
                record_challenge(tokens)
                raise TransportError(str(CAPTCHA), retry_after=response.retry_after())
            raise TransportError("Signal: HTTP 429", retry_after=response.retry_after())
        elif response.status == 400:
            self._refused(group, str(response.json().get("error", "")), results)
        elif response.status in (401, 403, 404, 405):
            # Tocsin's own configuration is wrong (the number, the URL): no retry will help.
            raise TransportError(f"Signal: HTTP {response.status}", permanent=True)
        else:
            raise TransportError(f"Signal: HTTP {response.status}")

    def _refused(self, group: list[Outgoing], error: str, results: dict[int, Result]) -> None:
        """Judge a 400: signal-cli's output names each recipient that failed and why."""
        if error.startswith("Couldn't process request"):
            # Tocsin's own request is wrong (the sending number): no retry will help.
            raise TransportError(f"{REFUSED}: {scrub(error)}", permanent=True)
        if not error.strip():
            # signal-cli-rest-api always says why; what answers without a word is not it
            # (TOCSIN_SIGNAL_URL names another server), and no retry will help.
            raise TransportError("Signal: HTTP 400", permanent=True)
        if KILLED in error:
            # The API killed signal-cli at its own timeout, perhaps halfway: never resend.
            for message in group:
                results[message.delivery_id] = failure(message, str(UNKNOWN))
            return
        failed = failures_in_output(error)
        tokens = [token for _kind, token in failed.values() if token]
        if tokens:
            record_challenge(tokens)
        if not failed:
            # Nobody got it, and the gateway does not say why (json-rpc names no one).
            reason = f"{REFUSED}: {scrub(error)}"
            for message in group:
                results[message.delivery_id] = failure(message, reason, permanent=False)
            return
        self._judge(group, failed, error, results)

    @staticmethod
    def _judge(
        group: list[Outgoing],
        failed: dict[str, tuple[str, str]],
        error: str,
        results: dict[int, Result],
    ) -> None:
        """Mark each recipient: failed with signal-cli's reason when named, sent otherwise."""
        for message in group:
            found = failed.get(message.address)
            if found is None:
                results[message.delivery_id] = Result(message.delivery_id, sent=True)
                continue
            kind, token = found
            reason = str(CAPTCHA) if token else str(REASONS.get(kind, REFUSED))
            permanent = kind == "UNREGISTERED_FAILURE"
            results[message.delivery_id] = failure(message, reason, permanent=permanent)

    def _post(self, group: list[Outgoing]) -> HttpResponse:
        if self.gateway is None:
            self.gateway = HttpGateway(
                settings.TOCSIN_SIGNAL_URL, service="Signal", timeout=self.request_timeout
            )
        payload = {
            "message": group[0].text,
            "number": settings.TOCSIN_SIGNAL_NUMBER,
            "recipients": [message.address for message in group],
            # Never styled: an alert's *, ~ and || are the sender's words, not formatting.
            "text_mode": "normal",
        }
        self.requests += 1
        return self.gateway.post(
            "/v2/send", json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )


def listed_failures(response: HttpResponse) -> dict[str, tuple[str, str]]:
    """Return the recipients a 201 lists as failed (after 0.100): number: (reason, "")."""
    try:
        entries = json.loads(response.body or b"{}")
    except ValueError:
        return {}
    failed: dict[str, tuple[str, str]] = {}
    for entry in entries if isinstance(entries, list) else [entries]:
        errors = entry.get("errors") if isinstance(entry, dict) else None
        recipients = errors.get("recipients") if isinstance(errors, dict) else None
        for recipient in recipients if isinstance(recipients, list) else []:
            if isinstance(recipient, dict) and isinstance(recipient.get("number"), str):
                failed[recipient["number"]] = (str(recipient.get("reason", "")), "")
    return failed


def failures_in_output(error: str) -> dict[str, tuple[str, str]]:
    """Return the recipients signal-cli's output names as failed: number: (kind, token).

    The output is its text ('Unregistered user "+1…"', possibly without its newlines) or,
    after 0.100, its JSON results followed by its error line.
    """
    failed: dict[str, tuple[str, str]] = {}
    start = error.find("{")
    if start >= 0:
        try:
            output, _end = json.JSONDecoder().raw_decode(error[start:])
        except ValueError:
            output = None
        for result in output.get("results", []) if isinstance(output, dict) else []:
            address = result.get("recipientAddress") if isinstance(result, dict) else None
            number = address.get("number") if isinstance(address, dict) else None
            if isinstance(number, str) and result.get("type") != "SUCCESS":
                failed[number] = (str(result.get("type", "")), str(result.get("token") or ""))
    for found in FAILURE_TEXTS.finditer(error):
        failed[found["number"]] = (TEXT_KINDS[found["kind"]], found["token"] or "")
    return failed


def failure(message: Outgoing, reason: str, permanent: bool = True) -> Result:
    return Result(message.delivery_id, sent=False, reason=reason, permanent=permanent)
