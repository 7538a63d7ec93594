"""Deployment checks (`tocsin check --deploy`): secrets, keys beside the data, inward channels;
and, at the start of every command that serves or works, the keys against the stored data.

Production refuses to start with a demo, default or placeholder secret (tocsin/settings.py);
these checks name the same problems in any environment, so an operator can try a
configuration before switching it to production, and add what only the database knows:
organizations whose reporting number has no gateway token, notice channels whose URL is no
longer accepted. Messages name variables, organizations and files, never a secret's value.
The checks that read an app's rows or servers live in that app (`accounts/checks.py`,
`delivery/checks.py`), registered by its AppConfig; the ids are listed here, in one place.

tocsin.E001  a secret is a demo, default, placeholder or development value, or too weak
tocsin.E002  an organization's SMS gateway token is a demo or placeholder value
tocsin.E003  no key in TOCSIN_ENCRYPTION_KEYS opens the stored data (not only --deploy)
tocsin.E004  TOCSIN_BLIND_INDEX_KEY does not find the stored contacts (not only --deploy)
tocsin.W001  a variable no longer read is set (TOCSIN_SMS_INBOUND_TOKEN, _SMS_MAX_LENGTH)
tocsin.W002  an organization takes reports at a number but has no SMS gateway token
tocsin.W003  a key file sits under the data directory (var dir, database directory, media)
tocsin.W004  TOCSIN_NOTICE_ALLOWED_NETWORKS lets notice channels reach this machine
tocsin.W005  a notice channel's URL is no longer accepted
tocsin.W010  the Signal gateway's mode and version hide failures, or cannot be read, or
             TOCSIN_SIGNAL_TIMEOUT_SECONDS is not above its own timeout
tocsin.W011  TOCSIN_MAP_TILES_FILE cannot be read or holds no image tiles (the maps go plain)
"""

import ipaddress
import os
from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connection

from tocsin.core.env import (
    DEVELOPMENT_SECRETS_FILE,
    DEVELOPMENT_VAPID_FILE,
    secret_problems,
)
from tocsin.core.keys import key_problems
from tocsin.core.tiles import TilesError, archive

DOCS = "See docs/deployment.md."
KEYS_DOCS = 'See docs/deployment.md, "Keys that do not open the data".'
KEY_CHECK_IDS = {"TOCSIN_ENCRYPTION_KEYS": "tocsin.E003", "TOCSIN_BLIND_INDEX_KEY": "tocsin.E004"}


def secret_values() -> dict[str, str]:
    """Return every secret-bearing setting as the running configuration holds it."""
    return {
        "TOCSIN_SECRET_KEY": settings.SECRET_KEY,
        "TOCSIN_ENCRYPTION_KEYS": ",".join(settings.TOCSIN_ENCRYPTION_KEYS),
        "TOCSIN_BLIND_INDEX_KEY": settings.TOCSIN_BLIND_INDEX_KEY,
        "TOCSIN_SMS_TOKEN": settings.TOCSIN_SMS_TOKEN,
        "TOCSIN_SMS_ACCOUNT": settings.TOCSIN_SMS_ACCOUNT,
        "TOCSIN_SMS_FROM": settings.TOCSIN_SMS_FROM,
        "TOCSIN_SIGNAL_NUMBER": settings.TOCSIN_SIGNAL_NUMBER,
        "TOCSIN_VAPID_PRIVATE_KEY": settings.TOCSIN_VAPID_PRIVATE_KEY,
        "TOCSIN_SMTP_URL": settings.TOCSIN_SMTP_URL,
        "TOCSIN_SIGNAL_URL": settings.TOCSIN_SIGNAL_URL,
        "TOCSIN_SMS_URL": settings.TOCSIN_SMS_URL,
        "DATABASE_URL": settings.DATABASE_URL,
        "TOCSIN_QUEUE_URL": settings.TOCSIN_QUEUE_URL,
    }


@register(Tags.security, deploy=True)
def check_secrets(app_configs, **kwargs) -> list:
    """Name each secret that production would refuse to start with."""
    found: list[CheckMessage] = [
        Error(problem, id="tocsin.E001", hint=DOCS)
        for problem in secret_problems(secret_values(), Path(settings.VAR_DIR))
    ]
    if os.environ.get("TOCSIN_SMS_INBOUND_TOKEN", "").strip():
        found.append(
            Warning(
                "TOCSIN_SMS_INBOUND_TOKEN is no longer read: each organization saves its own "
                "SMS gateway token with its reporting number (Settings).",
                hint="Remove the variable once every reporting number has its token.",
                id="tocsin.W001",
            )
        )
    if os.environ.get("TOCSIN_SMS_MAX_LENGTH", "").strip():
        found.append(
            Warning(
                "TOCSIN_SMS_MAX_LENGTH is no longer read: texts are fitted to "
                "TOCSIN_SMS_MAX_SEGMENTS segments (2 unless set), counted by their encoding.",
                hint="Remove it; set TOCSIN_SMS_MAX_SEGMENTS if 2 is not what you want.",
                id="tocsin.W001",
            )
        )
    return found


def data_directories() -> list[Path]:
    """Return the directories whose copy is a copy of the data: var, the SQLite database's,
    the uploaded media's."""
    directories = [Path(settings.VAR_DIR), Path(settings.MEDIA_ROOT)]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        directories.append(Path(str(database["NAME"])).parent)
    return [directory.resolve() for directory in directories]


def key_files() -> list[tuple[Path, str]]:
    """Return the files and directories that hold keys, with what each holds."""
    found: list[tuple[Path, str]] = []
    if settings.TOCSIN_CREDENTIALS_FILE:
        found.append((Path(settings.TOCSIN_CREDENTIALS_FILE), "TOCSIN_CREDENTIALS_FILE"))
    directory = os.environ.get("CREDENTIALS_DIRECTORY", "").strip()
    if directory:
        found.append((Path(directory), "$CREDENTIALS_DIRECTORY"))
    for name in (DEVELOPMENT_SECRETS_FILE, DEVELOPMENT_VAPID_FILE):
        # Where a checkout outside production makes its own keys (tocsin/core/env.py).
        path = Path(settings.VAR_DIR) / name
        if path.exists():
            found.append((path, "the development keys"))
    return found


@register(Tags.security, deploy=True)
def check_keys_apart_from_data(app_configs, **kwargs) -> list:
    """Warn when a key file sits where a copy of the data would take it along."""
    warnings = []
    seen: set[Path] = set()
    for path, holds in key_files():
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        for data_directory in data_directories():
            if resolved.is_relative_to(data_directory):
                warnings.append(
                    Warning(
                        f"{resolved} ({holds}) sits under the data directory {data_directory}: "
                        "whoever copies or seizes the data takes the keys with it.",
                        hint="Keep keys in the environment, /etc/tocsin or systemd "
                        "credentials, apart from the data. " + DOCS,
                        id="tocsin.W003",
                    )
                )
                break
    return warnings


@register(Tags.security, deploy=True)
def check_notice_networks(app_configs, **kwargs) -> list:
    """Warn when the operator lets notice channels reach this machine or its cloud's
    metadata service."""
    warnings = []
    for network in settings.TOCSIN_NOTICE_ALLOWED_NETWORKS:
        net = ipaddress.ip_network(network)
        if any(
            net.overlaps(ipaddress.ip_network(inward))
            for inward in ("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10", "0.0.0.0/32")
            if ipaddress.ip_network(inward).version == net.version
        ):
            warnings.append(
                Warning(
                    f"TOCSIN_NOTICE_ALLOWED_NETWORKS lets notice channels reach {network}, "
                    "which holds this machine's own or its cloud's metadata addresses.",
                    hint="Allow only the network of the server a notice goes to. " + DOCS,
                    id="tocsin.W004",
                )
            )
    return warnings


def database_ready() -> bool:
    """Whether the configured database exists and has tables (no check creates a file)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = str(database["NAME"])
        if name != ":memory:" and not Path(name).exists():
            return False
    try:
        return "accounts_organization" in connection.introspection.table_names()
    except DatabaseError:
        return False


@register(Tags.security)
def check_keys_open_the_data(app_configs, **kwargs) -> list:
    """Refuse to serve or work with keys that do not open the stored data: run by `tocsin
    check`, `serve`, `worker` and every other command that runs the system checks."""
    if not database_ready():
        return []
    return [
        Error(problem, id=KEY_CHECK_IDS[setting], hint=KEYS_DOCS)
        for setting, problem in key_problems().items()
    ]


@register(Tags.security)
def check_map_tiles(app_configs, **kwargs) -> list:
    """Name a tile archive the maps cannot use: they still work, on a plain background."""
    try:
        archive()
    except TilesError as error:
        return [Warning(str(error), id="tocsin.W011", hint='See docs/deployment.md, "Map tiles".')]
    return []
