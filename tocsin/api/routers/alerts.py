"""Alerts: their delivery counts, for the people of the alert's organization who send them."""

import uuid

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.roles import Role
from tocsin.delivery.models import Alert
from tocsin.delivery.status import alert_status

from ..auth import ANY_PERSON
from .common import READ

router = Router(tags=["alerts"], auth=ANY_PERSON)

# Who may follow an alert's delivery: the roles that send alerts.
SENDERS = Role.DISPATCHER | Role.ORGANIZER | Role.ADMIN


class Counts(Schema):
    queued: int
    sent: int
    delivered: int  # of those sent, how many the gateway says reached the phone (SMS)
    failed: int
    skipped: int


class AlertStatusOut(Schema):
    id: str
    kind: str
    state: str
    audience_size: int
    deliveries: Counts
    by_channel: dict[str, Counts]


@router.get("/alerts/{alert}", response={200: AlertStatusOut, **READ})
def get_alert(request: HttpRequest, alert: str):
    """Show an alert's audience size and its deliveries by state and by channel."""
    found = Alert.objects.select_related("organization").filter(public_id=alert_uuid(alert)).first()
    if found is None:
        raise Http404
    get_membership_for(request.auth, found.organization.slug, SENDERS)
    return alert_status(found)


def alert_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None
