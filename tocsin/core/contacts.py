"""Normalize and validate contact addresses, so the same person is found whatever they typed."""

import json
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

EMAIL, SMS, SIGNAL, PUSH = "email", "sms", "signal", "push"
PHONE_CHANNELS = {SMS, SIGNAL}

# Between the digits of a phone number people write spaces and these, nothing else.
PHONE_PUNCTUATION = "().-/"


def _phone_text(raw: str) -> str:
    """Return what was typed as a phone number in plain characters: full-width forms as
    their ASCII (a full-width plus as +), invisible marks (left-to-right, zero-width) left out."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(char for char in text if unicodedata.category(char) != "Cf").strip()


def _only_phone_characters(text: str) -> bool:
    """Whether text is digits, in any script (Arabic-Indic too), with spaces and
    punctuation between them and at most a + in front: no letters, no extension."""
    body = text.removeprefix("+")
    return any(char.isdecimal() for char in body) and all(
        char.isdecimal() or char.isspace() or char in PHONE_PUNCTUATION for char in body
    )


def looks_like_phone(text: str) -> bool:
    """Whether a search is a phone number rather than a name: seven digits or more."""
    text = _phone_text(text)
    return _only_phone_characters(text) and sum(char.isdecimal() for char in text) >= 7


def _default_region() -> str:
    """Return the region of numbers written without a country code: TOCSIN_DEFAULT_COUNTRY_CODE's
    main country (US for 1)."""
    return phonenumbers.region_code_for_country_code(int(settings.TOCSIN_DEFAULT_COUNTRY_CODE))


NOT_A_PHONE = _(
    "“%(value)s” is not a phone number; write it with its country code, like +1 612 555 0100."
)
TOO_FEW_DIGITS = _("“%(value)s” has too few digits to be a phone number.")
TOO_MANY_DIGITS = _("“%(value)s” has too many digits to be a phone number.")
NOT_GIVEN_OUT = _(
    "“%(value)s” is not a phone number any country gives out; check its digits and its "
    "country code."
)


def _not_a_phone(raw: str, message=NOT_A_PHONE) -> ValidationError:
    return ValidationError(message, code="invalid_phone", params={"value": raw})


def normalize_phone(raw: str) -> str:
    """Return a phone number in E.164 (+16125550100) or raise ValidationError.

    One number is one number however it was typed: its digits may be in any script
    (full-width, Arabic-Indic), so its blind index, and the person found by it, are the same. Without + or 00 it is a number of TOCSIN_DEFAULT_COUNTRY_CODE's country.
    It must be a number some country gives out (libphonenumber's plan of each country),
    not merely a plausible count of digits.
    """
    text = _phone_text(raw)
    if not _only_phone_characters(text):
        raise _not_a_phone(raw)
    digits = phonenumbers.normalize_digits_only(text)
    if digits.startswith("00") and not text.startswith("+"):
        text = "+" + digits[2:]  # 00 is the international prefix across most of the world
    try:
        number = phonenumbers.parse(text, _default_region())
    except phonenumbers.NumberParseException:
        raise _not_a_phone(raw) from None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == phonenumbers.ValidationResult.TOO_SHORT:
        raise _not_a_phone(raw, TOO_FEW_DIGITS)
    if possible == phonenumbers.ValidationResult.TOO_LONG:
        raise _not_a_phone(raw, TOO_MANY_DIGITS)
    if not phonenumbers.is_valid_number(number):
        raise _not_a_phone(raw, NOT_GIVEN_OUT)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
