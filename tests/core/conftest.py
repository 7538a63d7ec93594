"""Running `tocsin` as an operator would, on the test's database or on an empty one, with
the test's keys or with others."""

import subprocess
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from tests.demo.conftest import production_env
from tests.faults.servers import database_url


def new_key() -> str:
    return Fernet.generate_key().decode()


def operator_env(tmp_path: Path, url: str | None = None, **keys: str) -> dict[str, str]:
    """A production environment on the test's database (or `url`) with the test's keys, but
    for those given."""
    var = tmp_path / "var"
    var.mkdir(exist_ok=True)
    values = {
        "TOCSIN_SECRET_KEY": settings.SECRET_KEY,
        "TOCSIN_ENCRYPTION_KEYS": ",".join(settings.TOCSIN_ENCRYPTION_KEYS),
        "TOCSIN_BLIND_INDEX_KEY": settings.TOCSIN_BLIND_INDEX_KEY,
        "DATABASE_URL": url or database_url(),
    }
    return production_env(var, **(values | keys))


def postgres(*sql: str) -> None:
    admin = database_url("postgres")
    for statement in sql:
        subprocess.run(["psql", "--quiet", admin, "-c", statement], check=True)


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a database that does not hold anything yet: a SQLite file still to be made,
    or a new PostgreSQL database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield database_url(str(tmp_path / "restored" / "tocsin.sqlite3"))
        return
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    postgres(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    postgres(f'DROP DATABASE "{name}" WITH (FORCE)')
