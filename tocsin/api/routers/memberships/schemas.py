"""What the memberships router reads and answers, and the role slugs it takes."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

import uuid
from datetime import datetime
from typing import Annotated, Literal, TypeAlias

from ninja import Field, Schema

from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.api.schemas import Code, Input

# Literal[("member", "responder", ...)]: the schema lists the slugs, ninja refuses others.
ROLES_BY_SLUG = {role.slug: role for role in Role}
RoleSlug: TypeAlias = Literal[tuple(ROLES_BY_SLUG)]  # type: ignore[valid-type]


def roles_named(slugs: list[str]) -> Role:
    """Return the roles these slugs name, always with member."""
    roles = Role.MEMBER
    for slug in slugs:
        roles |= ROLES_BY_SLUG[slug]
    return roles


class MembershipOut(Schema):
    person: uuid.UUID = Field(description="the person's public id")
    display_name: str
    roles: list[str]
    unit: str | None = Field(None, description="the unit's code")
    site: str | None = Field(None, description="the site's code")
    active: bool
    joined_at: datetime

    @staticmethod
    def resolve_person(membership: Membership) -> uuid.UUID:
        return membership.person.public_id

    @staticmethod
    def resolve_display_name(membership: Membership) -> str:
        return membership.person.display_name

    @staticmethod
    def resolve_roles(membership: Membership) -> list[str]:
        return membership.role_slugs()

    @staticmethod
    def resolve_unit(membership: Membership) -> str | None:
        return membership.unit.code if membership.unit else None

    @staticmethod
    def resolve_site(membership: Membership) -> str | None:
        return membership.site.code if membership.site else None


class MembershipPatch(Input):
    roles: Annotated[list[RoleSlug], Field(max_length=20)] | None = Field(
        None, description="role slugs; member is always included"
    )
    unit: Code | None = Field(None, description="a unit's code, or null for none")
    site: Code | None = Field(None, description="a site's code, or null for none")
    active: bool | None = None
