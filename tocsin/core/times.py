"""Times that arrive without an offset."""

from datetime import datetime

from django.utils import timezone


def in_server_zone(moment: datetime | None) -> datetime | None:
    """Read a time given without an offset (an API caller's "2027-01-21T23:00") in the
    server's own time zone, as the screens read what an organizer types."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)
