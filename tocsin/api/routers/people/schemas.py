"""What the people router answers: a person as their organization's admins see them."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

import uuid
from typing import Literal, TypeAlias

from ninja import Field, Schema

from tocsin.accounts.models import ContactPoint
from tocsin.api.routers.memberships.schemas import MembershipOut

Channel: TypeAlias = Literal[tuple(ContactPoint.Channel.values)]  # type: ignore[valid-type]


class ContactOut(Schema):
    channel: Channel
    address: str = Field(
        description="masked unless the request asked ?reveal=contacts; a web push "
        "subscription shows only its push service's host, never its endpoint or keys"
    )
    confirmed: bool
    preference: int


class PersonOut(Schema):
    public_id: uuid.UUID
    display_name: str
    language: str
    memberships: list[MembershipOut] = Field(description="memberships in this organization")
    contacts: list[ContactOut]
    contacts_revealed: bool
