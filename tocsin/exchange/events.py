"""The events a webhook can follow, and what each one says.

Every payload is built here, from identifiers, states and counts only: never a person's
name or contact details, never what a report said or where an incident is (the incident's
place is encrypted at rest for a reason), never hotline, pledge or structure data. The
receiver follows the identifiers back into Tocsin when it needs more, with a token.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tocsin.campaigns.models import Event
from tocsin.campaigns.services.turnout import totals
from tocsin.delivery.models import Alert, Delivery
from tocsin.response.models import Incident

INCIDENT_STATE = "incident.state_changed"
ALERT_SENT = "alert.sent"
TURNOUT = "event.turnout_changed"
TEST = "webhook.test"

# The events an admin may choose, with what the screen calls them.
EVENTS = {
    INCIDENT_STATE: _("An incident changes state (new, verifying, confirmed, resolved, dismissed)"),
    ALERT_SENT: _("An alert is sent (its kind and how many people it reaches)"),
    TURNOUT: _("An event's turnout changes (RSVPs going, checked in, on the waitlist)"),
}


def moment(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def incident_state(incident: Incident) -> dict:
    return {
        "incident": str(incident.public_id),
        "state": incident.state,
        "dismiss_reason": incident.dismiss_reason or None,
        "opened_at": moment(incident.opened_at),
        "confirmed_at": moment(incident.confirmed_at),
        "closed_at": moment(incident.closed_at),
    }


def alert_sent(alert: Alert, audience_size: int) -> dict:
    by_channel = (
        Delivery.objects.filter(alert=alert)
        .values("channel")
        .annotate(count=Count("id"))
        .order_by("channel")
    )
    return {
        "alert": str(alert.public_id),
        "kind": alert.kind,
        "incident": str(alert.incident.public_id) if alert.incident is not None else None,
        "sent_at": moment(alert.sent_at),
        "audience_size": audience_size,
        "deliveries": {row["channel"]: row["count"] for row in by_channel},
    }


def turnout(event: Event) -> dict:
    counts = totals(Event.objects.filter(pk=event.pk))
    return {
        "event": event.code,
        "title": event.title,
        "starts_at": moment(event.starts_at),
        "state": event.state,
        **counts,
    }
