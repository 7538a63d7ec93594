import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact, create_person, find_contact


def raw_column(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_stores_a_phone_number_encrypted_and_finds_it_by_blind_index(db):
    person = create_person(display_name="Rosa")
    contact = add_contact(person, ContactPoint.Channel.SMS, "(612) 555-0147")

    stored = raw_column("accounts_contactpoint", "address", contact.pk)
    assert "5550147" not in stored
    assert ContactPoint.objects.get(pk=contact.pk).address == "+16125550147"
    assert find_contact("sms", "+1 612 555 0147").person == person


def test_it_refuses_a_contact_that_belongs_to_someone_else(db):
    add_contact(create_person(display_name="Rosa"), "email", "rosa@example.org")
    with pytest.raises(ValidationError) as error:
        add_contact(create_person(display_name="Other"), "email", " ROSA@example.org ")
    assert "address" in error.value.message_dict


@pytest.mark.parametrize(
    ("channel", "address"),
    [("sms", "12"), ("signal", "call me"), ("email", "rosa@"), ("push", "{}")],
)
def test_it_names_the_address_when_a_contact_is_malformed(db, channel, address):
    person = create_person(display_name="Rosa")
    with pytest.raises(ValidationError) as error:
        add_contact(person, channel, address)
    assert list(error.value.message_dict) == ["address"]
    assert person.contacts.count() == 0


def test_a_staff_sign_in_email_is_not_stored_in_plain_text(db):
    person = create_person(display_name="Ada", email="ada@mna.test", password="x" * 12)
    assert "ada@" not in person.login_index
    stored = raw_column("accounts_contactpoint", "address", person.contacts.get().pk)
    assert "ada@" not in stored
