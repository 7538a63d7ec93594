"""A local Twilio-compatible SMS gateway: POST /2010-04-01/Accounts/{sid}/Messages.json.

server = LocalSmsGateway().start()   # checks the account and token in settings
settings.TOCSIN_SMS_URL = server.url
"""

import base64
import binascii
import secrets
import urllib.parse
from email.utils import formatdate
from typing import Any

from django.conf import settings

from tocsin.delivery.channels.http import is_e164
from tocsin.delivery.channels.sms.segments import count_segments

from .gateway import Answer, LocalGateway

__all__ = ["LocalSmsGateway"]

PREFIX = "/2010-04-01/Accounts/"
MAX_BODY = 1600  # Twilio's limit on one message's body


class LocalSmsGateway(LocalGateway):
    def __init__(
        self, *args: Any, account: str | None = None, token: str | None = None, **kwargs: Any
    ):
        """Take the account and token Tocsin is configured with, unless given others."""
        super().__init__(*args, **kwargs)
        self.account = account or settings.TOCSIN_SMS_ACCOUNT
        self.token = token or settings.TOCSIN_SMS_TOKEN

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
        to, sender, text = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not to:
            return error(400, 21604, "A 'To' phone number is required.")
        if not is_e164(to):
            return error(400, 21211, "The 'To' number is not a valid phone number.")
        if not sender:
            return error(400, 21603, "A 'From' phone number is required.")
        if not text:
            return error(400, 21602, "Message body is required.")
        if len(text) > MAX_BODY:
            return error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        self.record(to, sender, text)
        message_sid = "SM" + secrets.token_hex(16)
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


def error(status: int, code: int, message: str) -> Answer:
    return status, {"code": code, "message": message, "status": status}, {}
