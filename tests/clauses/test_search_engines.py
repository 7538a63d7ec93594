"""SQLite's FTS5 and PostgreSQL's full text give the same answers: the same library, written
by the demo into a fresh database of each engine, searched with the same queries through
`tocsin search-clauses`, as an operator on each installation would.

The PostgreSQL side runs when TOCSIN_TEST_DATABASE_URL names a server (CI sets it); it uses
a database of its own beside the suite's, made and dropped here.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE

QUERIES = {
    # English words and their stems
    "warrant": 3,
    "warrants": 3,
    "judicial warrant": 3,
    "schools": 3,
    "nurse": 1,
    # Spanish, with and without accents
    "órdenes": 3,
    "ordenes": 3,
    "escuela": 1,
    "detención": 1,
    "deteccion": 0,
    # Somali
    "dugsiga": 1,
    # phrases
    '"judicial warrant signed by a judge"': 2,
    '"signed judicial warrant"': 0,
    '"orden judicial firmada"': 2,
    # tags
    "sanctuary": 2,
    "trauma": 1,
    # mixed languages and nothing found
    "warrant escuela": 1,
    "picket line": 0,
    '"': 0,
}
BUILD = """
from tests.clauses.conftest import library_world
library_world()
"""


def run(database_url: str, var_dir, *arguments: str) -> str:
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment |= {"DATABASE_URL": database_url, "TOCSIN_VAR_DIR": str(var_dir)}
    finished = subprocess.run(
        [sys.executable, "-m", "tocsin", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


def search_on(database_url: str, var_dir) -> dict[str, list[str]]:
    run(database_url, var_dir, "migrate", "-v", "0")
    run(database_url, var_dir, "shell", "-c", BUILD)
    output = run(
        database_url,
        var_dir,
        "search-clauses",
        "--org",
        "united-educators-of-san-francisco",
        *QUERIES,
    )
    return json.loads(output)


def postgres_url() -> str | None:
    url = os.environ.get("TOCSIN_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/tocsin_clauses_engines"))


def fresh_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS tocsin_clauses_engines")
        connection.execute("CREATE DATABASE tocsin_clauses_engines")


def drop_postgres_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS tocsin_clauses_engines")


@pytest.fixture(scope="module")
def on_sqlite(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("sqlite")
    return search_on(f"sqlite:///{var_dir / 'library.sqlite3'}", var_dir)


def test_sqlite_finds_what_the_library_holds(on_sqlite):
    results = on_sqlite
    assert {query: len(titles) for query, titles in results.items()} == QUERIES
    assert results['"judicial warrant signed by a judge"'] == [EXCLUSION_TITLE, WARRANT_TITLE]


def test_postgresql_finds_exactly_what_sqlite_finds(on_sqlite, tmp_path):
    url = postgres_url()
    if url is None:
        if os.environ.get("TOCSIN_STRICT_TESTS") == "1":
            pytest.fail("TOCSIN_TEST_DATABASE_URL is unset: the two engines cannot be compared")
        pytest.skip("TOCSIN_TEST_DATABASE_URL unset: no PostgreSQL to compare with")
    fresh_postgres_database(url)
    try:
        on_postgresql = search_on(url, tmp_path)
    finally:
        drop_postgres_database(url)
    assert on_postgresql == on_sqlite
