"""Write an incident's timeline, and the audit entry that goes with each line."""

from tocsin.accounts.models import Person
from tocsin.audit.services import record
from tocsin.core import changes

from ..models import Incident, TimelineEntry


def log(incident: Incident, actor: Person | None, action: str, **detail) -> TimelineEntry:
    """Add a line to the incident's timeline and the audit log, and tell the live screens. `detail` holds ids, counts,
    states and the sender's own words for alerts, never anything about a reporter. The
    words are stored encrypted, apart from the rest (TimelineEntry.words)."""
    actor = actor if actor is not None and getattr(actor, "pk", None) else None
    facts = {key: value for key, value in detail.items() if key not in TEXT_FIELDS}
    entry = TimelineEntry.objects.create(
        incident=incident,
        actor=actor,
        actor_label=actor.display_name if actor is not None else "",
        action=action,
        detail=facts,
        words={key: value for key, value in detail.items() if key in TEXT_FIELDS},
    )
    record(actor, action, incident, organization=incident.organization, **facts)
    # The dispatchers' open consoles and incident pages hear of it once it commits.
    changes.announce(incident.organization_id)
    return entry


# Words people typed: kept in the timeline for the record, encrypted, never in the audit log.
TEXT_FIELDS = {"message", "note", "where"}
