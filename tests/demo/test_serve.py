"""`tocsin serve`: the published demo passwords never leave this machine."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tocsin.accounts.services.people import find_person_by_login
from tocsin.demo.accounts import (
    DEMO_ACCOUNTS,
    accounts_with_demo_passwords,
    is_loopback,
    refuse_demo_passwords,
)

from .conftest import run_tocsin, tocsin_env

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (what an operator would type to serve publicly)


@pytest.mark.parametrize("host", [ALL_INTERFACES, "192.168.1.20", "tocsin.example.org", "::"])
def test_it_refuses_to_serve_beyond_loopback_with_demo_passwords(db, demo_world, host):
    with pytest.raises(CommandError, match="demo passwords") as refusal:
        call_command("serve", host=host, port=8000)
    assert "admin@demo.tocsin.test" in str(refusal.value)
    assert "tocsin changepassword" in str(refusal.value)


@override_settings(PRODUCTION=True)
def test_it_refuses_demo_passwords_in_production_even_on_loopback(db, demo_world):
    with pytest.raises(CommandError, match="in production"):
        call_command("serve", host="127.0.0.1", port=8000)


def test_it_lets_loopback_serve_the_demo(db, demo_world):
    refuse_demo_passwords("127.0.0.1")
    refuse_demo_passwords("localhost")


def test_it_serves_anywhere_once_every_demo_password_is_changed(db, demo_world):
    for account in DEMO_ACCOUNTS:
        person = find_person_by_login(account.email)
        person.set_password(f"{account.email} has a private passphrase now")
        person.save()
    assert accounts_with_demo_passwords() == []
    refuse_demo_passwords(ALL_INTERFACES)


def test_it_finds_a_demo_password_given_to_another_demo_account(db, demo_world):
    person = find_person_by_login("hotline@demo.tocsin.test")
    for account in DEMO_ACCOUNTS:
        other = find_person_by_login(account.email)
        other.set_password("private passphrase number one")
        other.save()
    person.set_password(DEMO_ACCOUNTS[0].password)
    person.save()
    assert accounts_with_demo_passwords() == ["hotline@demo.tocsin.test"]


def test_it_knows_which_hosts_are_loopback():
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, [ALL_INTERFACES, "::", "10.0.0.1", "example.org", ""]))


def test_it_refuses_an_unmigrated_database_unless_asked_to_migrate(tmp_path):
    result = run_tocsin("serve", "--port", "1", env=tocsin_env(tmp_path))
    assert result.returncode == 1
    assert "unapplied migration" in result.stderr
    assert "tocsin serve --migrate" in result.stderr


def test_changepassword_lifts_the_refusal(db, demo_world, monkeypatch):
    for account in DEMO_ACCOUNTS:
        monkeypatch.setattr("sys.stdin", io.StringIO("a long private passphrase\n"))
        call_command("changepassword", account.email, stdout=io.StringIO())
    refuse_demo_passwords(ALL_INTERFACES)
    assert find_person_by_login(DEMO_ACCOUNTS[0].email).check_password("a long private passphrase")


def test_changepassword_refuses_a_weak_password(db, demo_world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("changepassword", DEMO_ACCOUNTS[0].email)
