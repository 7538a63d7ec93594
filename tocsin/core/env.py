"""Typed readers for settings that come from the environment; each fails loudly on bad values."""

import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Read a comma-separated list, dropping blanks."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Read a comma-separated list of networks (CIDR, or single addresses), normalized."""
    import ipaddress

    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list networks like 10.20.0.0/16 or fd00::/8, not {item!r}."
            ) from None
    return networks


def development_secrets(var_dir: Path) -> dict[str, str]:
    """Return this checkout's own generated secrets, creating them on first use.

    Only used outside production, so that `make demo` needs no set-up and the demo's
    encrypted data stays readable across restarts.
    """
    path = var_dir / "development-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    from cryptography.fernet import Fernet

    values = {
        "TOCSIN_SECRET_KEY": secrets.token_urlsafe(50),
        "TOCSIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "TOCSIN_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }
    var_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values
