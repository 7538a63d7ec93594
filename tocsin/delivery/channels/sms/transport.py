"""SMS through a Twilio-compatible gateway: one form POST per message to Messages.json.

A batch goes out one message after another on one kept-alive connection. Every text is
fitted to the configured length, and the link to the full alert always survives the cut.
"""

import logging
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .. import register
from ..base import Limits, Outgoing, Result, Transport, TransportError
from ..http import HttpGateway, HttpResponse, basic_auth, is_e164

log = logging.getLogger(__name__)

ELLIPSIS = "…"
# Twilio's codes for a "To" number that is not a valid (or not a mobile) phone number.
INVALID_NUMBER_CODES = {21211, 21614}

INVALID_NUMBER = _("invalid phone number")


def fit_sms(text: str, link: str, max_length: int) -> str:
    """Return `text` cut at a word to at most `max_length` characters, ending "… <link>".

    A text that fits is returned as it is. When it does not, the link (wherever the text had
    it) moves to the end after an ellipsis; if even that leaves no room, the link alone.
    """
    if len(text) <= max_length:
        return text
    if link and len(link) <= max_length:
        body = " ".join(text.replace(link, " ").split())
        suffix = f"{ELLIPSIS} {link}"
        room = max_length - len(suffix)
        if room <= 0:
            return link
        cut = cut_at_word(body, room)
        return f"{cut}{suffix}" if cut else link
    room = max_length - len(ELLIPSIS)
    return cut_at_word(text, room) + ELLIPSIS if room > 0 else text[:max_length]


def cut_at_word(text: str, room: int) -> str:
    """Return the longest start of `text` of at most `room` characters that ends on a word."""
    if len(text) <= room:
        return text.rstrip()
    cut = text[: room + 1]
    if not cut[-1].isspace():
        cut = cut.rsplit(None, 1)[0] if len(cut.split(None, 1)) > 1 else cut[:room]
    return cut[:room].rstrip(" \t\n,;:-")


@register
class SmsTransport(Transport):
    kind = "sms"

    def __init__(self) -> None:
        self.limits = Limits(
            recipients_per_request=1,
            per_second=settings.TOCSIN_SMS_RATE,
            max_length=settings.TOCSIN_SMS_MAX_LENGTH,
        )
        self.gateway: HttpGateway | None = None

    def send(self, messages: list[Outgoing]) -> list[Result]:
        """Send each message in turn; return one Result per message.

        Raise TransportError when the gateway is down, overloaded or asks to wait (429)
        before anything in this batch was sent; after that, the messages not yet sent come
        back as failures instead, so that a retry never repeats the ones that went.
        """
        results: list[Result] = []
        for index, message in enumerate(messages):
            try:
                results.append(self._send_one(message))
            except TransportError as error:
                if not any(result.sent for result in results):
                    raise
                results.extend(
                    Result(
                        rest.delivery_id, sent=False, reason=error.reason, permanent=error.permanent
                    )
                    for rest in messages[index:]
                )
                break
        sent = sum(result.sent for result in results)
        log.info("sms: %d sent, %d failed", sent, len(results) - sent)
        return results

    def close(self) -> None:
        if self.gateway is not None:
            self.gateway.close()
            self.gateway = None

    def _send_one(self, message: Outgoing) -> Result:
        if not is_e164(message.address):
            return Result(
                message.delivery_id, sent=False, reason=str(INVALID_NUMBER), permanent=True
            )
        text = fit_sms(message.text, message.link, self.limits.max_length or len(message.text))
        response = self._post(message.address, text)
        status = response.status
        if status in (200, 201):
            return Result(message.delivery_id, sent=True)
        if status == 429:
            raise TransportError("SMS: HTTP 429", retry_after=response.retry_after())
        if status in (401, 403, 404, 405):
            # Tocsin's own configuration is wrong (account, token, URL): no retry will help.
            raise TransportError(f"SMS: HTTP {status}", permanent=True)
        if 400 <= status < 500 and status != 408:
            if response.json().get("code") in INVALID_NUMBER_CODES:
                reason = str(INVALID_NUMBER)
            else:
                reason = _("the SMS gateway refused the message (HTTP %(status)s)") % {
                    "status": status
                }
            return Result(message.delivery_id, sent=False, reason=str(reason), permanent=True)
        raise TransportError(f"SMS: HTTP {status}")

    def _post(self, number: str, text: str) -> HttpResponse:
        account = settings.TOCSIN_SMS_ACCOUNT
        if self.gateway is None:
            self.gateway = HttpGateway(settings.TOCSIN_SMS_URL, service="SMS")
        form = {"To": number, "From": settings.TOCSIN_SMS_FROM, "Body": text}
        return self.gateway.post(
            f"/2010-04-01/Accounts/{urllib.parse.quote(account, safe='')}/Messages.json",
            urllib.parse.urlencode(form).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": basic_auth(account, settings.TOCSIN_SMS_TOKEN),
            },
        )
