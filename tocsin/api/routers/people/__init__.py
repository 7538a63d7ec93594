"""A person as their organization's admins see them: contacts masked unless revealed."""

import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Router

from tocsin.api.access import ORG_ADMIN, membership_of
from tocsin.api.routers.common import READ
from tocsin.api.services.people import reveal_contacts

from .schemas import ContactOut, PersonOut

router = Router(tags=["people"], auth=ORG_ADMIN)


@router.get("/organizations/{org}/people/{person}", response={200: PersonOut, **READ})
def get_person(
    request: HttpRequest, org: str, person: uuid.UUID, reveal: Literal["contacts"] | None = None
) -> PersonOut:
    """Show a member: name, language, membership, contacts masked.

    `?reveal=contacts` returns the full addresses and writes an audit entry. A web push
    subscription shows only its push service's host: its endpoint and keys would let the
    reader push to the member's browser.
    """
    access = ORG_ADMIN.of(request)
    membership = membership_of(access.organization, person)
    found = membership.person
    if reveal == "contacts":
        contacts = [
            ContactOut(
                channel=contact.channel,
                address=contact.revealed(),
                confirmed=contact.confirmed,
                preference=contact.preference,
            )
            for contact in reveal_contacts(access.person, access.organization, found)
        ]
    else:
        contacts = [
            ContactOut(
                channel=contact.channel,
                address=contact.masked(),
                confirmed=contact.confirmed,
                preference=contact.preference,
            )
            for contact in found.contacts.all()
        ]
    # Validated from the membership row, as an operation's answer is: MembershipOut
    # resolves its fields from it.
    return PersonOut.model_validate(
        {
            "public_id": found.public_id,
            "display_name": found.display_name,
            "language": found.language,
            "memberships": [membership],
            "contacts": contacts,
            "contacts_revealed": reveal == "contacts",
        }
    )
