"""`tocsin restore` brings back what `tocsin backup` wrote, and only with the keys that open
it (issue 14, item 10).

The operator backs up a running demo world, loses the database, and restores the archive
into a new, empty one with the real `tocsin` commands. Tocsin then finds a member by email
and by phone and reads an alert's words, as before. Each test runs on the test database's
engine: SQLite in the SQLite pass, PostgreSQL (pg_dump, pg_restore, psql) in the
PostgreSQL pass.
"""

import functools
import io
import json
import sqlite3
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import make_org, make_person
from tests.demo.conftest import run_tocsin as run_tocsin_for
from tocsin.accounts.models import Organization, Person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact, create_person, find_person_by_login
from tocsin.delivery.services import create_alert
from tocsin.demo import world as demo
from tocsin.demo.services import load_demo

from .conftest import new_key, operator_env

# pg_dump and pg_restore take longer than a check.
run_tocsin = functools.partial(run_tocsin_for, timeout=120)
EMAIL = "rosa.restored@mna.test"
PHONE = "+16125550163"
WHAT = "Two unmarked vans at the Hennepin loading dock"

READ_BACK = f"""
import json
from tocsin.accounts.models import Person
from tocsin.accounts.services.people import find_contact, find_person_by_login
from tocsin.delivery.models import Alert
print(json.dumps({{
    "by_email": find_person_by_login({EMAIL!r}).display_name,
    "by_phone": find_contact("sms", {PHONE!r}).person.display_name,
    "alert": Alert.objects.get(kind="verified").context,
    "people": Person.objects.count(),
}}))
"""


COUNT_JOINERS = """
from tocsin.accounts.models import Person
joiners = Person.objects.filter(display_name__startswith="Joiner ")
print(joiners.count(), joiners.filter(contacts__channel="email").distinct().count())
"""


@pytest.fixture
def world(transactional_db):
    """The demo world, with a member of ours and an alert whose words are encrypted."""
    load_demo()
    organization = Organization.objects.get(slug=demo.MNA)
    rosa = make_person(organization, email=EMAIL, password="restore horse 42", name="Rosa R")
    add_contact(rosa, "sms", PHONE, confirmed=True)
    create_alert(
        organization, "verified", {"what": WHAT, "where": "HCMC"}, {"whole_organizations": True}
    )
    return {
        "by_email": "Rosa R",
        "by_phone": "Rosa R",
        "alert": {"what": WHAT, "where": "HCMC"},
        "people": Person.objects.count(),
    }


@pytest.fixture
def small_world(transactional_db):
    make_person(make_org(), Role.ADMIN, email=EMAIL, password="restore horse 42", name="Rosa R")


def back_up(tmp_path: Path) -> Path:
    made = run_tocsin("backup", "--out", str(tmp_path / "backups"), env=operator_env(tmp_path))
    assert made.returncode == 0, made.stderr
    [archive] = (tmp_path / "backups").glob("tocsin-backup-*.tar.gz")
    return archive


def tables_in(url: str) -> list[str]:
    """The tables a database holds, read with its own client, not through Tocsin."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        with sqlite3.connect(path) as database:
            return [
                row[0]
                for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
    listed = subprocess.run(
        [
            "psql",
            "--quiet",
            "--tuples-only",
            "--no-align",
            url,
            "-c",
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return listed.stdout.split()


def test_a_restored_backup_serves_the_same_data(world, tmp_path, empty_database):
    archive = back_up(tmp_path)
    env = operator_env(tmp_path, url=empty_database)

    restored = run_tocsin("restore", str(archive), env=env)

    assert restored.returncode == 0, restored.stderr
    assert "The configured keys open its data and find its people" in restored.stdout
    read = run_tocsin("shell", "-c", READ_BACK, env=env)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout.strip().splitlines()[-1]) == world


def test_a_backup_the_keys_do_not_open_is_refused_and_nothing_restored(
    small_world, tmp_path, empty_database
):
    archive = back_up(tmp_path)

    refused = run_tocsin(
        "restore",
        str(archive),
        env=operator_env(tmp_path, url=empty_database, TOCSIN_ENCRYPTION_KEYS=new_key()),
    )

    assert refused.returncode != 0
    assert "The configured keys do not open this backup: nothing was restored" in refused.stderr
    assert "Set TOCSIN_ENCRYPTION_KEYS to the keys it was written with" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert tables_in(empty_database) == []


def test_it_replaces_a_database_that_holds_data_only_when_forced(small_world, tmp_path):
    archive = back_up(tmp_path)
    Person.objects.all().delete()
    make_org(slug="after", name="Made after the backup")

    refused = run_tocsin("restore", str(archive), env=operator_env(tmp_path))

    assert refused.returncode != 0 and "--force" in refused.stderr
    assert find_person_by_login(EMAIL) is None
    forced = run_tocsin("restore", "--force", str(archive), env=operator_env(tmp_path))
    assert forced.returncode == 0, forced.stderr
    assert find_person_by_login(EMAIL).display_name == "Rosa R"
    assert not Organization.objects.filter(slug="after").exists()


def test_a_damaged_backup_is_refused_and_the_database_left_as_it_was(small_world, tmp_path):
    archive = back_up(tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database/"):
                data = data[: len(data) // 3]
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    refused = run_tocsin("restore", "--force", str(damaged), env=operator_env(tmp_path))

    assert refused.returncode != 0 and "nothing was restored" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert find_person_by_login(EMAIL).display_name == "Rosa R"


@pytest.mark.fault
def test_a_backup_taken_while_people_join_holds_each_whole(small_world, tmp_path, empty_database):
    """Members keep joining while the backup runs: each one is a person and a contact written
    in one transaction. The backup holds some of them, and each of those whole."""
    stop = threading.Event()

    def join_meanwhile():
        try:
            number = 0
            while not stop.is_set():
                number += 1
                create_person(display_name=f"Joiner {number}", email=f"joiner{number}@mna.test")
        finally:
            connection.close()

    joining = threading.Thread(target=join_meanwhile)
    joining.start()
    try:
        archive = back_up(tmp_path)
    finally:
        stop.set()
        joining.join(30)
    env = operator_env(tmp_path, url=empty_database)
    assert run_tocsin("restore", str(archive), env=env).returncode == 0

    read = run_tocsin("shell", "-c", COUNT_JOINERS, env=env)

    joiners, whole = map(int, read.stdout.split()[-2:])
    assert joiners > 0 and whole == joiners, read.stderr


@pytest.mark.postgres
def test_without_pg_restore_it_says_what_to_install(small_world, tmp_path, monkeypatch):
    archive = back_up(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="postgresql-client"):
        call_command("restore", "--force", str(archive))
