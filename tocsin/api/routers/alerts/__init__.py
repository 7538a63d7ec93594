"""Alerts: their delivery counts, for the people of the alert's organization who send them."""

from django.http import HttpRequest
from ninja import Router

from tocsin.api.access import ANY_PERSON, alert_for_sender
from tocsin.api.routers.common import READ
from tocsin.delivery.status import alert_status

from .schemas import AlertStatusOut

router = Router(tags=["alerts"], auth=ANY_PERSON)


@router.get("/alerts/{alert}", response={200: AlertStatusOut, **READ})
def get_alert(request: HttpRequest, alert: str) -> dict:
    """Show an alert's audience size and its deliveries by state and by channel."""
    return alert_status(alert_for_sender(ANY_PERSON.of(request), alert))
