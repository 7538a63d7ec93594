"""`tocsin backup`: the data in one archive, the keys never in it.

Whoever holds a backup and the keys reads every contact detail, so the two must never
travel together (issue 13, item 10). The archive holds a copy of the database, taken while
Tocsin runs, and the uploaded media; it never holds a key, and it is checked: every key's
bytes (as configured and decoded) are searched for in what is written. A database that holds
a key in the clear stops the backup; a media file that holds one is left out and named. The
keys go, only when asked (`--keys FILE`), to a file of their own, outside the backup's
folder and the data directory, in the format TOCSIN_CREDENTIALS_FILE reads.

The database copy:
- SQLite: `VACUUM INTO`, an online, consistent copy that, unlike a page-by-page copy, leaves
  behind the free pages where erased rows may linger.
- PostgreSQL: `pg_dump --format=custom --compress=0` (uncompressed, so that the key search
  means something; the archive compresses it), with the server's credentials passed in the
  environment, never on the command line.
"""

import base64
import binascii
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from tocsin.core.env import DEVELOPMENT_VAPID_FILE

ARCHIVE_FORMAT = 1
CHUNK = 1024 * 1024
# Shorter values are not searched for: they could turn up in any file by chance.
MIN_KEY_BYTES = 12
KEYS_NOTE = (
    "Keys are not in this archive. Restoring it needs TOCSIN_SECRET_KEY, "
    "TOCSIN_ENCRYPTION_KEYS and TOCSIN_BLIND_INDEX_KEY from where you keep them."
)


class BackupRefused(Exception):
    """The backup cannot be written without putting keys beside the data, or at all."""


@dataclass
class Backup:
    archive: Path
    database: str
    media_files: int = 0
    left_out: list[str] = field(default_factory=list)
    keys_file: Path | None = None


def configured_keys() -> dict[str, str]:
    """Return each key and secret this server holds, by the name of its setting."""
    keys = {
        "TOCSIN_SECRET_KEY": settings.SECRET_KEY,
        "TOCSIN_ENCRYPTION_KEYS": ",".join(settings.TOCSIN_ENCRYPTION_KEYS),
        "TOCSIN_BLIND_INDEX_KEY": settings.TOCSIN_BLIND_INDEX_KEY,
        "TOCSIN_SMS_TOKEN": settings.TOCSIN_SMS_TOKEN,
    }
    vapid = settings.TOCSIN_VAPID_PRIVATE_KEY
    if not vapid:
        # Outside production the demo's pair lives under var/; never make one here.
        path = Path(settings.VAR_DIR) / DEVELOPMENT_VAPID_FILE
        if path.exists():
            vapid = json.loads(path.read_text()).get("TOCSIN_VAPID_PRIVATE_KEY", "")
    keys["TOCSIN_VAPID_PRIVATE_KEY"] = vapid
    return {name: value for name, value in keys.items() if value}


def key_patterns() -> dict[bytes, str]:
    """Return the byte strings that betray a key, each with its setting's name: the value as
    configured, each key of a list, and what base64 keys decode to (whole and in halves,
    since a Fernet key is a signing key and an encryption key side by side)."""
    patterns: dict[bytes, str] = {}
    for name, value in configured_keys().items():
        for part in [value, *value.split(",")]:
            part = part.strip()
            candidates = [part.encode()]
            if "PRIVATE KEY" not in part:
                raw = b64decode(part)
                if raw:
                    candidates += [raw, raw[: len(raw) // 2], raw[len(raw) // 2 :]]
            for candidate in candidates:
                if len(candidate) >= MIN_KEY_BYTES:
                    patterns[candidate] = name
    return patterns


def b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    for decode in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            return decode(padded.encode())
        except (binascii.Error, ValueError):
            continue
    return b""


def keys_in(path: Path, patterns: dict[bytes, str]) -> set[str]:
    """Return the names of the keys whose bytes appear anywhere in the file."""
    if not patterns:
        return set()
    overlap = max(len(pattern) for pattern in patterns) - 1
    found: set[str] = set()
    tail = b""
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            window = tail + chunk
            found |= {name for pattern, name in patterns.items() if pattern in window}
            tail = window[-overlap:] if overlap else b""
    return found


def data_directories() -> list[Path]:
    from tocsin.core.checks import data_directories as directories

    return directories()


def copy_database(into: Path) -> tuple[Path, str]:
    """Copy the database, consistently and while Tocsin runs, into the folder `into`."""
    database = settings.DATABASES["default"]
    vendor = connection.vendor
    if vendor == "sqlite":
        target = into / "tocsin.sqlite3"
        source = sqlite3.connect(f"file:{database['NAME']}?mode=ro", uri=True, timeout=20)
        try:
            source.execute("VACUUM INTO ?", [str(target)])
        finally:
            source.close()
        copy = sqlite3.connect(target)
        try:
            # A file that opens alone: no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        return target, "sqlite"
    if vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupRefused(
                "pg_dump is not installed. Install PostgreSQL's client tools "
                "(Debian: postgresql-client, the server's major version or newer)."
            )
        target = into / "tocsin.pgdump"
        env = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
        command = [pg_dump, "--format=custom", "--compress=0", "--no-owner", "--no-privileges"]
        command += [f"--file={target}", f"--dbname={database['NAME']}"]
        if database.get("HOST"):
            command.append(f"--host={database['HOST']}")
        if database.get("PORT"):
            command.append(f"--port={database['PORT']}")
        if database.get("USER"):
            command.append(f"--username={database['USER']}")
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise BackupRefused(f"pg_dump failed: {result.stderr.strip()[:500]}")
        return target, "postgresql"
    raise BackupRefused(f"Backups of a {vendor} database are not supported.")


def media_files() -> Iterator[tuple[Path, str]]:
    """Yield each uploaded file (never a link, which could lead anywhere) and its name in
    the archive."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        yield path, "media/" + path.relative_to(root).as_posix()


def applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def make_backup(out: Path, keys_file: Path | None = None) -> Backup:
    """Write the database and the media into one archive under `out`, and, when asked, the
    keys into `keys_file`; raise BackupRefused rather than put keys beside the data."""
    if keys_file is not None:
        for folder in [out, *data_directories()]:
            if inside(keys_file, folder):
                raise BackupRefused(
                    f"--keys {keys_file} is inside {folder.resolve()}: keys kept with the "
                    "backups or the data are taken with them. Write them somewhere else."
                )
        if keys_file.exists():
            raise BackupRefused(f"--keys {keys_file} exists already; it is not overwritten.")
    out.mkdir(parents=True, exist_ok=True)
    patterns = key_patterns()
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive = out / f"tocsin-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="tocsin-backup-") as work:
        database, engine = copy_database(Path(work))
        leaked = keys_in(database, patterns)
        if leaked:
            raise BackupRefused(
                "The database holds " + ", ".join(sorted(leaked)) + " in the clear; no backup "
                "was written, since it would hold the key beside the data."
            )
        backup = Backup(archive=archive, database=engine)
        partial = out / f".{archive.name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(descriptor, "wb") as file,
                tarfile.open(fileobj=file, mode="w:gz") as tar,
            ):
                tar.add(database, arcname=f"database/{database.name}")
                for path, name in media_files():
                    if keys_in(path, patterns):
                        backup.left_out.append(name)
                        continue
                    tar.add(path, arcname=name)
                    backup.media_files += 1
                manifest = {
                    "tocsin_backup": ARCHIVE_FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "database": {"engine": engine, "file": f"database/{database.name}"},
                    "migrations": applied_migrations(),
                    "media_files": backup.media_files,
                    "left_out": backup.left_out,
                    "keys": KEYS_NOTE,
                }
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("MANIFEST.json")
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, archive)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    if keys_file is not None:
        write_keys(keys_file)
        backup.keys_file = keys_file
    return backup


def write_keys(path: Path) -> None:
    """Write the keys, readable by their owner only, as NAME=value lines."""
    lines = [
        "# Tocsin's keys, written by `tocsin backup --keys`. Keep this file apart from the",
        "# backups: whoever holds both reads every contact detail. It is a credentials file:",
        "# point TOCSIN_CREDENTIALS_FILE at it, or copy its lines into the environment.",
    ]
    lines += [f"{name}={value}" for name, value in configured_keys().items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(lines) + "\n")
