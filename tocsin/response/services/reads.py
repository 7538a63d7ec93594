"""Which incidents each dispatcher has opened since their last report: the queue's unread
marks. A mark is one dispatcher's alone; opening an incident reads it for them only."""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tocsin.accounts.models import Person

from ..models import Incident, IncidentRead


def mark_read(person: Person, incident: Incident) -> IncidentRead:
    """Record that `person` has just seen every report the incident has."""
    read, _ = IncidentRead.objects.update_or_create(
        incident=incident, person=person, defaults={"read_at": timezone.now()}
    )
    return read


def with_read_marks(incidents: QuerySet[Incident], person: Person) -> QuerySet[Incident]:
    """Annotate each incident with `read`: `person` opened it after its last report came."""
    seen = IncidentRead.objects.filter(
        incident=OuterRef("pk"), person=person, read_at__gte=OuterRef("last_report_at")
    )
    return incidents.annotate(read=Exists(seen))


def read_among(person: Person, incidents: list[Incident]) -> set[int]:
    """Return the ids of those `incidents` that `person` opened after their last report
    came (what `with_read_marks` says of each, in one query for a list already loaded)."""
    last_report = {incident.pk: incident.last_report_at for incident in incidents}
    seen = IncidentRead.objects.filter(person=person, incident_id__in=last_report).values_list(
        "incident_id", "read_at"
    )
    return {
        pk for pk, read_at in seen if last_report[pk] is not None and read_at >= last_report[pk]
    }
