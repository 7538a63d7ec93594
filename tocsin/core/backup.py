"""`tocsin backup`: the data in one archive, the keys never in it; `tocsin restore`: the
archive back into the configured database, checked against the configured keys.

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

Restoring refuses a database that holds Tocsin's tables unless forced, and a backup the
configured keys do not open (the start-up check of tocsin/core/keys.py), leaving the
database as it was:
- SQLite: the copy is checked before it is written into DATABASE_URL's file with SQLite's
  online backup API, which replaces the file's whole content (a write-ahead log included).
- PostgreSQL: `pg_restore` writes the dump out as a script, which psql runs in one
  transaction (after dropping Tocsin's tables, when forced); the restored data is then
  checked, and dropped again if the keys do not open it and the database held nothing before. Forced over a
  database, a restore the keys do not open stays: it replaced the old data already.
"""

import base64
import binascii
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from tocsin.core.checks import data_directories as directories
from tocsin.core.env import DEVELOPMENT_VAPID_FILE
from tocsin.core.keys import key_problems

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


class RestoreRefused(Exception):
    """The backup cannot be restored: not a backup, a database in the way, the wrong keys."""


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
        command = [pg_dump, "--format=custom", "--compress=0", "--no-owner", "--no-privileges"]
        command += [f"--file={target}", *postgres_connection()]
        result = subprocess.run(  # noqa: S603
            command, env=postgres_env(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise BackupRefused(f"pg_dump failed: {result.stderr.strip()[:500]}")
        return target, "postgresql"
    raise BackupRefused(f"Backups of a {vendor} database are not supported.")


def postgres_connection() -> list[str]:
    """Return the arguments that point pg_dump, pg_restore or psql at the configured database."""
    database = settings.DATABASES["default"]
    arguments = [f"--dbname={database['NAME']}"]
    for option, key in (("host", "HOST"), ("port", "PORT"), ("username", "USER")):
        if database.get(key):
            arguments.append(f"--{option}={database[key]}")
    return arguments


def postgres_env() -> dict[str, str]:
    """Return the environment that gives PostgreSQL's tools the password, off the command line."""
    return {**os.environ, "PGPASSWORD": str(settings.DATABASES["default"].get("PASSWORD") or "")}


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


@dataclass
class Restored:
    database: str
    created_at: str
    media_files: int = 0
    pending_migrations: int = 0


def restore_backup(archive: Path, force: bool = False) -> Restored:
    """Restore the database and media of an archive `tocsin backup` wrote; raise
    RestoreRefused, leaving the database as it was, when it cannot or must not."""
    if not archive.is_file():
        raise RestoreRefused(f"{archive} is not a file.")
    with tempfile.TemporaryDirectory(prefix="tocsin-restore-") as work:
        manifest, database, media = unpack(archive, Path(work))
        engine = manifest["database"]["engine"]
        if engine != connection.vendor:
            raise RestoreRefused(
                f"{archive} holds a {engine} database, but DATABASE_URL names a "
                f"{connection.vendor} one. Point DATABASE_URL at a {engine} database to "
                "restore it."
            )
        if tocsin_tables() and not force:
            raise RestoreRefused(
                "The database DATABASE_URL names holds Tocsin's tables already; nothing was "
                "restored. Restore into an empty database, or add --force to replace "
                "everything it holds with the backup."
            )
        if engine == "sqlite":
            restore_sqlite(database)
        else:
            restore_postgres(database, force)
        restored = Restored(database=engine, created_at=str(manifest.get("created_at", "")))
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
            restored.media_files = sum(1 for path in media.rglob("*") if path.is_file())
    executor = MigrationExecutor(connection)
    restored.pending_migrations = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return restored


def unpack(archive: Path, work: Path) -> tuple[dict, Path, Path]:
    """Read the whole archive into `work` before anything is restored; return its manifest,
    its database file and its media folder. Refuse an archive that is damaged, or whose
    members would land outside `work` (tarfile's data filter)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = read_manifest(tar, archive)
            name = manifest["database"]["file"]
            members = [
                member
                for member in tar.getmembers()
                if member.name == name or member.name.startswith("media/")
            ]
            if name not in {member.name for member in members if member.isfile()}:
                raise RestoreRefused(f"{archive} has no {name}, which its manifest names.")
            tar.extractall(work, members=members, filter="data")
    except (EOFError, zlib.error, gzip.BadGzipFile, tarfile.TarError) as error:
        raise RestoreRefused(f"{archive} cannot be read as a Tocsin backup ({error}).") from None
    return manifest, work / name, work / "media"


def read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        member = tar.getmember("MANIFEST.json")
        file = tar.extractfile(member) if member.isfile() else None
        manifest = json.loads(file.read() if file else b"")
        database = manifest["database"]
    except (KeyError, ValueError, TypeError):
        raise RestoreRefused(
            f"{archive} is not a backup `tocsin backup` wrote: it has no readable MANIFEST.json."
        ) from None
    if manifest.get("tocsin_backup") != ARCHIVE_FORMAT or database.get("file") not in {
        "database/tocsin.sqlite3",
        "database/tocsin.pgdump",
    }:
        raise RestoreRefused(
            f"{archive} is a backup in a format this Tocsin does not read "
            f"(format {manifest.get('tocsin_backup')!r})."
        )
    return manifest


def tocsin_tables() -> set[str]:
    """Return the tables of Tocsin's models (and its migration records) the database holds;
    nothing for a SQLite file that does not exist, which is never created here."""
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite" and not Path(str(database["NAME"])).exists():
        return set()
    ours = set(connection.introspection.django_table_names(include_views=False))
    ours.add(MigrationRecorder.Migration._meta.db_table)
    return ours & set(connection.introspection.table_names())


NOT_RESTORED = (
    "nothing was restored. Give Tocsin the keys the backup was made under (the file "
    "`tocsin backup --keys` wrote) and restore it again."
)


def refuse_keys(problems: dict[str, str], outcome: str) -> RestoreRefused:
    return RestoreRefused(
        f"The configured keys do not open this backup: {outcome}\n  "
        + "\n  ".join(problems.values())
    )


def restore_sqlite(copy: Path) -> None:
    """Check the copy against the keys, then write it over DATABASE_URL's file."""
    try:
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as database:
            verdict = database.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        verdict = str(error)
    if verdict != "ok":
        raise RestoreRefused(f"The backup's database is damaged ({verdict}): nothing was restored.")
    wrapper = connections[DEFAULT_DB_ALIAS].__class__(
        {**connection.settings_dict, "NAME": str(copy), "OPTIONS": {}}, alias="tocsin-restore"
    )
    try:
        problems = key_problems(wrapper)
    finally:
        wrapper.close()
    if problems:
        raise refuse_keys(problems, NOT_RESTORED)
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    connection.close()
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(target, timeout=20)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def restore_postgres(copy: Path, force: bool) -> None:
    """Restore the dump in one transaction, then check it against the keys; undo it when
    they do not open it and the database held nothing of Tocsin's before."""
    pg_restore, psql = shutil.which("pg_restore"), shutil.which("psql")
    if pg_restore is None or psql is None:
        raise RestoreRefused(
            "pg_restore and psql are not installed. Install PostgreSQL's client tools "
            "(Debian: postgresql-client, the server's major version or newer)."
        )
    script = copy.with_suffix(".sql")
    clean = ["--clean", "--if-exists"] if force else []
    written = subprocess.run(  # noqa: S603
        [pg_restore, "--no-owner", "--no-privileges", *clean, f"--file={script}", str(copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    if written.returncode != 0:
        raise RestoreRefused(
            f"pg_restore cannot read the backup's database, so nothing was restored: "
            f"{written.stderr.strip()[:500]}"
        )
    replaced = sorted(tocsin_tables())
    before = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    command = [psql, "--quiet", "--no-psqlrc", "--single-transaction", "--set=ON_ERROR_STOP=1"]
    if replaced:
        command += ["--command", f"DROP TABLE {', '.join(map(quote, replaced))} CASCADE"]
    command += [f"--file={script}", *postgres_connection()]
    connection.close()
    ran = subprocess.run(  # noqa: S603
        command,
        env=postgres_env() | {"PGOPTIONS": "-c client_min_messages=warning"},
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        raise RestoreRefused(
            "psql could not restore the backup, and left the database as it was: "
            f"{ran.stderr.strip()[:500]}"
        )
    problems = key_problems()
    if not problems:
        return
    if replaced:
        raise refuse_keys(
            problems,
            "it replaced what the database held (--force), and Tocsin will not start on it "
            "until it has the keys the backup was made under (the file `tocsin backup --keys` "
            "wrote).",
        )
    added = sorted(set(connection.introspection.table_names()) - before)
    if added:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(map(quote, added))} CASCADE")
    raise refuse_keys(problems, NOT_RESTORED)
