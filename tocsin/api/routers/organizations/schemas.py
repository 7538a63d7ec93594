"""What the organizations router answers."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from typing import Literal, TypeAlias

from ninja import Field, Schema

from tocsin.accounts.models import Membership, Organization

OrganizationKind: TypeAlias = Literal[tuple(Organization.Kind.values)]  # type: ignore[valid-type]


class OrganizationOut(Schema):
    slug: str
    name: str
    kind: OrganizationKind
    parent: str | None = Field(None, description="the parent organization's slug")
    default_language: str
    my_roles: list[str] = Field(description="the caller's roles in this organization")

    @staticmethod
    def of(organization: Organization, membership: Membership) -> "OrganizationOut":
        return OrganizationOut(
            slug=organization.slug,
            name=organization.name,
            kind=organization.kind,
            parent=organization.parent.slug if organization.parent else None,
            default_language=organization.default_language,
            my_roles=membership.role_slugs(),
        )
