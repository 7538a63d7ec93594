"""SMS through a Twilio-compatible gateway: one form POST per message to Messages.json.

A batch goes out one message after another on one kept-alive connection. Every alert's text
is fitted to TOCSIN_SMS_MAX_SEGMENTS segments, counted by its encoding (segments.py), and the
link to the full alert always survives the cut. A direct message (a code, a member link, a
case message) goes whole, as its sender wrote it, and asks for no status callback: no
delivery row waits for one.
"""

import logging
import urllib.parse
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import register
from ..base import Limits, Outgoing, Result, Transport, TransportError
from ..http import HttpGateway, HttpResponse, basic_auth, is_e164
from .segments import GSM7_PART, GSM7_SINGLE, count_segments, is_gsm7

log = logging.getLogger(__name__)

ELLIPSIS = "…"
# "…" is not in the GSM-7 alphabet: a plain text cut with it would go as UCS-2, and fit
# less than half as much. A plain text is cut with three dots instead.
GSM7_ELLIPSIS = "..."
# Twilio's codes for a "To" number that is not a valid (or not a mobile) phone number.
INVALID_NUMBER_CODES = {21211, 21614}

# Twilio's code for a recipient who texted STOP: "Attempt to send to unsubscribed
# recipient" (twilio.com/docs/errors/21610). Sending again only fails again.
OPTED_OUT_CODE = 21610

INVALID_NUMBER = _("invalid phone number")
OPTED_OUT = _("the number opted out of texts (STOP)")


def fit_sms(text: str, link: str, max_segments: int) -> str:
    """Return `text` cut at a word to at most `max_segments` SMS segments, ending "… <link>".

    Segments are counted by the encoding the text goes in (segments.py): a Spanish text
    with "ó" goes as UCS-2 and fits far fewer characters than a plain one. A text that fits
    is returned as it is. When it does not, the link (wherever the text had it) moves to
    the end after an ellipsis ("..." in a plain text, which "…" would turn into UCS-2); if
    even that leaves no room, the link alone.
    """
    if fits(text, max_segments):
        return text
    if link and fits(link, max_segments):
        body = " ".join(text.replace(link, " ").split())
        suffix = f"{ellipsis_for(body + link)} {link}"
        cut = longest_cut(body, lambda start: f"{start}{suffix}", max_segments)
        return f"{cut}{suffix}" if cut else link
    ellipsis = ellipsis_for(text)
    cut = longest_cut(text, lambda start: start + ellipsis, max_segments)
    if cut:
        return cut + ellipsis
    return longest_cut(text, lambda start: start, max_segments, at_word=False)


def ellipsis_for(text: str) -> str:
    """Return the ellipsis that keeps `text` in the encoding it goes in anyway."""
    return GSM7_ELLIPSIS if is_gsm7(text) else ELLIPSIS


def fits(text: str, max_segments: int) -> bool:
    return count_segments(text).count <= max_segments


def longest_cut(
    text: str, dress: Callable[[str], str], max_segments: int, at_word: bool = True
) -> str:
    """Return the longest start of `text` (cut at a word) that, dressed, fits the segments.

    A longer start never takes fewer segments, so the longest one is found by halving.
    """
    low, high, best = 0, len(text), ""
    while low <= high:
        room = (low + high) // 2
        start = cut_at_word(text, room) if at_word else text[:room]
        if fits(dress(start), max_segments):
            best, low = start, room + 1
        else:
            high = room - 1
    return best


def cut_at_word(text: str, room: int) -> str:
    """Return the longest start of `text` of at most `room` characters that ends on a word."""
    if len(text) <= room:
        return text.rstrip()
    cut = text[: room + 1]
    if not cut[-1].isspace():
        cut = cut.rsplit(None, 1)[0] if len(cut.split(None, 1)) > 1 else cut[:room]
    return cut[:room].rstrip(" \t\n,;:-")


def longest_gsm7(max_segments: int) -> int:
    """Return the characters a plain (GSM-7) text may have in `max_segments` segments.

    This is the channel's max_length, which picks the short template and cuts a first
    time; fit_sms then counts the real segments, which a non-GSM-7 text has fewer of.
    """
    return GSM7_SINGLE if max_segments <= 1 else GSM7_PART * max_segments


@register
class SmsTransport(Transport):
    kind = "sms"

    def __init__(self) -> None:
        self.limits = Limits(
            recipients_per_request=1,
            per_second=settings.TOCSIN_SMS_RATE,
            max_length=longest_gsm7(settings.TOCSIN_SMS_MAX_SEGMENTS),
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
        if message.direct:
            text = message.text
        else:
            text = fit_sms(message.text, message.link, settings.TOCSIN_SMS_MAX_SEGMENTS)
        response = self._post(message.address, text, status_callback=not message.direct)
        status = response.status
        if status in (200, 201):
            sid = response.json().get("sid")
            return Result(
                message.delivery_id, sent=True, provider_id=sid if isinstance(sid, str) else ""
            )
        if status == 429:
            raise TransportError("SMS: HTTP 429", retry_after=response.retry_after())
        if status in (401, 403, 404, 405):
            # Tocsin's own configuration is wrong (account, token, URL): no retry will help.
            raise TransportError(f"SMS: HTTP {status}", permanent=True)
        if 400 <= status < 500 and status != 408:
            code = response.json().get("code")
            if code == OPTED_OUT_CODE:
                return Result(
                    message.delivery_id,
                    sent=False,
                    reason=str(OPTED_OUT),
                    permanent=True,
                    opted_out=True,
                )
            if code in INVALID_NUMBER_CODES:
                reason = str(INVALID_NUMBER)
            else:
                reason = _("the SMS gateway refused the message (HTTP %(status)s)") % {
                    "status": status
                }
            return Result(message.delivery_id, sent=False, reason=str(reason), permanent=True)
        raise TransportError(f"SMS: HTTP {status}")

    def _post(self, number: str, text: str, status_callback: bool = True) -> HttpResponse:
        account = settings.TOCSIN_SMS_ACCOUNT
        if self.gateway is None:
            self.gateway = HttpGateway(settings.TOCSIN_SMS_URL, service="SMS")
        form = {"To": number, "From": settings.TOCSIN_SMS_FROM, "Body": text}
        if status_callback:
            # Where the gateway reports what became of the message (delivered, or undelivered
            # with the carrier's error): tocsin/response/views/inbound.py, sms_status.
            form["StatusCallback"] = settings.TOCSIN_BASE_URL + reverse(
                "response:inbound_sms_status"
            )
        return self.gateway.post(
            f"/2010-04-01/Accounts/{urllib.parse.quote(account, safe='')}/Messages.json",
            urllib.parse.urlencode(form).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": basic_auth(account, settings.TOCSIN_SMS_TOKEN),
            },
        )
