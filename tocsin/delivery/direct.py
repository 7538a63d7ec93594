"""Send one message to one contact, right now, on the contact's own channel.

This is the small path for confirmation codes and member links: one recipient, no
fallback, no rate limits of its own. Mass alerts will go through an outbox with
per-channel limits instead. Nothing here logs an address, a code or a message body.
"""

import json
import logging
import urllib.parse
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage

from tocsin.accounts.models import ContactPoint

from .channels import TransportError
from .channels.http import HttpGateway, basic_auth

log = logging.getLogger(__name__)


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
        # Never styled: a code's or a link's characters are not formatting.
        "text_mode": "normal",
    }
    post(
        settings.TOCSIN_SIGNAL_URL,
        "/v2/send",
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
        "Signal",
    )


def send_sms(number: str, text: str) -> None:
    """Send through a Twilio-compatible gateway: a form POST to the account's Messages.json."""
    account = settings.TOCSIN_SMS_ACCOUNT
    form = {"To": number, "From": settings.TOCSIN_SMS_FROM, "Body": text}
    post(
        settings.TOCSIN_SMS_URL,
        f"/2010-04-01/Accounts/{urllib.parse.quote(account, safe='')}/Messages.json",
        urllib.parse.urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": basic_auth(account, settings.TOCSIN_SMS_TOKEN),
        },
        "SMS",
    )


def post(base_url: str, path: str, data: bytes, headers: dict[str, str], service: str) -> bytes:
    """POST and return the body; a 4xx other than 429 is permanent, anything else is not."""
    try:
        gateway = HttpGateway(base_url, service)
        try:
            response = gateway.post(path, data, headers)
        finally:
            gateway.close()
    except TransportError as error:
        raise DeliveryError(error.reason, permanent=error.permanent) from None
    if response.status >= 300:
        permanent = 400 <= response.status < 500 and response.status != 429
        raise DeliveryError(f"{service}: HTTP {response.status}", permanent=permanent)
    return response.body
