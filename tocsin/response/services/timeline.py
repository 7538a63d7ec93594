"""Write an incident's timeline, and the audit entry that goes with each line."""

from tocsin.accounts.models import Person
from tocsin.audit.services import record

from ..models import Incident, TimelineEntry


def log(incident: Incident, actor: Person | None, action: str, **detail) -> TimelineEntry:
    """Add a line to the incident's timeline and the audit log. `detail` holds ids, counts,
    states and the sender's own words for alerts, never anything about a reporter."""
    actor = actor if actor is not None and getattr(actor, "pk", None) else None
    entry = TimelineEntry.objects.create(
        incident=incident,
        actor=actor,
        actor_label=actor.display_name if actor is not None else "",
        action=action,
        detail=detail,
    )
    audit_detail = {key: value for key, value in detail.items() if key not in TEXT_FIELDS}
    record(actor, action, incident, organization=incident.organization, **audit_detail)
    return entry


# Words people typed, kept in the timeline for the record but never in the audit log.
TEXT_FIELDS = {"message", "note", "where"}
