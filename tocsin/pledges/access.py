"""Who reaches which pledge: the organizers and admins of its organization, and the members
on its roll (the members it asked when it was sent, wherever they are now). Everyone else
gets 404. Nobody, organizers and admins included, reaches a list of signers before the
pledge is on (services.signers)."""

from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Person
from tocsin.accounts.roles import Role

from . import progress
from .models import CoalitionPledge, Part, Pledge

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


def coalition_pledges_of(membership: Membership) -> QuerySet[CoalitionPledge]:
    """The coalition pledges the membership's organization made (as a coalition)."""
    if not membership.has(ORGANIZERS):
        raise Http404
    return CoalitionPledge.objects.filter(organization=membership.organization)


def parts_of(membership: Membership) -> QuerySet[Part]:
    """The coalition pledges the membership's organization is asked to take part in."""
    if not membership.has(ORGANIZERS):
        raise Http404
    return Part.objects.filter(organization=membership.organization).select_related(
        "coalition_pledge__organization", "pledge"
    )


def get_coalition_pledge_for(
    membership: Membership, code: str
) -> tuple[CoalitionPledge, Part | None]:
    """Return a coalition pledge to an organizer of the coalition that made it (with no
    part), or of a union it names (with that union's part); 404 to everyone else."""
    if not membership.has(ORGANIZERS):
        raise Http404
    found = CoalitionPledge.objects.select_related("organization").filter(code=str(code)).first()
    if found is None:
        raise Http404
    if found.organization_id == membership.organization_id:
        return found, None
    part = found.parts.filter(organization_id=membership.organization_id).first()
    if part is None:
        raise Http404
    return found, part
