"""A local Twilio-compatible SMS gateway: POST /2010-04-01/Accounts/{sid}/Messages.json.

server = LocalSmsGateway().start()   # checks the account and token in settings
settings.TOCSIN_SMS_URL = server.url
server.outcome["+16125550111"] = 30003  # what its status callback says (default delivered)
server.text_in(webhook, token, sender, to, "STOP")  # a person texts the number; STOP holds
server.callbacks             # the status callbacks posted: (MessageSid, status, answer)

It answers as Twilio's Messages API does, errors included (twilio.com/docs/errors/21211,
21610; a 429 through rate_limit()), as twilio-python reads them (twilio/base/exceptions.py,
TwilioRestException: status, code, message, more_info). A send with a StatusCallback gets
its callbacks after `callback_delay` seconds: "sent", then "delivered", or "undelivered"
with the ErrorCode set in `outcome` (30003 unreachable handset, 30007 filtered by the
carrier), form-encoded and signed with the account's token as Twilio signs every webhook
(X-Twilio-Signature; twilio/request_validator.py, compute_signature). A number that texted
an opt-out keyword (Twilio's default list: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
REVOKE, OPTOUT) is answered 21610 until it texts START, YES or UNSTOP, and the webhook
gets the text with OptOutType, as Twilio's default opt-out handling does.
"""

import base64
import binascii
import hashlib
import hmac
import queue
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import formatdate
from typing import Any

from django.conf import settings

from tocsin.delivery.channels.http import is_e164
from tocsin.delivery.channels.sms.segments import count_segments

from .gateway import Answer, LocalGateway

__all__ = ["LocalSmsGateway"]

PREFIX = "/2010-04-01/Accounts/"
MAX_BODY = 1600  # Twilio's limit on one message's body
# Twilio's default keywords (twilio.com/docs/messaging/tutorials/advanced-opt-out): only
# these, in English, change what Twilio lets through; other languages need its Advanced
# Opt-Out, which the stand-in does not play.
OPT_OUT_KEYWORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN_KEYWORDS = {"START", "YES", "UNSTOP"}
HELP_KEYWORDS = {"HELP", "INFO"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# What each final status looks like: Twilio sends "undelivered" for a carrier's refusal.
FAILED_STATUS = {
    30003: "undelivered",
    30005: "undelivered",
    30006: "undelivered",
    30007: "undelivered",
    30008: "failed",
}


class LocalSmsGateway(LocalGateway):
    def __init__(
        self,
        *args: Any,
        account: str | None = None,
        token: str | None = None,
        status_callbacks: bool = True,
        **kwargs: Any,
    ):
        """Take the account and token Tocsin is configured with, unless given others.

        Without `status_callbacks`, a send's StatusCallback is not called: for a test whose
        Tocsin serves no HTTP, whose TOCSIN_BASE_URL (127.0.0.1:8000) may be another one's.
        """
        super().__init__(*args, **kwargs)
        self.account = account or settings.TOCSIN_SMS_ACCOUNT
        self.token = token or settings.TOCSIN_SMS_TOKEN
        self.opted_out: set[str] = set()  # numbers that texted STOP: sends answer 21610
        self.invalid: set[str] = set()  # well-formed numbers no carrier has: 21211
        self.outcome: dict[str, int | str] = {}  # number: "delivered" or an error code
        self.status_callbacks = status_callbacks
        self.callback_delay = 0.2  # seconds before a send's status callbacks are posted
        # Each status callback posted: (MessageSid, MessageStatus, HTTP status answered).
        self.callbacks: list[tuple[str, str, int]] = []
        self._due: queue.Queue = queue.Queue()
        self._poster: threading.Thread | None = None

    def fault(self) -> Answer | str | None:
        """The common faults, a 429 with Twilio's body (20429, "Too Many Requests")."""
        answer = super().fault()
        if isinstance(answer, tuple) and answer[0] == 429:
            return 429, error(429, 20429, "Too Many Requests")[1], answer[2]
        return answer

    def settings(self) -> dict[str, str]:
        """Return the Django settings that send through this gateway."""
        return {
            "TOCSIN_SMS_URL": self.url,
            "TOCSIN_SMS_ACCOUNT": self.account,
            "TOCSIN_SMS_TOKEN": self.token,
        }

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        sid = path.removeprefix(PREFIX).removesuffix("/Messages.json")
        if method != "POST" or not path.startswith(PREFIX) or "/" in sid:
            return error(404, 20404, "The requested resource was not found")
        if sid != self.account or not self._authorized(headers.get("Authorization", "")):
            return error(401, 20003, "Authenticate")
        form = {
            name: values[0]
            for name, values in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()
        }
        callback = form.get("StatusCallback", "")
        to, sender, text = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not to:
            return error(400, 21604, "A 'To' phone number is required.")
        if not is_e164(to) or to in self.invalid:
            return error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender:
            return error(400, 21603, "A 'From' phone number is required.")
        if not text:
            return error(400, 21602, "Message body is required.")
        if len(text) > MAX_BODY:
            return error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if to in self.opted_out:
            return error(400, 21610, "Attempt to send to unsubscribed recipient")
        self.record(to, sender, text)
        message_sid = "SM" + secrets.token_hex(16)
        if callback and self.status_callbacks:
            self._schedule(callback, message_sid, sender, to)
        return (
            201,
            {
                "sid": message_sid,
                "account_sid": sid,
                "to": to,
                "from": sender,
                "body": text,
                "status": "queued",
                "num_segments": str(count_segments(text).count),
                "date_created": formatdate(usegmt=True),
                "uri": f"{PREFIX}{sid}/Messages/{message_sid}.json",
            },
            {},
        )

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(f"{user}:{password}", f"{self.account}:{self.token}")

    def _schedule(self, url: str, message_sid: str, sender: str, to: str) -> None:
        """Queue a send's callbacks, due `callback_delay` seconds from now; one thread posts
        them all in turn, so that a fan-out of thousands starts no thousand threads."""
        self._due.put((time.monotonic() + self.callback_delay, url, message_sid, sender, to))
        with self.received:
            if self._poster is None:
                self._poster = threading.Thread(target=self._post_callbacks, daemon=True)
                self._poster.start()

    def _post_callbacks(self) -> None:
        while True:
            due, *callback = self._due.get()
            time.sleep(max(0.0, due - time.monotonic()))
            self._report(*callback)

    def _report(self, url: str, message_sid: str, sender: str, to: str) -> None:
        """Post a send's status callbacks: "sent", then its outcome."""
        outcome = self.outcome.get(to, "delivered")
        final = {"MessageStatus": "delivered"}
        if outcome != "delivered":
            final = {
                "MessageStatus": FAILED_STATUS.get(int(outcome), "failed"),
                "ErrorCode": str(outcome),
            }
        common = {
            "AccountSid": self.account,
            "ApiVersion": "2010-04-01",
            "From": sender,
            "To": to,
            "MessageSid": message_sid,
            "SmsSid": message_sid,
        }
        for status in ({"MessageStatus": "sent"}, final):
            form = {**common, **status, "SmsStatus": status["MessageStatus"]}
            answer = self.post_signed(url, form, self.token)
            with self.received:
                self.callbacks.append((message_sid, status["MessageStatus"], answer[0]))
                self.received.notify_all()

    def text_in(self, url: str, token: str, sender: str, to: str, text: str) -> tuple[int, str]:
        """Post to the webhook `url` a text that `sender` sent to `to`; return the answer.

        As Twilio's default opt-out handling: an opt-out keyword stops every send to the
        sender (21610) and an opt-in keyword lets them through again; either is still
        posted to the webhook, with OptOutType.
        """
        keyword = text.strip().upper()
        form = {
            "AccountSid": self.account,
            "ApiVersion": "2010-04-01",
            "From": sender,
            "To": to,
            "Body": text,
            "MessageSid": "SM" + secrets.token_hex(16),
            "NumMedia": "0",
        }
        if keyword in OPT_OUT_KEYWORDS:
            self.opted_out.add(sender)
            form["OptOutType"] = "STOP"
        elif keyword in OPT_IN_KEYWORDS:
            self.opted_out.discard(sender)
            form["OptOutType"] = "START"
        elif keyword in HELP_KEYWORDS:
            form["OptOutType"] = "HELP"
        return self.post_signed(url, form, token)

    def wait_for_callbacks(self, count: int, timeout: float = 10.0) -> list[tuple[str, str, int]]:
        """Return the status callbacks posted once there are at least `count`."""
        with self.received:
            if not self.received.wait_for(lambda: len(self.callbacks) >= count, timeout):
                raise TimeoutError(f"expected {count} callbacks, posted {len(self.callbacks)}")
            return list(self.callbacks)

    @staticmethod
    def post_signed(url: str, form: dict[str, str], token: str) -> tuple[int, str]:
        """POST `form` to `url` signed as Twilio signs webhooks; return status and body.

        Only to this machine (a Tocsin under test or the demo's): a URL elsewhere, such as
        a configured public TOCSIN_BASE_URL, is not called, and counts as status 0.
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK:
            return 0, ""
        request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"X-Twilio-Signature": twilio_signature(url, form, token)},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                return answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode("utf-8", "replace")
        except OSError:
            return 0, ""


def twilio_signature(url: str, form: dict[str, str], token: str) -> str:
    """Sign as twilio-python's RequestValidator.compute_signature does: HMAC-SHA1 of the URL
    and each parameter's name and value, in order of name, base64-encoded."""
    signed = url + "".join(name + form[name] for name in sorted(form))
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def error(status: int, code: int, message: str) -> Answer:
    """Twilio's error body (twilio/base/exceptions.py reads code, message and more_info)."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return status, body, {}
