"""The server that tests/security/test_seized_server_ballots.py seizes, made ready inside a
`tocsin shell` of the server's own environment (its database, its keys):

    tocsin shell -c "from tests.security.seized_ballots_world import build; build()"

The database migrated and the static files collected, as `tocsin serve` would; ATU Local
1005's six bus operators, a vote of their unit open now with its ballots sent (the roll
taken; the ballot alert queued, with no worker to send it); and on stdout one JSON line:
the vote's code and each operator's own ballot link, in the order they will cast.
"""

import json
from datetime import timedelta

from django.utils import timezone

OPERATORS = ["Ana Operadora", "Ben Driver", "Carla Ruiz", "Dev Patel", "Elena Soto", "Farah Ali"]
QUESTION = "Do we accept the contract offer of January 12?"
OPTIONS = ["Yes", "No"]


def build() -> None:
    from django.core.management import call_command

    from tocsin.accounts.models import Membership, Organization, Unit
    from tocsin.accounts.roles import Role
    from tocsin.accounts.services.people import create_person
    from tocsin.core.management.commands.serve import ensure_static_collected
    from tocsin.votes.services import links as ballot_links
    from tocsin.votes.services import votes as vote_services

    call_command("migrate", verbosity=0)
    ensure_static_collected()
    atu = Organization.objects.create(slug="atu-local-1005", name="ATU Local 1005 (Metro Transit)")
    operators_unit = Unit.objects.create(organization=atu, name="Metro Transit bus operators")
    operators = []
    for name in OPERATORS:
        person = create_person(display_name=name)
        Membership.objects.create(
            person=person, organization=atu, unit=operators_unit, roles=int(Role.MEMBER)
        )
        operators.append(person)
    organizer = create_person(display_name="Olga Organizer")
    Membership.objects.create(
        person=organizer, organization=atu, roles=int(Role.ORGANIZER | Role.MEMBER)
    )
    now = timezone.now()
    vote = vote_services.create_vote(
        organizer,
        atu,
        vote_services.VoteInput(
            question=QUESTION,
            options=OPTIONS,
            unit=operators_unit,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=2),
            quorum_kind="percent",
            quorum_value=50,
        ),
    )
    vote_services.send_ballots(organizer, vote)
    links = [ballot_links.ballot_path(vote, person) for person in operators]
    print(json.dumps({"vote": vote.code, "ballots": links}))
