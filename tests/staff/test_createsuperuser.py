import pytest
from django.core.management import CommandError, call_command

from tocsin.accounts.models import ContactPoint, Person
from tocsin.accounts.services.people import find_person_by_login


def test_it_creates_a_superuser_without_questions(db, monkeypatch, client):
    monkeypatch.setenv("TOCSIN_SUPERUSER_PASSWORD", "operator horse 42")

    call_command("createsuperuser", "--email", "Ops@Example.org", "--name", "Ops", "--noinput")

    person = find_person_by_login("ops@example.org")
    assert person.is_superuser
    assert person.display_name == "Ops"
    assert person.check_password("operator horse 42")
    assert person.password.startswith("argon2")
    assert ContactPoint.objects.get(person=person).address == "ops@example.org"


def test_it_asks_for_email_name_and_password(db, monkeypatch):
    answers = iter(["not-an-email", "ops@example.org", "Ops"])
    passwords = iter(["short", "short", "operator horse 42", "operator horse 42"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(passwords))

    call_command("createsuperuser")

    assert find_person_by_login("ops@example.org").is_superuser


@pytest.mark.parametrize(
    ("arguments", "password", "message"),
    [
        (["--email", "ops@example.org", "--name", "Ops"], "", "TOCSIN_SUPERUSER_PASSWORD"),
        (["--email", "ops@example.org"], "operator horse 42", "--name"),
        (["--email", "nope", "--name", "Ops"], "operator horse 42", "email"),
        (["--email", "ops@example.org", "--name", "Ops"], "1234", "password"),
    ],
)
def test_it_explains_what_is_missing_without_a_terminal(
    db, monkeypatch, arguments, password, message
):
    monkeypatch.setenv("TOCSIN_SUPERUSER_PASSWORD", password)

    with pytest.raises(CommandError, match=message):
        call_command("createsuperuser", *arguments, "--noinput")
    assert not Person.objects.exists()


def test_it_refuses_an_email_someone_already_signs_in_with(db, monkeypatch, admin):
    monkeypatch.setenv("TOCSIN_SUPERUSER_PASSWORD", "operator horse 42")

    with pytest.raises(CommandError, match="already"):
        call_command("createsuperuser", "--email", "admin@mna.test", "--name", "Ops", "--noinput")
