"""The scale-out test's world, made in a process of its own on the database DATABASE_URL
names (Django's settings are made once per process, and the test's own name another).

python -m tests.faults.scale_world RECIPIENTS

Prints "migrated" once the schema is there (the test then starts its web and worker
processes while the people go in), then one JSON line: the organization's slug, its site's
code, a dispatcher's API token, and every address of the population.

The population is the benchmark's (tocsin.bench.population.populate, called as it is) on
email, Signal and SMS: one site, every person following it.
"""

import json
import sys


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("migrated", flush=True)

    from tocsin.accounts.models import ContactPoint, Membership
    from tocsin.accounts.roles import Role
    from tocsin.accounts.services.people import create_person
    from tocsin.api.services.tokens import issue_token
    from tocsin.bench.population import populate

    recipients = int(sys.argv[1])
    organization, site = populate(recipients, None, ("email", "signal", "sms"))
    # No contact of their own: the only addresses the servers may hear of are the population's.
    dispatcher = create_person(display_name="Scale Dispatcher")
    Membership.objects.create(
        person=dispatcher, organization=organization, roles=int(Role.DISPATCHER | Role.MEMBER)
    )
    _token, secret = issue_token(dispatcher, "scale-out test")
    addresses = list(
        ContactPoint.objects.filter(person__memberships__organization=organization)
        .values_list("address", flat=True)
        .iterator(chunk_size=5000)
    )
    print(
        json.dumps(
            {
                "organization": organization.slug,
                "site": site.code,
                "token": secret,
                "addresses": addresses,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
