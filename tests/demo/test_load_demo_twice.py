"""Loading the demo world into an empty database, then again."""

from django.core.management import call_command

from tocsin.accounts.models import (
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
    Subscription,
    SubscriptionCell,
    Unit,
)
from tocsin.demo import world
from tocsin.demo.accounts import DEMO_ACCOUNTS

MODELS = [
    Organization,
    Site,
    Unit,
    Person,
    ContactPoint,
    Membership,
    Subscription,
    SubscriptionCell,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_it_loads_twice_without_duplicating_anything(db):
    call_command("load-demo", verbosity=0)
    first = counts()
    call_command("load-demo", verbosity=0)
    assert counts() == first
    assert first["Person"] >= 300
    assert first["Organization"] == len(world.ORGANIZATIONS)


def test_it_prints_the_demo_accounts_with_their_passwords(db, capsys):
    call_command("load-demo")
    printed = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert account.email in printed
        assert account.password in printed
