"""Whoever seizes a backup, or the data directory, must not get the keys with it
(issue 13, item 10).

The operator keeps the keys in a credentials file apart from the data, runs the real
`tocsin backup`, and hands the archive to whoever stores backups. The seizer opens it and
searches it for every key, as text and as the bytes the key decodes to: nothing. The
member's email address is not in it either (it is encrypted). With the keys file, kept
elsewhere, the archive restores into a Tocsin that finds the member and reads the address.
"""

import base64
import functools
import os
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from tests.conftest import make_org, make_person
from tests.demo.conftest import run_tocsin as run_tocsin_for
from tests.faults.servers import database_url, the_keys

REPO = Path(__file__).resolve().parents[2]
# A backup of PostgreSQL runs pg_dump and pg_restore: give it longer than a check.
run_tocsin = functools.partial(run_tocsin_for, timeout=120)
EMAIL = "rosa.backup@mna.test"


def operator_env(tmp_path: Path, credentials: Path, url: str) -> dict[str, str]:
    """A production environment whose keys live in a credentials file, not in the data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    (tmp_path / "var").mkdir(exist_ok=True)
    return env | {
        "DJANGO_SETTINGS_MODULE": "tocsin.settings",
        "TOCSIN_ENV": "production",
        "TOCSIN_VAR_DIR": str(tmp_path / "var"),
        "TOCSIN_ALLOWED_HOSTS": "tocsin.example.org",
        "TOCSIN_BASE_URL": "https://tocsin.example.org",
        "TOCSIN_CREDENTIALS_FILE": str(credentials),
        "DATABASE_URL": url,
    }


def betraying_bytes(keys: dict[str, str]) -> dict[bytes, str]:
    """Every way a key could sit in a file: its text, and what its base64 decodes to."""
    found: dict[bytes, str] = {}
    for name, value in keys.items():
        for part in value.split(","):
            found[part.encode()] = name
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            found[raw] = name
            found[raw[:16]] = name
            found[raw[16:]] = name
    return found


@pytest.fixture
def credentials(tmp_path):
    """/etc/tocsin/keys.env, as the operator keeps it: apart from the data."""
    path = tmp_path / "etc" / "keys.env"
    path.parent.mkdir()
    path.write_text("".join(f"{name}={value}\n" for name, value in the_keys().items()))
    return path


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_no_key_and_restores_with_the_keys_kept_apart(tmp_path, credentials):
    make_person(make_org(), email=EMAIL, password="backup horse 42", name="Rosa Backup")
    env = operator_env(tmp_path, credentials, database_url())
    out, keys_file = tmp_path / "backups", tmp_path / "safe" / "tocsin-keys.env"

    made = run_tocsin("backup", "--out", str(out), "--keys", str(keys_file), env=env)

    assert made.returncode == 0, made.stderr
    assert "Store it somewhere other than the backups" in made.stderr
    [archive] = out.glob("tocsin-backup-*.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0
    contents = read_archive(archive)
    assert any(name.startswith("database/") for name in contents)
    for name, data in contents.items():
        for pattern, key in betraying_bytes(the_keys()).items():
            assert pattern not in data, f"{key} is in {name}"
        assert EMAIL.encode() not in data
    assert b"Rosa Backup" in b"".join(contents.values())  # the data is there
    kept = keys_file.read_text()
    assert all(f"{name}={value}" in kept for name, value in the_keys().items())
    assert keys_file.stat().st_mode & 0o077 == 0

    restored_url = restore(tmp_path, archive)
    try:
        check = (
            "from tocsin.accounts.services.people import find_person_by_login as f; "
            f"p = f({EMAIL!r}); print(p.display_name, p.contacts.get().address)"
        )
        found = run_tocsin(
            "shell", "-c", check, env=operator_env(tmp_path, keys_file, restored_url)
        )
        assert found.returncode == 0, found.stderr
        assert f"Rosa Backup {EMAIL}" in found.stdout

        other_keys = tmp_path / "etc" / "other.env"
        other_keys.write_text(
            f"TOCSIN_SECRET_KEY={'s' * 10}{Fernet.generate_key().decode()}\n"
            f"TOCSIN_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
            f"TOCSIN_BLIND_INDEX_KEY={Fernet.generate_key().decode()}\n"
        )
        without = run_tocsin(
            "shell", "-c", check, env=operator_env(tmp_path, other_keys, restored_url)
        )
        assert EMAIL not in without.stdout
    finally:
        drop_restored(restored_url)


def read_archive(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar if member.isfile()}


def restore(tmp_path: Path, archive: Path) -> str:
    """Restore the archive's database as an operator would; return its URL."""
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "restore", filter="data")
    database = tmp_path / "restore" / "database"
    if connection.vendor == "sqlite":
        return f"sqlite:///{database / 'tocsin.sqlite3'}"
    name = f"restored_{uuid.uuid4().hex[:8]}"
    url = database_url().rsplit("/", 1)[0] + "/" + name
    admin = database_url().rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-c", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={url}", str(database / "tocsin.pgdump")],
        check=True,
    )
    return url


def drop_restored(url: str) -> None:
    if url.startswith("postgres"):
        base, name = url.rsplit("/", 1)
        subprocess.run(["psql", base + "/postgres", "-c", f'DROP DATABASE "{name}"'], check=True)


@pytest.mark.django_db(transaction=True)
def test_deploy_checks_warn_of_a_credentials_file_kept_under_the_data(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    beside = var / "keys.env"
    beside.write_text("".join(f"{name}={value}\n" for name, value in the_keys().items()))
    env = operator_env(tmp_path, beside, f"sqlite:///{var / 'tocsin.sqlite3'}")

    checked = run_tocsin("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert checked.returncode != 0
    assert "tocsin.W003" in checked.stderr and str(beside) in checked.stderr


def test_production_reads_its_keys_from_systemd_credentials(tmp_path):
    directory = tmp_path / "credentials"
    directory.mkdir()
    (tmp_path / "var").mkdir()
    for name, value in the_keys().items():
        (directory / name).write_text(value + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tocsin.settings",
        "TOCSIN_ENV": "production",
        "TOCSIN_VAR_DIR": str(tmp_path / "var"),
        "TOCSIN_ALLOWED_HOSTS": "tocsin.example.org",
        "TOCSIN_BASE_URL": "https://tocsin.example.org",
        "CREDENTIALS_DIRECTORY": str(directory),
    }

    result = run_tocsin(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TOCSIN_BLIND_INDEX_KEY)",
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert settings.TOCSIN_BLIND_INDEX_KEY in result.stdout
    assert not (tmp_path / "var" / "development-secrets.json").exists()


def test_production_names_a_credentials_file_it_cannot_read(tmp_path):
    env = operator_env(tmp_path, tmp_path / "etc" / "missing.env", "sqlite:///unused.sqlite3")

    result = run_tocsin("check", env=env)

    assert result.returncode != 0
    assert "TOCSIN_CREDENTIALS_FILE" in result.stderr and "missing.env" in result.stderr
    assert "Traceback" not in result.stderr
