"""Tocsin's JSON API, version 1, at /api/v1/ (schema at /api/v1/openapi.json, docs at /docs)."""

from ninja import NinjaAPI
from ninja.operation import Operation

from . import errors
from .routers import (
    alerts,
    campaigns,
    hotline,
    incidents,
    memberships,
    organizations,
    people,
    pledges,
    reports,
    sites,
    structure,
    units,
    votes,
)

DESCRIPTION = """\
Organizations, sites, units, memberships, people, alerts, incidents, hotline cases and the
audit log, for the organization's own people.

Every operation but sending a report needs `Authorization: Bearer <token>`; the server's
operator creates a token with `tocsin api-token EMAIL`, and it acts with that person's roles.
Reading needs membership in the organization; changes, memberships and people need the admin
role. Anyone may report enforcement activity; its incidents are for the dispatchers of the
organization and of those that share dispatch with it. Hotline cases are for the
organization's hotline and each case's legal partner; the audit log for its admins.
A pledge is for its organization's organizers and the members it asks; nobody learns who
signed it before its threshold is met.
A unit's structure (its members' ratings and dashboard) is for that unit's organizers only.
A vote is for its organization's organizers and the people on its roll; each of them casts
one secret ballot as the token's person, and nobody sees a count before the close.
A campaign is for the members of its organizations; an event for those its visibility lets
see it, with RSVPs and check-ins as the token's person; who RSVPed, for the host's organizers.
"""


class TocsinAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = TocsinAPI(
    title="Tocsin API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
)
errors.install(api)
for router in (
    organizations.router,
    sites.router,
    units.router,
    memberships.router,
    people.router,
    alerts.router,
    reports.router,
    incidents.router,
    hotline.router,
    pledges.router,
    structure.router,
    votes.router,
    *campaigns.routers,
):
    api.add_router("", router)
