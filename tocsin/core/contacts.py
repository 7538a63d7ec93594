"""Normalize and validate contact addresses, so the same person is found whatever they typed."""

import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

EMAIL, SMS, SIGNAL, PUSH = "email", "sms", "signal", "push"
PHONE_CHANNELS = {SMS, SIGNAL}

_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_phone(raw: str) -> str:
    """Return a phone number in E.164 (+16125550100) or raise ValidationError."""
    digits = _PHONE_PUNCTUATION.sub("", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        country = settings.TOCSIN_DEFAULT_COUNTRY_CODE
        if country == "1" and len(digits) == 11 and digits.startswith("1"):
            digits = "+" + digits
        else:
            digits = f"+{country}{digits}"
    if not _E164.match(digits):
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number; write it with its country code, like +1 612 555 0100."
            ),
            code="invalid_phone",
            params={"value": raw},
        )
    return digits


def normalize_email(raw: str) -> str:
    value = raw.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not an email address."), code="invalid_email", params={"value": raw}
        ) from None
    return value


def normalize_push(raw: str) -> str:
    """Check a Web Push subscription (JSON with endpoint and keys) and return it compact."""
    try:
        data = json.loads(raw)
        endpoint = data["endpoint"]
        keys = data["keys"]
        if not (endpoint.startswith("https://") or endpoint.startswith("http://127.0.0.1")):
            raise ValueError
        if not (keys["p256dh"] and keys["auth"]):
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValidationError(
            _("This is not a web push subscription."), code="invalid_push"
        ) from None
    return json.dumps(
        {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}},
        separators=(",", ":"),
    )


def normalize(channel: str, raw: str) -> str:
    if channel == EMAIL:
        return normalize_email(raw)
    if channel in PHONE_CHANNELS:
        return normalize_phone(raw)
    if channel == PUSH:
        return normalize_push(raw)
    raise ValidationError(
        _("Unknown channel “%(value)s”."), code="channel", params={"value": channel}
    )


def index_key(channel: str, normalized: str) -> str:
    """Return what the blind index is computed over: the endpoint for push, else the address."""
    if channel == PUSH:
        return json.loads(normalized)["endpoint"]
    return normalized
