"""Who sees which clause (decision 0030).

An organization's organizers and admins (a steward holds the organizer role) read and write
its clause library. They see their own organization's clauses, drafts included, and the
clauses other than drafts of every organization that shares clauses with it now
(`tocsin.accounts.sharing`): the moment that agreement ends, those clauses are gone from
every screen, search and export. Only the owner's people change a clause; anyone who sees
one may compare it and adapt it into a draft of their own.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.sharing import Shares, givers_to

from .models import Clause

READERS = Role.ORGANIZER | Role.ADMIN
WRITERS = Role.ORGANIZER | Role.ADMIN


def visible_to(organization: Organization | int) -> QuerySet[Clause]:
    """Return the clauses the organization's organizers see: its own, and the shared ones."""
    shared = Q(organization_id__in=givers_to(organization, Shares.CLAUSES)) & ~Q(
        status=Clause.Status.DRAFT
    )
    return Clause.objects.filter(Q(organization=organization) | shared).select_related(
        "organization"
    )


def get_clause_for(membership: Membership, code: str) -> Clause:
    """Return a clause the acting membership's organization sees, or 404."""
    if "\x00" in code:  # no code holds one, and PostgreSQL refuses it in a query
        raise Http404
    clause = visible_to(membership.organization).filter(code=str(code)[:12]).first()
    if clause is None:
        raise Http404
    return clause


def get_own_clause_for(membership: Membership, code: str) -> Clause:
    """Return a clause of the acting membership's own organization, or 404."""
    clause = get_clause_for(membership, code)
    if clause.organization_id != membership.organization_id:
        raise Http404
    return clause
