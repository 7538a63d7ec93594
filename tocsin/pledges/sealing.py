"""Sealed boxes: anyone with a pledge's public key can seal a signer; only its private key
opens one.

A box is X25519 with a fresh ephemeral key per box, HKDF-SHA256 over the shared secret and
both public keys, and AES-256-GCM: `base64(ephemeral public key | nonce | ciphertext)`.
The web process holds only public keys, so a request, a view or a stolen session can add a
sealed signer but never read one back.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

RAW = serialization.Encoding.Raw
INFO = b"tocsin pledge signer v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(RAW, serialization.PublicFormat.Raw)


def new_key_pair() -> tuple[str, str]:
    """Return (public key, private key), each as base64 text."""
    private = X25519PrivateKey.generate()
    private_raw = private.private_bytes(
        RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return _b64(_raw_public(private.public_key())), _b64(private_raw)


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=INFO)
    return hkdf.derive(shared)


def seal(public_key: str, plaintext: str) -> str:
    recipient_raw = base64.urlsafe_b64decode(public_key)
    recipient = X25519PublicKey.from_public_bytes(recipient_raw)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw_public(ephemeral.public_key())
    key = _box_key(ephemeral.exchange(recipient), ephemeral_raw, recipient_raw)
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return _b64(ephemeral_raw + nonce + ciphertext)


def unseal(private_key: str, box: str) -> str:
    """Open a box; raise cryptography.exceptions.InvalidTag if it was not sealed to this key."""
    private = X25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(private_key))
    data = base64.urlsafe_b64decode(box)
    ephemeral_raw, nonce, ciphertext = data[:32], data[32:44], data[44:]
    ephemeral = X25519PublicKey.from_public_bytes(ephemeral_raw)
    key = _box_key(private.exchange(ephemeral), ephemeral_raw, _raw_public(private.public_key()))
    return AESGCM(key).decrypt(nonce, ciphertext, None).decode()


def signer_index(pledge_code: str, person_public_id: str) -> str:
    """Return the keyed hash a member's signature on one pledge is found by.

    The key is derived per pledge from the blind-index key, so the same member has unrelated
    indexes on two pledges and a copy of the database alone cannot test who signed.
    """
    return signer_indexer(pledge_code)(person_public_id)


def signer_indexer(pledge_code: str) -> Callable[[str], str]:
    """Return signer_index for one pledge, its key derived once (for counting a unit)."""
    pledge_key = hmac.new(
        settings.TOCSIN_BLIND_INDEX_KEY.encode(), f"pledge:{pledge_code}".encode(), hashlib.sha256
    ).digest()
    return lambda person_public_id: hmac.new(
        pledge_key, person_public_id.encode(), hashlib.sha256
    ).hexdigest()
