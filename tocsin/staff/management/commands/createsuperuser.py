"""Create a server operator: email, name and password, through the people service.

Replaces Django's own command, which would ask for a user name Tocsin does not have.
Without a terminal: `tocsin createsuperuser --email E --name N --noinput` with the password
in TOCSIN_SUPERUSER_PASSWORD.
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.models import Person
from tocsin.accounts.services.people import create_person, login_index_for

PASSWORD_VARIABLE = "TOCSIN_SUPERUSER_PASSWORD"  # noqa: S105 (a variable name)


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a superuser (a server operator) who signs in with email and password."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="The email address to sign in with.")
        parser.add_argument("--name", help="The name shown on screens.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing; the password comes from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, email=None, name=None, interactive=True, **options):
        if interactive:
            email = email or self._ask("Email: ", self._check_email)
            name = name or self._ask("Name: ", self._check_name)
            password = self._ask_password(email, name)
        else:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not email or not name:
                raise CommandError("--email and --name are required with --noinput.")
            if not password:
                raise CommandError(f"Set {PASSWORD_VARIABLE} to the password with --noinput.")
            for check, value in ((self._check_email, email), (self._check_name, name)):
                try:
                    check(value)
                except ValidationError as error:
                    raise CommandError(_messages(error)) from None
            try:
                validate_password(password, Person(display_name=name))
            except ValidationError as error:
                raise CommandError("password: " + _messages(error)) from None
        try:
            create_person(display_name=name, email=email, password=password, is_superuser=True)
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Superuser {name} created."))

    def _check_email(self, value: str) -> None:
        index = login_index_for(value)
        if Person.objects.filter(login_index=index).exists():
            raise ValidationError({"email": "Someone already signs in with this email."})

    def _check_name(self, value: str) -> None:
        if not value.strip():
            raise ValidationError({"name": "The name cannot be empty."})

    def _ask(self, prompt: str, check) -> str:
        while True:
            value = input(prompt).strip()
            try:
                check(value)
            except ValidationError as error:
                self.stderr.write(_messages(error))
                continue
            return value

    def _ask_password(self, email: str, name: str) -> str:
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ.")
                continue
            try:
                validate_password(password, Person(display_name=name))
            except ValidationError as error:
                self.stderr.write("password: " + _messages(error))
                continue
            return password
