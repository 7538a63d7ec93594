"""Load the demo world of the brief: organizations, sites, units, fictional members, accounts."""

import time

from django.core.management.base import BaseCommand

from tocsin.demo.accounts import account_lines
from tocsin.demo.services import load_demo


class Command(BaseCommand):
    help = "Load the demo world (organizations, sites, units, members, demo accounts)."

    def handle(self, *args, **options):
        started = time.monotonic()
        summary = load_demo()
        self.stdout.write(
            f"Demo world: {summary.organizations} organizations, {summary.sites} sites, "
            f"{summary.units} units, {summary.members} members "
            f"({summary.members_created} new) in {time.monotonic() - started:.1f} s."
        )
        if options["verbosity"] >= 1:
            for line in account_lines():
                self.stdout.write(line)
