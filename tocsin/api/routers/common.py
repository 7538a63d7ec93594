"""What every guarded operation may answer besides success, and small helpers."""

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from ninja import Status

from tocsin.api.schemas import Error, FieldErrors

READ = {401: Error, 403: Error, 404: Error, 422: FieldErrors}
WRITE = {**READ, 400: Error, 409: FieldErrors}


def refuse_nulls(changes: dict, *fields: str) -> None:
    """Refuse an explicit null for a field that must have a value, naming the field."""
    nulls = {
        field: _("This field cannot be null.")
        for field in fields
        if field in changes and changes[field] is None
    }
    if nulls:
        raise ValidationError(nulls)


def state_conflict(argument: str, messages: list[str], kind: str) -> Status:
    """409: the object named by the path argument is in a state that refuses this (a sealed
    pledge's signers, a vote not open or not closed); each reason names the argument."""
    return Status(
        409,
        {"detail": [{"loc": ["path", argument], "msg": m, "type": kind} for m in messages]},
    )


def annotate(row: Model, **values: object) -> None:
    """Add values to a row for its output schema's resolvers to read, as a queryset's
    annotate() does: what the caller may see of it (a case's plan, an event's place)."""
    for name, value in values.items():
        setattr(row, name, value)
