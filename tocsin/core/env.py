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


# Secrets: from the environment, or from a credentials file kept apart from the data.

# Values that only ever stand in for a secret: the demo's defaults, and the placeholders of
# .env.example and docs/deployment.md. Compared without regard to case.
PLACEHOLDERS = frozenset(
    {
        "demo-token",
        "demo",
        "acdemo",
        "secret",
        "secret-token",
        "token",
        "password",
        "changeme",
        "change-me",
        "change_me",
        "example",
        "test",
        "xxx",
        "…",
        "...",
    }
)
# The demo's fictional sending numbers (555-01xx) and SMS account: never a real deployment's.
DEMO_IDENTITIES = {
    "TOCSIN_SIGNAL_NUMBER": "+15555550100",
    "TOCSIN_SMS_FROM": "+15555550101",
    "TOCSIN_SMS_ACCOUNT": "ACdemo",
}
DEVELOPMENT_SECRETS_FILE = "development-secrets.json"
DEVELOPMENT_VAPID_FILE = "vapid.json"
MIN_SECRET_KEY_LENGTH = 50
MIN_BLIND_INDEX_KEY_LENGTH = 32


def credentials_file_values(path: str) -> dict[str, str]:
    """Read a credentials file: NAME=value lines, `#` comments and blank lines ignored.

    The format of systemd's EnvironmentFile= and of `tocsin backup --keys`, so one file
    serves both. Stop when the file named cannot be read: SystemExit, as for a missing
    secret, so that the message is printed once and without a traceback.
    """
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise SystemExit(
            f"TOCSIN_CREDENTIALS_FILE names {path}, which cannot be read ({error.strerror})."
        ) from None
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _separator, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from the environment, else from systemd's credentials directory
    ($CREDENTIALS_DIRECTORY/NAME, from LoadCredential=), else from TOCSIN_CREDENTIALS_FILE.

    Either of the last two keeps keys off the disk that holds the data: see
    docs/deployment.md.
    """
    value = env_str(name)
    if value:
        return value
    directory = env_str("CREDENTIALS_DIRECTORY")
    if directory:
        path = Path(directory) / name
        if path.is_file():
            return path.read_text().strip()
    credentials_file = env_str("TOCSIN_CREDENTIALS_FILE")
    if credentials_file:
        found = credentials_file_values(credentials_file).get(name, "")
        if found:
            return found
    return default


def url_password(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        return ""
    return unquote(password or "")


def is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDERS


def development_values(var_dir: Path) -> dict[str, str]:
    """Return the secrets a development checkout made for itself under `var_dir`, by name."""
    found: dict[str, str] = {}
    for file_name in (DEVELOPMENT_SECRETS_FILE, DEVELOPMENT_VAPID_FILE):
        try:
            values = json.loads((var_dir / file_name).read_text())
        except (OSError, ValueError):
            continue
        if isinstance(values, dict):
            found.update({k: v for k, v in values.items() if isinstance(v, str) and v})
    return found


def secret_problems(values: dict[str, str], var_dir: Path) -> list[str]:
    """Return what is wrong with a production's secrets, one sentence per variable.

    `values` holds the secrets as read (a missing one as ""): a default or demo value, a
    placeholder copied from the docs, a development secret of `var_dir`, a key too short
    or not a key at all.
    """
    problems: list[str] = []
    development = development_values(var_dir)

    def refuse(name: str, why: str) -> None:
        problems.append(f"{name} {why}")

    for name, value in values.items():
        if not value:
            continue
        if name.endswith("_URL"):
            password = url_password(value)
            if password and is_placeholder(password):
                refuse(name, "holds a placeholder password; put the real one in.")
            continue
        if name in DEMO_IDENTITIES:
            if value == DEMO_IDENTITIES[name]:
                refuse(name, "is the demo's fictional value; set your own or leave it empty.")
            continue
        if is_placeholder(value):
            refuse(name, "is a demo or placeholder value, not a secret.")
        elif any(
            part.strip() and part.strip() in development.get(name, "").split(",")
            for part in value.split(",")
        ):
            refuse(
                name,
                f"is the development secret kept in {var_dir} beside the data; "
                "make a new one with `tocsin generate-key`.",
            )
    secret_key = values.get("TOCSIN_SECRET_KEY", "")
    if secret_key and (
        secret_key.startswith("django-insecure")
        or len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < 5
    ):
        refuse(
            "TOCSIN_SECRET_KEY",
            f"must be at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(make one with `tocsin generate-key`).",
        )
    keys = [k.strip() for k in values.get("TOCSIN_ENCRYPTION_KEYS", "").split(",") if k.strip()]
    if keys and not all(_is_fernet_key(key) for key in keys):
        refuse(
            "TOCSIN_ENCRYPTION_KEYS",
            "must be a list of Fernet keys (make one with `tocsin generate-key --encryption-key`).",
        )
    blind = values.get("TOCSIN_BLIND_INDEX_KEY", "")
    if blind and len(blind) < MIN_BLIND_INDEX_KEY_LENGTH:
        refuse(
            "TOCSIN_BLIND_INDEX_KEY",
            f"must be at least {MIN_BLIND_INDEX_KEY_LENGTH} random characters.",
        )
    return list(dict.fromkeys(problems))


def _is_fernet_key(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except ValueError:
        return False
    return True
