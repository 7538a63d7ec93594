"""The second factor of privileged people: enrol an authenticator app, keep backup codes,
verify a code, and reset both when a person has lost them.
"""

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts.models import Person
from tocsin.audit.services import record

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup codes"


def has_second_factor(person: Person) -> bool:
    return TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def pending_authenticator(person: Person) -> TOTPDevice:
    """Return the person's unconfirmed authenticator, creating one with a fresh secret."""
    device = TOTPDevice.objects.filter(user=person, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=person, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """Return the secret as an authenticator app expects it typed: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def provisioning_url(device: TOTPDevice) -> str:
    issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "Tocsin")).replace(":", "")
    label = f"{issuer}:{device.user.display_name.replace(':', '')}"
    query = urlencode(
        {
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(label)}?{query}"


def qr_svg(device: TOTPDevice) -> str:
    """Return the provisioning URL as an inline SVG QR code (no styles, so the CSP holds)."""
    return segno.make(provisioning_url(device), error="m").svg_inline(
        scale=5, border=2, title="QR", svgclass="qr", lineclass=None
    )


@transaction.atomic
def confirm_authenticator(person: Person, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an authenticator with a current code and return ten new backup codes.

    Returns None when the code is wrong. Earlier authenticators and backup codes are replaced.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=person)
    if device.confirmed or not device.verify_token(normalize_code(code)):
        return None
    TOTPDevice.objects.filter(user=person).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = replace_backup_codes(person)
    record(person, "accounts.second_factor.enrolled", person)
    return codes


def replace_backup_codes(person: Person) -> list[str]:
    StaticDevice.objects.filter(user=person).delete()
    backup = StaticDevice.objects.create(user=person, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


def normalize_code(code: str) -> str:
    return "".join(code.split()).lower()


@transaction.atomic
def verify_second_factor(person: Person, code: str) -> TOTPDevice | StaticDevice | None:
    """Return the device that accepts the code: the authenticator, else a backup code (used up)."""
    code = normalize_code(code)
    if not code:
        return None
    # A six-digit code is the authenticator's; anything else can only be a backup code.
    # Trying each only where it fits keeps one device's throttle from counting the other's.
    if code.isdigit():
        for device in TOTPDevice.objects.select_for_update().filter(user=person, confirmed=True):
            if device.verify_token(code):
                return device
        return None
    for backup in StaticDevice.objects.select_for_update().filter(user=person, confirmed=True):
        if backup.verify_token(code):
            record(
                person,
                "accounts.second_factor.backup_code_used",
                person,
                remaining=backup.token_set.count(),
            )
            return backup
    return None


@transaction.atomic
def reset_second_factor(actor: Person, person: Person, organization) -> None:
    """Remove a person's authenticator and backup codes, so they enrol again at next sign-in."""
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    record(actor, "accounts.second_factor.reset", person, organization=organization)
