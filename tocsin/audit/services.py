"""Write audit entries. Callers pass identifiers and counts, never contact details or free text."""

from django.db import models

from .models import AuditEntry


def public_id_of(obj: models.Model) -> str:
    """Return the id the log keeps for `obj`: its `audit_id` when it names itself that way
    (a hotline case by its code, as every screen shows it), else its public id."""
    for attribute in ("audit_id", "public_id", "code", "slug"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    return str(obj.pk or "")


def record(
    actor, action: str, obj: models.Model | None = None, organization=None, **detail
) -> AuditEntry:
    """Record that `actor` did `action` (a dotted name) to `obj`, within `organization`."""
    # The log sits under accounts (whose services write to it): it knows the organization's
    # model by its own foreign key, not by importing it.
    if organization is None and isinstance(
        obj, AuditEntry._meta.get_field("organization").related_model
    ):
        organization = obj
    if organization is None and obj is not None:
        organization = getattr(obj, "organization", None)
    label = ""
    if actor is not None and getattr(actor, "pk", None):
        label = f"person {actor.public_id}"
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=public_id_of(obj) if obj is not None else "",
        detail=detail,
    )
