import io

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact, create_person
from tocsin.core import crypto


def stored_token(contact):
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM accounts_contactpoint WHERE id = %s", [contact.pk])
        return cursor.fetchone()[0]


def use_keys(settings, keys):
    settings.TOCSIN_ENCRYPTION_KEYS = keys
    crypto._fernet.cache_clear()


def test_rotated_data_reads_with_the_new_key_alone(db, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    use_keys(settings, [old])
    try:
        contact = add_contact(create_person(display_name="Rosa"), "sms", "+16125550147")
        use_keys(settings, [new, old])
        call_command("rotate-keys", stdout=io.StringIO())
        use_keys(settings, [new])
        assert Fernet(new.encode()).decrypt(stored_token(contact).encode()) == b"+16125550147"
        assert ContactPoint.objects.get(pk=contact.pk).address == "+16125550147"
    finally:
        crypto._fernet.cache_clear()
