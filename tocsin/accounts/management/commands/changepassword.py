"""Set a new password for the person who signs in with EMAIL.

Replaces Django's own command, which looks people up by a user name Tocsin does not store.
Reads the new password twice from the terminal, or once from standard input when piped.
"""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.services.people import find_person_by_login
from tocsin.audit.services import record


class Command(BaseCommand):
    help = "Change the password of the person who signs in with EMAIL."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        person = find_person_by_login(email)
        if person is None:
            raise CommandError("Nobody signs in with that email.")
        if sys.stdin.isatty():
            password = getpass.getpass("New password: ")
            if getpass.getpass("New password (again): ") != password:
                raise CommandError("The two passwords differ; nothing was changed.")
        else:
            password = sys.stdin.readline().rstrip("\n")
        try:
            validate_password(password, person)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        person.set_password(password)
        person.save(update_fields=["password"])
        record(None, "accounts.person.password_changed", person, by="command line")
        self.stdout.write(f"Password changed for {person.display_name}.")
