"""Signal through signal-cli-rest-api: one POST /v2/send carries one text to many recipients.

The API answers for the request as a whole. A 413 means too many recipients: the group is
halved until it fits, and later groups start at the size that fitted. When signal-cli sends
to some recipients and not others, it answers 400 "Failed to send (some) messages" naming
the ones that failed; those fail for good and the rest count as sent, so that no one gets the
message twice.
"""

import json
import logging
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .. import register
from ..base import Limits, Outgoing, Result, Transport, TransportError
from ..http import HttpGateway, HttpResponse, is_e164

log = logging.getLogger(__name__)

# Signal takes longer texts, but 2,000 characters is what clients show without "read more".
MAX_LENGTH = 2000
DETAIL_LENGTH = 200

INVALID_NUMBER = _("invalid phone number")
TOO_LARGE = _("Signal refused the message as too large")
REFUSED = _("Signal refused the message")

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
        # Lowered when the server answers 413, so that later groups fit at once.
        self.recipient_cap = max(1, self.limits.recipients_per_request)
        self.gateway: HttpGateway | None = None
        self.requests = 0

    def send(self, messages: list[Outgoing]) -> list[Result]:
        """Send each distinct text once to all its recipients; return one Result per message.

        Raise TransportError when the server is down, overloaded or asks to wait (429) before
        anything in this batch was sent; after that, the messages not yet sent come back as
        temporary failures instead, so that a retry never repeats the ones that went.
        """
        results: dict[int, Result] = {}
        groups: dict[str, list[Outgoing]] = {}
        for message in messages:
            if is_e164(message.address):
                groups.setdefault(message.text, []).append(message)
            else:
                results[message.delivery_id] = failure(message, str(INVALID_NUMBER))
        try:
            for group in groups.values():
                start = 0
                while start < len(group):
                    chunk = group[start : start + self.recipient_cap]
                    self._send_group(chunk, results)
                    start += len(chunk)
        except TransportError as error:
            if not any(result.sent for result in results.values()):
                raise
            for message in messages:
                if message.delivery_id not in results:
                    results[message.delivery_id] = failure(
                        message, error.reason, permanent=error.permanent
                    )
        sent = sum(result.sent for result in results.values())
        log.info(
            "signal: %d sent, %d failed, in %d requests", sent, len(results) - sent, self.requests
        )
        return [results[message.delivery_id] for message in messages]

    def close(self) -> None:
        if self.gateway is not None:
            self.gateway.close()
            self.gateway = None

    def _send_group(self, group: list[Outgoing], results: dict[int, Result]) -> None:
        response = self._post(group)
        if response.status in (200, 201):
            for message in group:
                results[message.delivery_id] = Result(message.delivery_id, sent=True)
        elif response.status == 413:
            if len(group) == 1:
                results[group[0].delivery_id] = failure(group[0], str(TOO_LARGE))
                return
            half = len(group) // 2
            self.recipient_cap = min(self.recipient_cap, half)
            self._send_group(group[:half], results)
            self._send_group(group[half:], results)
        elif response.status == 429:
            raise TransportError("Signal: HTTP 429", retry_after=response.retry_after())
        elif response.status == 400:
            self._refused(group, str(response.json().get("error", "")), results)
        elif response.status in (401, 403, 404, 405):
            # Tocsin's own configuration is wrong (the number, the URL): no retry will help.
            raise TransportError(f"Signal: HTTP {response.status}", permanent=True)
        else:
            raise TransportError(f"Signal: HTTP {response.status}")

    def _refused(self, group: list[Outgoing], error: str, results: dict[int, Result]) -> None:
        """Judge a 400: which recipients failed for good, and whether the others got it."""
        reason = f"{REFUSED}: {scrub(error)}" if error.strip() else str(REFUSED)
        named = [message for message in group if names(error, message.address)]
        partly_sent = "failed to send" in error.lower()
        if named:
            for message in named:
                results[message.delivery_id] = failure(message, reason)
            others = [message for message in group if message.delivery_id not in results]
            if partly_sent:
                for message in others:
                    results[message.delivery_id] = Result(message.delivery_id, sent=True)
            elif others:
                self._send_group(others, results)
        elif len(group) == 1 or partly_sent:
            # Some may have received it, and the server does not say who: never send twice.
            for message in group:
                results[message.delivery_id] = failure(message, reason)
        else:
            # Refused before sending anything: halve the group to find the recipient at fault.
            half = len(group) // 2
            self._send_group(group[:half], results)
            self._send_group(group[half:], results)

    def _post(self, group: list[Outgoing]) -> HttpResponse:
        if self.gateway is None:
            self.gateway = HttpGateway(settings.TOCSIN_SIGNAL_URL, service="Signal")
        payload = {
            "message": group[0].text,
            "number": settings.TOCSIN_SIGNAL_NUMBER,
            "recipients": [message.address for message in group],
        }
        self.requests += 1
        return self.gateway.post(
            "/v2/send", json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )


def names(error: str, number: str) -> bool:
    """Say whether the server's error text names this number (not merely a longer one)."""
    return re.search(re.escape(number) + r"(?![0-9])", error) is not None


def failure(message: Outgoing, reason: str, permanent: bool = True) -> Result:
    return Result(message.delivery_id, sent=False, reason=reason, permanent=permanent)
