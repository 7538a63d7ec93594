"""Encryption at rest (MultiFernet, rotatable keys) and HMAC blind indexes for look-ups.

A contact's address is stored encrypted; to find "who owns +1 612 555 0100" without
decrypting every row, we also store HMAC(key, normalized address), the blind index.
What the keys open, and moving the stored data to the newest key: tocsin/core/keys.py.
"""

import hashlib
import hmac
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


@cache
def _fernet() -> MultiFernet:
    keys = settings.TOCSIN_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("TOCSIN_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "Each key in TOCSIN_ENCRYPTION_KEYS must be 32 url-safe base64-encoded bytes "
            "(make one with `tocsin generate-key`)."
        ) from None


def load_keys() -> None:
    """Raise ImproperlyConfigured, naming the setting, when TOCSIN_ENCRYPTION_KEYS is empty or
    holds something that is not a key."""
    _fernet()


@cache
def _newest() -> Fernet:
    return Fernet(settings.TOCSIN_ENCRYPTION_KEYS[0])


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs) -> None:
    """Encrypt with the keys the settings hold now, after a test has changed them."""
    if setting == "TOCSIN_ENCRYPTION_KEYS":
        _fernet.cache_clear()
        _newest.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return _fernet().rotate(token.encode()).decode()


def opens(token: str) -> bool:
    """Whether a key of TOCSIN_ENCRYPTION_KEYS decrypts the token."""
    try:
        _fernet().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def under_newest_key(token: str) -> bool:
    """Whether the token was made with the first key of TOCSIN_ENCRYPTION_KEYS (its
    signature is checked; nothing is decrypted)."""
    load_keys()
    try:
        _newest().extract_timestamp(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(value: str, purpose: str) -> str:
    """Return a keyed hash of an already-normalized value, separated by purpose."""
    key = settings.TOCSIN_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; the database never sees the plaintext."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            raise ImproperlyConfigured(
                "Stored data cannot be decrypted with TOCSIN_ENCRYPTION_KEYS; "
                "was a key removed before rotation finished?"
            ) from None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull"}:
            # Filtering on ciphertext is meaningless; use the blind index instead.
            return None
        return super().get_lookup(lookup_name)


class EncryptedBinaryField(EncryptedTextField):
    """Bytes (a photo) stored as a Fernet token; the database never sees the plaintext."""

    description = "Bytes encrypted at rest"
    # What django-stubs' plugin takes as the field's Python type.
    _pyi_private_set_type: bytes  # type: ignore[assignment]
    _pyi_private_get_type: bytes  # type: ignore[assignment]

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return _fernet().decrypt(value.encode())
        except InvalidToken:
            raise ImproperlyConfigured(
                "Stored data cannot be decrypted with TOCSIN_ENCRYPTION_KEYS; "
                "was a key removed before rotation finished?"
            ) from None

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None or value == b"" or value == "":
            return "" if value is not None else None
        if isinstance(value, str):
            value = value.encode()
        return _fernet().encrypt(bytes(value)).decode()


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (what a message says, the words of a timeline line) stored as one Fernet
    token: the database never sees the words, and nothing can be looked up inside them."""

    description = "JSON encrypted at rest"
    _pyi_private_set_type: dict  # type: ignore[assignment]
    _pyi_private_get_type: dict  # type: ignore[assignment]

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        if text is None or text == "":
            return text
        return json.loads(text)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), sort_keys=True)


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Return each model whose table stores encrypted values, with those fields."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            field
            for field in model._meta.local_concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if fields:
            found.append((model, fields))
    return found
