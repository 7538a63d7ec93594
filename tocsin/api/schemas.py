"""What the API reads and writes. Only public identifiers: slugs, codes, person UUIDs."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

import h3
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from tocsin.accounts.models import ContactPoint, Membership, Organization, Site, Unit
from tocsin.accounts.roles import Role
from tocsin.core import languages


def holds_nul(value) -> bool:
    """Whether a JSON value holds a NUL character: in a string, key or item, however deep."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


class Input(Schema):
    """What a client sends. No field may hold a NUL character anywhere in it (a string, a list
    item, a nested object): PostgreSQL refuses NUL in text, so one that reached a query or a
    row would answer 500. Every request body's schema is an Input (tests/api/test_nul.py)."""

    @field_validator("*", mode="before")
    @classmethod
    def refuse_nul(cls, value):
        if holds_nul(value):
            raise PydanticCustomError("nul_character", _("This may not contain a NUL character."))
        return value


def text(max_length: int, min_length: int = 0):
    """Return a string type: whitespace stripped, within these lengths."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
    ]


# Time zones run from UTC-12:00 to UTC+14:00; PostgreSQL refuses offsets past 16 hours.
MAX_OFFSET = timedelta(hours=14)


def _storable(moment: datetime) -> datetime:
    """Refuse an offset no time zone has, and a time at the very ends of the calendar that
    cannot be told in UTC: PostgreSQL would refuse the first and hand back neither."""
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise PydanticCustomError(
            "time_zone_offset", _("No time zone is that far from UTC: at most 14 hours.")
        )
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("time_out_of_range", _("This time is out of range.")) from None
    return moment


# A time a client sends: with or without an offset (the operation says how it reads one
# without), within what a time zone and the calendar allow.
Moment = Annotated[datetime, AfterValidator(_storable)]
AwareMoment = Annotated[AwareDatetime, AfterValidator(_storable)]


def _six_places(value: Decimal) -> Decimal:
    # Sites store six decimal places (about 10 cm); more precision means nothing on a map.
    return value.quantize(Decimal("0.000001"))


def coordinate(limit: int):
    """A latitude (90) or longitude (180): a JSON number within ±limit, kept as a Decimal."""
    return Annotated[
        Decimal,
        Field(ge=-limit, le=limit, allow_inf_nan=False),
        AfterValidator(_six_places),
        WithJsonSchema({"type": "number", "minimum": -limit, "maximum": limit}),
    ]


Latitude = coordinate(90)
Longitude = coordinate(180)
# Literal[("hospital", ...)]: the schema lists the values, and two enums called "Kind" do not
# collide in its components.
SiteKind = Literal[tuple(Site.Kind.values)]  # type: ignore[valid-type]
# The languages Tocsin speaks (settings.LANGUAGES, from TOCSIN_LANGUAGES).
Language = Literal[tuple(languages.codes())]  # type: ignore[valid-type]
OrganizationKind = Literal[tuple(Organization.Kind.values)]  # type: ignore[valid-type]
Channel = Literal[tuple(ContactPoint.Channel.values)]  # type: ignore[valid-type]
Code = text(12, 1)
# Literal[("member", "responder", ...)]: the schema lists the slugs, ninja refuses others.
ROLES_BY_SLUG = {role.slug: role for role in Role}
RoleSlug = Literal[tuple(ROLES_BY_SLUG)]  # type: ignore[valid-type]


def roles_named(slugs: list[str]) -> Role:
    """Return the roles these slugs name, always with member."""
    roles = Role.MEMBER
    for slug in slugs:
        roles |= ROLES_BY_SLUG[slug]
    return roles


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class FieldErrors(Schema):
    detail: list[FieldError]


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


class SiteOut(Schema):
    code: str
    kind: SiteKind
    name: str
    address: str
    lat: float
    lng: float
    h3_cell: str = Field(description="the site's resolution-9 h3 cell, as hexadecimal")

    @staticmethod
    def resolve_lat(site: Site) -> float:
        return float(site.lat)

    @staticmethod
    def resolve_lng(site: Site) -> float:
        return float(site.lng)

    @staticmethod
    def resolve_h3_cell(site: Site) -> str:
        return h3.int_to_str(site.h3_cell)


class SiteIn(Input):
    kind: SiteKind
    name: text(200, 1)
    address: text(300) = ""
    lat: Latitude
    lng: Longitude


class SitePatch(Input):
    kind: SiteKind | None = None
    name: text(200, 1) | None = None
    address: text(300) | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None


class UnitOut(Schema):
    code: str
    name: str
    sites: list[str] = Field(description="codes of the unit's sites")

    @staticmethod
    def resolve_sites(unit: Unit) -> list[str]:
        return [site.code for site in unit.sites.all()]


class UnitIn(Input):
    name: text(200, 1)
    sites: Annotated[list[Code], Field(max_length=500)] = []


class UnitPatch(Input):
    name: text(200, 1) | None = None
    sites: Annotated[list[Code], Field(max_length=500)] | None = None


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
