"""The VAPID key pair that identifies this Tocsin to browsers' push services (RFC 8292).

A browser subscribes with the public key (`pushManager.subscribe({applicationServerKey})`);
every push is signed with the private key, and the push service refuses pushes signed by any
other. Outside production a key pair is made once and kept in VAR_DIR/vapid.json, so the
demo needs no set-up; in production TOCSIN_VAPID_PRIVATE_KEY is required once push is used.

Nothing here reads settings on import: `tocsin generate-key --vapid` runs before they exist.
"""

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

from tocsin.core.keys import generate_vapid_keys, public_key_of

DEVELOPMENT_FILE = "vapid.json"


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte private value, or PEM
    public_key: str  # base64url of the uncompressed P-256 point: the applicationServerKey
    subject: str  # mailto: or https: URL where the push service can reach the operator

    def signer(self) -> Vapid:
        """Return a py-vapid signer for this key pair."""
        return load_private_key(self.private_key)


def load_private_key(value: str) -> Vapid:
    """Read a private key written as PEM, or as base64url raw (32 bytes) or DER."""
    text = value.strip().replace("\\n", "\n")
    try:
        if text.startswith("-----BEGIN"):
            return Vapid.from_pem(text.encode())
        return Vapid.from_string(text)
    except Exception:  # py-vapid raises whatever its parsers raise
        raise ImproperlyConfigured(
            "TOCSIN_VAPID_PRIVATE_KEY is not a P-256 private key (PEM or base64url); "
            "make one with `tocsin generate-key --vapid`."
        ) from None


def development_vapid_keys(var_dir: Path) -> dict[str, str]:
    """Return this checkout's own key pair, creating VAR_DIR/vapid.json (0600) on first use.

    Created by linking a finished file into place, so that two workers starting at once
    agree on one key pair instead of each writing its own.
    """
    path = var_dir / DEVELOPMENT_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=var_dir, prefix=".vapid-")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp makes it 0600
                json.dump(generate_vapid_keys(), file, indent=2)
            with contextlib.suppress(FileExistsError):  # another process was first
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return json.loads(path.read_text())


def check_subject(subject: str) -> str:
    parts = urlsplit(subject)
    if not (
        (parts.scheme == "mailto" and "@" in parts.path)
        or (parts.scheme == "https" and parts.hostname)
    ):
        raise ImproperlyConfigured(
            "TOCSIN_VAPID_SUBJECT must be a mailto: address or an https: URL where push "
            f"services can reach this server's operator, not {subject!r}."
        )
    return subject


def vapid_keys() -> VapidKeys:
    """Return the configured key pair (or, outside production, this checkout's own)."""
    from django.conf import settings

    private = settings.TOCSIN_VAPID_PRIVATE_KEY
    public = settings.TOCSIN_VAPID_PUBLIC_KEY
    if not private:
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                "Web push needs TOCSIN_VAPID_PRIVATE_KEY (and TOCSIN_VAPID_PUBLIC_KEY) in "
                "production; make a pair with `tocsin generate-key --vapid`."
            )
        if public:
            raise ImproperlyConfigured(
                "TOCSIN_VAPID_PUBLIC_KEY is set without TOCSIN_VAPID_PRIVATE_KEY."
            )
        generated = development_vapid_keys(Path(settings.VAR_DIR))
        private, public = (
            generated["TOCSIN_VAPID_PRIVATE_KEY"],
            generated["TOCSIN_VAPID_PUBLIC_KEY"],
        )
    derived = public_key_of(load_private_key(private).private_key)
    if public and public != derived:
        # Browsers subscribed with this public key; pushes signed by another are refused.
        raise ImproperlyConfigured(
            "TOCSIN_VAPID_PUBLIC_KEY does not belong to TOCSIN_VAPID_PRIVATE_KEY."
        )
    return VapidKeys(
        private_key=private,
        public_key=derived,
        subject=check_subject(settings.TOCSIN_VAPID_SUBJECT),
    )


def application_server_key() -> str:
    """Return the public key a page passes to pushManager.subscribe()."""
    return vapid_keys().public_key
