"""What every router's schemas share: the input base, strings, times, places, errors.

Each router's own schemas live beside it (routers/<name>/schemas.py). The API reads and
writes only public identifiers: slugs, codes, person UUIDs.
"""

# ruff: noqa: UP040 (see the choices below)

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal, TypeAlias

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


def text(max_length: int, min_length: int = 0) -> StringConstraints:
    """Return the constraints of a string a client sends: whitespace stripped, within these
    lengths. A field says `name: Annotated[str, text(200, 1)]`."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


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


# A latitude or longitude: a JSON number within ±90 or ±180, kept as a Decimal.
Latitude = Annotated[
    Decimal,
    Field(ge=-90, le=90, allow_inf_nan=False),
    AfterValidator(_six_places),
    WithJsonSchema({"type": "number", "minimum": -90, "maximum": 90}),
]
Longitude = Annotated[
    Decimal,
    Field(ge=-180, le=180, allow_inf_nan=False),
    AfterValidator(_six_places),
    WithJsonSchema({"type": "number", "minimum": -180, "maximum": 180}),
]
# Choices are Literal[("hospital", ...)] of a model's values: the schema lists the values,
# and two enums called "Kind" do not collide in its components. Mypy cannot read a Literal
# built at run time, so each such alias is Any to it. They are TypeAlias, not `type X = …`:
# pydantic would name a `type` alias as a schema of its own in the document.
# The languages Tocsin speaks (settings.LANGUAGES, from TOCSIN_LANGUAGES).
Language: TypeAlias = Literal[tuple(languages.codes())]  # type: ignore[valid-type]
# A site's, unit's or facility's code.
Code = Annotated[str, text(12, 1)]


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class FieldErrors(Schema):
    detail: list[FieldError]
