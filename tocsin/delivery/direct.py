"""Send one message to one contact, right now, on the contact's own channel.

This is the small path for confirmation codes and member links: one recipient, no
fallback, no rate limits of its own. Mass alerts will go through an outbox with
per-channel limits instead. Nothing here logs an address, a code or a message body.
"""

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage

from tocsin.accounts.models import ContactPoint

log = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    """A message could not be sent. `permanent` says whether retrying could ever help."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


def send_to_contact(contact: ContactPoint, subject: str, body: str) -> None:
    """Send `body` to the contact (email also gets `subject`); raise DeliveryError on failure."""
    senders: dict[str, Callable[[], None]] = {
        ContactPoint.Channel.EMAIL: lambda: send_email(contact.address, subject, body),
        ContactPoint.Channel.SIGNAL: lambda: send_signal(contact.address, body),
        ContactPoint.Channel.SMS: lambda: send_sms(contact.address, body),
    }
    sender = senders.get(contact.channel)
    if sender is None:
        raise DeliveryError(f"no direct sending on channel {contact.channel}", permanent=True)
    sender()
    log.info("sent a direct message on %s to contact %s", contact.channel, contact.pk)


def send_email(address: str, subject: str, body: str) -> None:
    message = EmailMessage(subject=subject, body=body, to=[address])
    try:
        message.send(using="default")
    except OSError as error:  # smtplib.SMTPException is an OSError
        raise DeliveryError(f"SMTP: {type(error).__name__}") from None


def send_signal(number: str, text: str) -> None:
    """Send through signal-cli-rest-api: POST /v2/send (many recipients may share a call)."""
    payload = {
        "message": text,
        "number": settings.TOCSIN_SIGNAL_NUMBER,
        "recipients": [number],
    }
    post(
        settings.TOCSIN_SIGNAL_URL.rstrip("/") + "/v2/send",
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
        "Signal",
    )


def send_sms(number: str, text: str) -> None:
    """Send through a Twilio-compatible gateway: a form POST to the account's Messages.json."""
    account = settings.TOCSIN_SMS_ACCOUNT
    url = (
        settings.TOCSIN_SMS_URL.rstrip("/")
        + f"/2010-04-01/Accounts/{urllib.parse.quote(account, safe='')}/Messages.json"
    )
    form = {"To": number, "From": settings.TOCSIN_SMS_FROM, "Body": text}
    credentials = base64.b64encode(f"{account}:{settings.TOCSIN_SMS_TOKEN}".encode()).decode()
    post(
        url,
        urllib.parse.urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {credentials}",
        },
        "SMS",
    )


def post(url: str, data: bytes, headers: dict[str, str], service: str) -> bytes:
    """POST and return the body; a 4xx other than 429 is permanent, anything else is not."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"{service}: the gateway URL must be http or https", permanent=True)
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as error:
        permanent = 400 <= error.code < 500 and error.code != 429
        raise DeliveryError(f"{service}: HTTP {error.code}", permanent=permanent) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(f"{service}: {type(error).__name__}") from None
