"""Who reaches which vote: the organizers and admins of its organization, and, for the API,
the people on its roll. Everyone else gets 404. A voter reaches their own ballot through
the opaque link in their ballot message (services.elector_for_token), not through here."""

from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Person
from tocsin.accounts.roles import Role

from .models import Elector, Vote

ORGANIZERS = Role.ORGANIZER | Role.ADMIN


def votes_of(membership: Membership) -> QuerySet[Vote]:
    if not membership.has(ORGANIZERS):
        raise Http404
    return Vote.objects.filter(organization=membership.organization)


def get_vote_for_organizer(membership: Membership, code: str) -> Vote:
    vote = votes_of(membership).select_related("unit").filter(code=str(code)).first()
    if vote is None:
        raise Http404
    return vote


def get_vote_for_reader(person: Person, code: str) -> tuple[Vote, bool]:
    """Return the vote if the person organizes its organization or is on its roll, with
    whether they organize it; else 404."""
    vote = Vote.objects.select_related("organization", "unit").filter(code=str(code)).first()
    if vote is None:
        raise Http404
    membership = Membership.objects.filter(
        person=person, organization=vote.organization, active=True
    ).first()
    organizer = membership is not None and membership.has(ORGANIZERS)
    if not organizer and not Elector.objects.filter(vote=vote, person=person).exists():
        raise Http404
    return vote, organizer
