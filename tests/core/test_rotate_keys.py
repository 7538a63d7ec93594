"""`tocsin rotate-keys` moves the stored data to the newest key while Tocsin runs, and never
writes over a change made meanwhile (issue 14, item 9)."""

import io
import subprocess
import sys
import threading
import time
from functools import cache

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tests.conftest import make_person
from tests.demo.conftest import REPO
from tocsin.accounts.models import ContactPoint, Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.services.organizations import update_organization
from tocsin.accounts.services.people import (
    add_contact,
    contact_index_for,
    create_person,
    find_contact,
)
from tocsin.bench.population import PushPool, populate

from .conftest import new_key, operator_env

# Enough members that the first pass lasts a second or more (SQLite) or several (PostgreSQL:
# a round trip per row), so that the changes land while it runs.
MEMBERS = 15000
NEW_NUMBER = "+16125550177"
NEW_TOKEN = "f3c9a5e7d21b8c4a6e90f1d3b5c7a290"


def stored_token(contact) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM accounts_contactpoint WHERE id = %s", [contact.pk])
        return cursor.fetchone()[0]


def made_with(key: str, token: str) -> bool:
    try:
        fernet(key).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


@cache
def fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def test_rotated_data_reads_with_the_new_key_alone(db, settings):
    old, new = new_key(), new_key()
    settings.TOCSIN_ENCRYPTION_KEYS = [old]
    contact = add_contact(create_person(display_name="Rosa"), "sms", "+16125550147")
    settings.TOCSIN_ENCRYPTION_KEYS = [new, old]

    call_command("rotate-keys", stdout=io.StringIO())

    settings.TOCSIN_ENCRYPTION_KEYS = [new]
    assert made_with(new, stored_token(contact))
    assert ContactPoint.objects.get(pk=contact.pk).address == "+16125550147"


def test_a_second_run_writes_nothing(db, settings):
    old, new = new_key(), new_key()
    settings.TOCSIN_ENCRYPTION_KEYS = [old]
    contact = add_contact(create_person(display_name="Rosa"), "sms", "+16125550147")
    settings.TOCSIN_ENCRYPTION_KEYS = [new, old]
    call_command("rotate-keys", stdout=io.StringIO())
    rotated = stored_token(contact)

    said = io.StringIO()
    call_command("rotate-keys", stdout=said)

    assert stored_token(contact) == rotated
    assert "0 rows re-encrypted; every stored value is now under the newest key" in said.getvalue()


def test_it_stops_at_a_value_no_configured_key_opens(db, settings):
    settings.TOCSIN_ENCRYPTION_KEYS = [new_key()]
    add_contact(create_person(display_name="Rosa"), "sms", "+16125550147")
    settings.TOCSIN_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(CommandError, match="opens with no key in TOCSIN_ENCRYPTION_KEYS"):
        call_command("rotate-keys", stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_changed_between_its_read_and_its_write_is_read_again(settings):
    """A member saves a new number in the instant between the rotation's read of the row and
    its write: the write waits for the member's transaction, finds the row changed, and reads
    it again instead of writing the old number back."""
    old, new = new_key(), new_key()
    settings.TOCSIN_ENCRYPTION_KEYS = [old]
    contact = add_contact(create_person(display_name="Rosa"), "sms", "+16125550147")
    settings.TOCSIN_ENCRYPTION_KEYS = [new, old]
    rotation_pid = backend_pid()
    locked = threading.Event()

    def change_the_number():
        try:
            with transaction.atomic():
                ContactPoint.objects.select_for_update().get(pk=contact.pk)
                normalized, index = contact_index_for("sms", NEW_NUMBER)
                ContactPoint.objects.filter(pk=contact.pk).update(
                    address=normalized, address_index=index
                )
                locked.set()
                wait_until_blocked(rotation_pid)
        finally:
            connection.close()

    member = threading.Thread(target=change_the_number)
    member.start()
    assert locked.wait(10)
    said = io.StringIO()
    call_command("rotate-keys", stdout=said)
    member.join(10)

    settings.TOCSIN_ENCRYPTION_KEYS = [new]
    assert ContactPoint.objects.get(pk=contact.pk).address == NEW_NUMBER
    assert find_contact("sms", NEW_NUMBER).pk == contact.pk
    assert "1 changed meanwhile and were read again" in said.getvalue()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_blocked(pid: int) -> None:
    """Wait until the PostgreSQL session `pid` waits for a lock (the rotation's write)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == "Lock":
                return
        time.sleep(0.02)
    raise AssertionError("the rotation never waited for the member's change")


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_changes_made_while_the_keys_rotate_stand(tmp_path, settings):
    """The rotation runs while members and admins work. An admin saves the organization's SMS
    gateway token from a server not yet restarted with the new key, and a member's number
    changes (its address and blind index together, through the model: no screen edits an
    address in place yet). Once the rotation is over and the old key is gone, both changes
    stand: the token reads, and the member is found by the new number."""
    old, new = new_key(), new_key()
    settings.TOCSIN_ENCRYPTION_KEYS = [old]
    organization, _site = populate(MEMBERS, PushPool("http://127.0.0.1:9", [("a", "b", "c")]))
    admin = make_person(organization, Role.ADMIN, name="Ada Admin")
    contacts = ContactPoint.objects.filter(channel="sms").order_by("pk")
    first, moving = contacts.first(), contacts.last()
    old_number = moving.address
    env = operator_env(tmp_path, TOCSIN_ENCRYPTION_KEYS=f"{new},{old}")
    rotation = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "rotate-keys"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not made_with(new, stored_token(first)):
            assert rotation.poll() is None, rotation.communicate()
            assert time.monotonic() < deadline, "no row was rotated in a minute"
            time.sleep(0.05)
        assert made_with(old, stored_token(moving)), (
            "the last contact was rotated as soon as the first: one transaction for the table"
        )

        settings.TOCSIN_ENCRYPTION_KEYS = [old]
        update_organization(
            admin, organization, report_number="+16125550150", sms_inbound_token=NEW_TOKEN
        )
        settings.TOCSIN_ENCRYPTION_KEYS = [new, old]
        normalized, index = contact_index_for("sms", NEW_NUMBER)
        ContactPoint.objects.filter(pk=moving.pk).update(address=normalized, address_index=index)
        assert rotation.poll() is None, "the rotation ended before the changes were made"

        out, err = rotation.communicate(timeout=180)
    finally:
        rotation.kill()
    assert rotation.returncode == 0, err
    assert "written under an old key while the rotation ran" in out

    settings.TOCSIN_ENCRYPTION_KEYS = [new]
    found = find_contact("sms", NEW_NUMBER)
    assert found is not None and found.pk == moving.pk and found.address == NEW_NUMBER
    assert find_contact("sms", old_number) is None
    assert Organization.objects.get(pk=organization.pk).sms_inbound_token == NEW_TOKEN
    assert ContactPoint.objects.count() == MEMBERS
    assert not [token for token in address_tokens() if not made_with(new, token)]


def address_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM accounts_contactpoint")
        return [token for (token,) in cursor.fetchall()]
