"""Page the dispatchers when a report opens an incident, and a burst of them once.

The dispatcher on call at 6:40 is not watching the console, so a new incident pages them on
their own channels (a NEW_INCIDENT alert: where, that nothing went to members, the console's
address; never what was reported or by whom). Forty pins dropped at once by someone
trying to wear the dispatchers out, or to hide a real raid among false ones, must not page
forty times:

- A new incident from a member, a token holder or staff pages at once, always.
- A new incident from an anonymous source pages at once unless the organization's
  dispatchers were paged in the last TOCSIN_PAGE_HOLD_SECONDS. Then it joins the
  organization's open Burst: the console shows the burst as one group, and when the hold
  ends one page tells how many new incidents it holds (`page_burst`, a delayed job), saying
  "flood" when anonymous reports came faster than the organization's ceiling.

A burst page goes once: the job runs under the organization's row lock and marks the burst
paged; a second run finds nothing to do. The burst row is the record that a page is owed:
when the queue lost the delayed job (down when the report was filed, or restarted without
its schedule), `page_overdue_bursts` pages every burst still unpaged a minute after its hold
ended (a job every minute, tasks.py).
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tocsin.accounts.models import Organization
from tocsin.audit.services import record
from tocsin.core.outage import DEPENDENCY_ERRORS
from tocsin.core.transactions import locking
from tocsin.delivery.audience import audience_size
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from ..access import DISPATCHERS, sharing_dispatch_ids
from ..models import Burst, Incident
from ..titles import message_title
from .broadcast import incident_alert
from .timeline import log

logger = logging.getLogger(__name__)
# How late a burst's own job may be before the sweep pages it instead.
OVERDUE_GRACE = timedelta(minutes=1)


def console_url(organization: Organization) -> str:
    """Return the link a page about the organization's new incidents carries. One message
    goes to its own dispatchers and to those of the partners it shares dispatch with, so the
    link names no console: it opens each reader's own (views.console.console_of)."""
    console = reverse("response:console_of", kwargs={"org": organization.slug})
    return settings.TOCSIN_BASE_URL + console


def dispatchers_audience(organization: Organization) -> dict:
    return {"roles": int(DISPATCHERS), "organization_ids": sharing_dispatch_ids(organization)}


def last_page_at(organization: Organization) -> datetime | None:
    """Return when the organization's dispatchers were last paged about new incidents."""

    latest = (
        Alert.objects.filter(organization=organization, kind=Alert.Kind.NEW_INCIDENT)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return latest


def page_new_incident(incident: Incident, anonymous: bool, flood: bool, now: datetime) -> None:
    """Page the dispatchers about a new incident, or hold it in a burst (see above).

    Call inside the transaction that filed the report, with the organization's row locked.
    """
    organization = incident.organization
    last = last_page_at(organization) if anonymous else None
    hold = timedelta(seconds=settings.TOCSIN_PAGE_HOLD_SECONDS)
    if last is None or now - last >= hold:
        alert_dispatchers(incident)
        return
    burst = Burst.objects.filter(organization=organization, paged_at__isnull=True).first()
    if burst is None:
        burst = Burst.objects.create(organization=organization, started_at=now, flood=flood)
        delay = max(1.0, (last + hold - now).total_seconds())
        transaction.on_commit(partial(schedule_burst_page, burst.pk, delay))
    elif flood and not burst.flood:
        burst.flood = True
        burst.save(update_fields=["flood"])
    incident.burst = burst
    incident.save(update_fields=["burst"])
    log(incident, None, "response.dispatchers.held", flood=burst.flood)


def mark_flood(organization: Organization) -> None:
    """Say "flood" in the open burst's page, if there is one: anonymous reports came
    faster than the ceiling."""
    Burst.objects.filter(organization=organization, paged_at__isnull=True, flood=False).update(
        flood=True
    )


def schedule_burst_page(burst_id: int, delay: float) -> None:
    """Have the burst paged when its hold ends. A queue that is down does not fail the report
    that was filed: the burst stays unpaged, and `page_overdue_bursts` pages it."""
    from ..tasks import page_burst_later  # in the function: tasks.py's jobs reach this module

    try:
        page_burst_later.schedule((burst_id,), delay=delay)
    except DEPENDENCY_ERRORS as error:
        logger.warning("queue unavailable, burst page left for its sweep: %s", type(error).__name__)


def page_overdue_bursts() -> int:
    """Page every burst still unpaged a minute after its hold ended (its job was lost);
    return how many were paged. A burst paged meanwhile by its own job is left alone."""
    hold = timedelta(seconds=settings.TOCSIN_PAGE_HOLD_SECONDS)
    overdue = Burst.objects.filter(
        paged_at__isnull=True, started_at__lt=timezone.now() - hold - OVERDUE_GRACE
    ).values_list("pk", flat=True)
    return sum(1 for burst_id in list(overdue) if page_burst(burst_id))


def alert_dispatchers(incident: Incident) -> None:
    """Tell the dispatchers a new incident is waiting, on their own channels, once it is
    stored: whoever is on call need not be watching the console. The message says where,
    and that nothing went to members; never what was reported or by whom."""

    alert = incident_alert(
        incident,
        Alert.Kind.NEW_INCIDENT,
        {"where": message_title(incident), "console_url": console_url(incident.organization)},
        dispatchers_audience(incident.organization),
    )
    if alert.audience_size:
        send_alert(alert)
    log(incident, None, "response.dispatchers.alerted", dispatchers=alert.audience_size)


@transaction.atomic
def page_burst(burst_id: int) -> int:
    """Page the dispatchers once about a burst's new incidents; return how many it held
    (0 when it was paged already)."""

    found = Burst.objects.filter(pk=burst_id).values_list("organization_id", flat=True).first()
    if found is None:
        return 0
    # The same lock as filing a report: no incident joins the burst while it is counted.
    organization = locking(Organization.objects).get(pk=found)
    burst = locking(Burst.objects).get(pk=burst_id)
    if burst.paged_at is not None:
        return 0
    count = burst.incidents.count()
    burst.paged_at = timezone.now()
    burst.save(update_fields=["paged_at"])
    if not count:
        return 0
    context = {
        "count": count,
        "since": timezone.localtime(burst.started_at).strftime("%H:%M"),
        "flood": burst.flood,
        "console_url": console_url(organization),
    }
    alert = create_alert(
        organization, Alert.Kind.NEW_INCIDENT, context, dispatchers_audience(organization)
    )
    alert.audience_size = audience_size(alert)
    alert.save(update_fields=["audience_size"])
    if alert.audience_size:
        send_alert(alert)
    record(
        None,
        "response.burst.paged",
        organization,
        incidents=count,
        flood=burst.flood,
        dispatchers=alert.audience_size,
    )
    return count
