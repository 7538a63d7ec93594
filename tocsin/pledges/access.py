"""Who reaches which pledge: the organizers and admins of its organization, and the members
on its roll (the members it asked when it was sent, wherever they are now). Everyone else
gets 404. Nobody, organizers and admins included, reaches a list of signers before the
pledge is on (services.signers)."""

from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Person
from tocsin.accounts.roles import Role

from . import progress
from .models import Pledge

ORGANIZERS = Role.ORGANIZER | Role.ADMIN


def pledges_of(membership: Membership) -> QuerySet[Pledge]:
    if not membership.has(ORGANIZERS):
        raise Http404
    return Pledge.objects.filter(organization=membership.organization)


def get_pledge_for_organizer(membership: Membership, code: str) -> Pledge:
    pledge = pledges_of(membership).filter(code=str(code)).first()
    if pledge is None:
        raise Http404
    return pledge


def pledges_asking(person: Person) -> list[Pledge]:
    """Return the pledges whose roll holds the person."""
    return list(
        Pledge.objects.filter(roll__person=person)
        .select_related("organization", "site")
        .distinct()
        .order_by("deadline", "pk")
    )


def get_pledge_for_member(person: Person, code: str) -> Pledge:
    pledge = Pledge.objects.select_related("organization", "site").filter(code=str(code)).first()
    if pledge is None or progress.asked_entry(pledge, person) is None:
        raise Http404
    return pledge


def get_pledge_for_reader(person: Person, code: str) -> Pledge:
    """For the API: the pledge if the person organizes its organization or is on its roll."""
    pledge = Pledge.objects.select_related("organization", "site").filter(code=str(code)).first()
    if pledge is None:
        raise Http404
    organizer = Membership.objects.filter(
        person=person, organization=pledge.organization, active=True
    ).first()
    if organizer is not None and organizer.has(ORGANIZERS):
        return pledge
    if progress.asked_entry(pledge, person) is None:
        raise Http404
    return pledge
