"""`tocsin search-clauses --org SLUG QUERY…`: search the clause library as an organization's
organizers see it, on whichever database this installation runs; print one JSON object of
each query and the titles of the clauses it found."""

import json

from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.models import Organization
from tocsin.clauses.access import visible_to
from tocsin.clauses.search import matching


class Command(BaseCommand):
    help = "Search the clause library an organization sees; print the titles found, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("queries", nargs="+", help="what to search for")
        parser.add_argument("--org", required=True, help="the organization's short name (slug)")

    def handle(self, *args, queries: list[str], org: str, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"--org: no organization has the short name {org!r}.")
        found = {
            query: list(
                matching(visible_to(organization), query)
                .order_by("title", "id")
                .values_list("title", flat=True)
            )
            for query in queries
        }
        self.stdout.write(json.dumps(found, ensure_ascii=False))
