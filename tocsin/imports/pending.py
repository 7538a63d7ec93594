"""Uploads waiting for the admin to confirm them, kept encrypted on disk for an hour at most.

A members file holds contact details, so it never rests in plain text: it is encrypted with
the same keys as contacts in the database (docs/decisions/0003-imported-contacts.md).
"""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from tocsin.core.crypto import decrypt, encrypt

MAX_AGE_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    return _folder() / f"{token}.csv.enc"


def save(data: bytes) -> str:
    """Store a checked (so UTF-8) upload encrypted and return the random token naming it."""
    purge_stale()
    token = secrets.token_urlsafe(24)
    path = _folder() / f"{token}.csv.enc"
    path.write_text(encrypt(data.decode("utf-8-sig")))
    path.chmod(0o600)
    return token


def load(token: str) -> bytes | None:
    """Return a stored upload, or None when it is unknown or older than an hour."""
    path = _path(token)
    if path is None or not path.exists():
        return None
    if time.time() - path.stat().st_mtime > MAX_AGE_SECONDS:
        path.unlink(missing_ok=True)
        return None
    return decrypt(path.read_text()).encode("utf-8")


def delete(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def purge_stale() -> None:
    """Delete every stored upload older than an hour."""
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _folder().glob("*.csv.enc"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            continue
