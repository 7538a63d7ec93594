"""`tocsin api-token EMAIL [--name NAME]`: print a new API token for a person, once.

`--list` shows the person's tokens by public id; `--revoke ID` revokes one of them.
"""

from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.services.people import find_person_by_login
from tocsin.api.models import ApiToken
from tocsin.api.services.tokens import issue_token, revoke_token


class Command(BaseCommand):
    help = (
        "Print a new API token for the person who signs in with EMAIL. The token acts with "
        "that person's roles; it is shown only once and stored only as a hash."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the email the person signs in with")
        parser.add_argument("--name", default="", help="what the token is for, to recognise it")
        parser.add_argument(
            "--list", dest="list_tokens", action="store_true", help="list the person's tokens"
        )
        parser.add_argument("--revoke", metavar="ID", help="revoke the token with this public id")

    def handle(self, *args, email, name, list_tokens, revoke, **options):
        person = find_person_by_login(email)
        if person is None:
            raise CommandError(f"No one signs in with {email!r}: check the address.")
        if list_tokens:
            for api_token in person.api_tokens.all():
                state = (
                    f"revoked {api_token.revoked_at:%Y-%m-%d}" if api_token.revoked else "active"
                )
                used = (
                    f"{api_token.last_used_at:%Y-%m-%d %H:%M}"
                    if api_token.last_used_at
                    else "never"
                )
                self.stdout.write(
                    f"{api_token.public_id}  {state:<18} last used {used:<16}  {api_token.name}"
                )
            return
        if revoke:
            revoked = ApiToken.objects.filter(person=person, public_id=revoke).first()
            if revoked is None:
                raise CommandError(f"{email!r} has no token {revoke!r} (see --list).")
            revoke_token(revoked)
            self.stdout.write(f"Revoked token {revoked.public_id}.")
            return
        if not person.is_active:
            raise CommandError(f"{email!r} is deactivated: a token would not work.")
        api_token, secret = issue_token(person, name=name)
        self.stderr.write(
            f"New token {api_token.public_id} for {person.display_name}. It is shown only "
            "once; send it as `Authorization: Bearer <token>`."
        )
        self.stdout.write(secret)
