"""What the units router reads and answers."""

from typing import Annotated

from ninja import Field, Schema

from tocsin.accounts.models import Unit
from tocsin.api.schemas import Code, Input, text


class UnitOut(Schema):
    code: str
    name: str
    sites: list[str] = Field(description="codes of the unit's sites")

    @staticmethod
    def resolve_sites(unit: Unit) -> list[str]:
        return [site.code for site in unit.sites.all()]


class UnitIn(Input):
    name: Annotated[str, text(200, 1)]
    sites: Annotated[list[Code], Field(max_length=500)] = []


class UnitPatch(Input):
    name: Annotated[str, text(200, 1)] | None = None
    sites: Annotated[list[Code], Field(max_length=500)] | None = None
