"""Incidents, for their dispatchers: list, read, claim, verify, confirm, dismiss, retract,
give the all-clear; and the answers of the people their alerts reach.

A dispatcher sees the incidents of every organization where they dispatch (and of those
that share dispatch with it); anyone else gets an empty list and 404. Reading an incident
shows what its reports say, never who sent them or how to reach them, and is audited.
"""

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tocsin.api.access import (
    ALERT_RECIPIENT,
    ANY_PERSON,
    INCIDENT_DISPATCHER,
    dispatchable_incidents,
)
from tocsin.api.routers.common import READ, WRITE
from tocsin.audit.services import record
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services import incidents as incident_changes
from tocsin.response.services.broadcast import AlertFacts
from tocsin.response.services.responses import record_response

from .schemas import (
    AlertSent,
    ClaimIn,
    ConfirmIn,
    DismissIn,
    FollowUpIn,
    IncidentDetailOut,
    IncidentOut,
    IncidentState,
    ResponseIn,
    ResponseOut,
    RetractIn,
    VerifyRequestIn,
)

router = Router(tags=["incidents"], auth=ANY_PERSON)


def sent(alert: Alert) -> Status:
    return Status(201, {"alert_id": str(alert.public_id), "audience_size": alert.audience_size})


@router.get("/incidents", response={200: list[IncidentOut], **READ})
@paginate(LimitOffsetPagination, max_limit=500)
def list_incidents(request: HttpRequest, state: IncidentState | None = None) -> QuerySet[Incident]:
    """List the incidents the caller dispatches, newest first, optionally in one state."""
    incidents = dispatchable_incidents(ANY_PERSON.of(request))
    if state is not None:
        incidents = incidents.filter(state=state)
    return (
        incidents.select_related("organization", "site", "claimed_by")
        .annotate(report_count=Count("reports"))
        .order_by("-opened_at", "-pk")
    )


@router.get(
    "/incidents/{incident}",
    response={200: IncidentDetailOut, **READ},
    auth=INCIDENT_DISPATCHER,
)
def get_incident(request: HttpRequest, incident: str):
    """Show an incident with what its reports say, its alerts and its timeline (audited)."""
    access = INCIDENT_DISPATCHER.of(request)
    record(access.person, "response.incident.read", access.incident)
    return access.incident


@router.post(
    "/incidents/{incident}/claim",
    response={200: IncidentOut, **WRITE},
    auth=INCIDENT_DISPATCHER,
)
def claim_incident(request: HttpRequest, incident: str, payload: ClaimIn | None = None):
    """Take the incident into your hands; someone else's only with take_over."""
    access = INCIDENT_DISPATCHER.of(request)
    take_over = payload.take_over if payload is not None else False
    return incident_changes.claim_incident(access.person, access.incident, take_over=take_over)


@router.post(
    "/incidents/{incident}/verify-requests",
    response={201: AlertSent, **WRITE},
    auth=INCIDENT_DISPATCHER,
)
def request_verification(request: HttpRequest, incident: str, payload: VerifyRequestIn):
    """Ask the verifiers within radius_m of the incident to go and look."""
    access = INCIDENT_DISPATCHER.of(request)
    alert = broadcast.request_verification(
        access.person, access.incident, radius_m=payload.radius_m, message=payload.message
    )
    return sent(alert)


@router.post(
    "/incidents/{incident}/confirm",
    response={201: AlertSent, **WRITE},
    auth=INCIDENT_DISPATCHER,
)
def confirm_incident(request: HttpRequest, incident: str, payload: ConfirmIn):
    """Confirm the incident and send the verified alert to everyone within radius_m."""
    access = INCIDENT_DISPATCHER.of(request)
    facts = AlertFacts(
        seen=tuple(payload.seen),
        where=payload.site,
        since=payload.since,
        until=payload.until,
        ask=payload.ask,
        notes=dict(payload.notes),
    )
    alert = broadcast.confirm_incident(access.person, access.incident, facts, payload.radius_m)
    return sent(alert)


@router.post(
    "/incidents/{incident}/dismiss",
    response={200: IncidentOut, **WRITE},
    auth=INCIDENT_DISPATCHER,
)
def dismiss_incident(request: HttpRequest, incident: str, payload: DismissIn):
    """Close an unconfirmed incident with a reason; nothing goes to members."""
    access = INCIDENT_DISPATCHER.of(request)
    return incident_changes.dismiss_incident(access.person, access.incident, payload.reason)


@router.post(
    "/incidents/{incident}/retract",
    response={201: AlertSent, **WRITE},
    auth=INCIDENT_DISPATCHER,
)
def retract_incident(request: HttpRequest, incident: str, payload: RetractIn):
    """Send a correction to everyone the verified alert reached, and close the incident."""
    access = INCIDENT_DISPATCHER.of(request)
    alert = broadcast.retract_incident(
        access.person, access.incident, payload.message, reason=payload.reason
    )
    return sent(alert)


@router.post(
    "/incidents/{incident}/all-clear",
    response={201: AlertSent, **WRITE},
    auth=INCIDENT_DISPATCHER,
)
def clear_incident(request: HttpRequest, incident: str, payload: FollowUpIn):
    """Send the all-clear to everyone the verified alert reached, and resolve the incident."""
    access = INCIDENT_DISPATCHER.of(request)
    alert = broadcast.clear_incident(access.person, access.incident, payload.message)
    return sent(alert)


@router.post(
    "/alerts/{alert}/responses",
    response={201: ResponseOut, **WRITE},
    auth=ALERT_RECIPIENT,
    tags=["alerts"],
)
def respond_to_alert(request: HttpRequest, alert: str, payload: ResponseIn):
    """Answer an alert you were sent: a verifier's finding, or a responder's movements."""
    access = ALERT_RECIPIENT.of(request)
    response = record_response(access.person, access.alert, **payload.model_dump())
    return Status(201, {"id": str(response.public_id), "status": response.status})
