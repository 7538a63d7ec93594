"""What the sites router reads and answers."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from typing import Annotated, Literal, TypeAlias

import h3
from ninja import Field, Schema

from tocsin.accounts.models import Site
from tocsin.api.schemas import Input, Latitude, Longitude, text

SiteKind: TypeAlias = Literal[tuple(Site.Kind.values)]  # type: ignore[valid-type]


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
    name: Annotated[str, text(200, 1)]
    address: Annotated[str, text(300)] = ""
    lat: Latitude
    lng: Longitude


class SitePatch(Input):
    kind: SiteKind | None = None
    name: Annotated[str, text(200, 1)] | None = None
    address: Annotated[str, text(300)] | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
