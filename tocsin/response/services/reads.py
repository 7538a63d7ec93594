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
