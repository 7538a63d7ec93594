"""The fan-out: record an alert's deliveries, then send them in chunks, each exactly once.

fan_out(alert)          records every delivery (one INSERT … SELECT) and enqueues a job per
                        chunk of queued deliveries per channel (an id range), at the alert's
                        priority.
send_chunk(alert, …)    sends the still-queued deliveries of one id range on one channel, in
                        requests of the channel's size, within the channel's shared rate.
fallback_due()          every minute: deliveries tried and still unsent past their deadline hand
                        over to the person's next channel; one that failed for good does so at
                        once.

Exactly once: a job takes a lease on its rows in the database before sending, so a
duplicated job finds them taken; only `queued` rows are sent; each request's rows are
marked the moment its answer arrives. A killed worker's lease runs out and
resume_stalled() sends its rows again. The unique (alert, person, channel) key keeps a
re-run of fan_out or a second fallback from creating anything twice. What remains is the
moment between a server's answer and the row being marked: a worker killed exactly then
sends that one request again (see docs/decisions/0004-delivery.md).
"""

import math
import uuid
from datetime import timedelta
from itertools import groupby, zip_longest

from django.conf import settings
from django.db.models import F, Max, Min, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from tocsin.accounts.models import ContactPoint, Membership
from tocsin.accounts.roles import Role, has_role

from . import retries
from .audience import record_deliveries
from .channels import Outgoing, Transport, TransportError, transport_for
from .lanes import enqueue_send_chunk
from .models import Alert, Delivery
from .ratelimit import limiter
from .rendering import LINK, Rendered, fit, personal_links, render

# Channels whose limit is this short get the one-line message rather than the full one.
SHORT_MESSAGE_BELOW = 500
# At most this many one-recipient requests in one send() call.
MAX_SINGLE_BATCH = 50


@db_task(retries=5, retry_delay=2, retry_backoff=2)
def fan_out(alert_id: int) -> int:
    """Record the alert's deliveries and enqueue their chunks; return how many chunks."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return 0
    size = record_deliveries(alert)
    Alert.objects.filter(pk=alert_id).update(audience_size=size)
    return enqueue_chunks(alert)


def enqueue_chunks(alert: Alert, stalled_only: bool = False) -> int:
    """Enqueue one send_chunk job per TOCSIN_DELIVERY_CHUNK queued deliveries per channel."""
    size = settings.TOCSIN_DELIVERY_CHUNK
    queued = Delivery.objects.filter(alert=alert, status=Delivery.Status.QUEUED)
    if stalled_only:
        queued = queued.filter(claimed_until__lt=timezone.now())
    ranges: dict[str, list[tuple[int, int]]] = {}
    ids = queued.order_by("channel", "pk").values_list("channel", "pk")
    for kind, rows in groupby(ids.iterator(chunk_size=10_000), key=lambda row: row[0]):
        chunk: list[int] = []
        for _kind, pk in rows:
            chunk.append(pk)
            if len(chunk) == size:
                ranges.setdefault(kind, []).append((chunk[0], chunk[-1]))
                chunk = []
        if chunk:
            ranges.setdefault(kind, []).append((chunk[0], chunk[-1]))
    # Channels take turns in the queue, so that a slow channel (email) does not hold the
    # others' first messages back until all of its own are sent.
    jobs = 0
    for turn in zip_longest(*ranges.values()):
        for kind, job in zip(ranges, turn, strict=True):
            if job is not None:
                enqueue_send_chunk(alert.pk, kind, job[0], job[1], alert.priority)
                jobs += 1
    return jobs


@db_task(retries=settings.TOCSIN_DELIVERY_RETRIES, retry_delay=2, retry_backoff=1.6)
def send_chunk(alert_id: int, channel: str, first_id: int, last_id: int) -> int:
    """Send the queued deliveries with ids first_id..last_id on one channel; return how many.

    The job first takes a lease on the rows nobody else holds; a twin of this job finds
    them taken and sends nothing. Whatever is still queued at the end is released, and the
    job raises to be retried for it, or, once its channel has failed it long enough, it
    fails and hands over to each person's next channel (retry_or_give_up).
    """
    claim = uuid.uuid4().hex
    leased = lease(alert_id, channel, first_id, last_id, claim)
    if not leased:
        return 0
    transport = transport_for(channel)
    rows = (
        Delivery.objects.filter(claim=claim, status=Delivery.Status.QUEUED)
        .select_related("contact", "person")
        # What sending, marking and fallback read; anything else is loaded if ever used.
        .only("alert", "person__language", "channel", "contact__address", "contact__channel")
        .order_by("person__language", "pk")
    )
    sent = 0
    left_for_later = False
    size = batch_size(transport)
    alert = Alert.objects.select_related("organization").get(pk=alert_id)
    answering = None if transport.personal_links else people_who_answer(alert, claim)
    link_for = personal_links() if transport.personal_links or answering else None
    try:
        for language, group in groupby(rows, key=lambda row: row.person.language):
            rendered = render(alert, language)
            batch: list[Delivery] = []
            for row in group:
                batch.append(row)
                if len(batch) == size:
                    done, later = send_batch(transport, rendered, batch, link_for, answering)
                    sent, left_for_later = sent + done, left_for_later or later
                    batch = []
            if batch:
                done, later = send_batch(transport, rendered, batch, link_for, answering)
                sent, left_for_later = sent + done, left_for_later or later
        if left_for_later:
            retry_or_give_up(claim)
    except TransportError as error:
        if error.permanent:
            for row in Delivery.objects.filter(claim=claim, status=Delivery.Status.QUEUED):
                mark_failed(row, error.reason)
            return sent
        retry_or_give_up(claim, error.reason, error.retry_after)
    finally:
        transport.close()
        Delivery.objects.filter(claim=claim).update(claim=None, claimed_until=None)
    return sent


def retry_or_give_up(claim: str, reason: str = "", retry_after: float | None = None) -> None:
    """Fail the unsent rows of a chunk tried for long enough, or raise RetryTask for them.

    The policy is retries.py's: the pause grows to a ceiling, and rows still unsent when
    the chunk has been trying for TOCSIN_DELIVERY_GIVE_UP_SECONDS fail with "gave up
    after …: <reason>" (the whole request's `reason`, else the row's own), each handing
    its person over to their next channel. Huey's retry count plays no part (see there).
    """
    unsent = Delivery.objects.filter(claim=claim, status=Delivery.Status.QUEUED)
    tried = unsent.aggregate(first=Min("first_tried_at"), attempts=Max("attempts"))
    now = timezone.now()
    first_tried_at = tried["first"] or now
    if retries.should_give_up(first_tried_at, now):
        for row in unsent.only("pk", "alert_id", "person_id", "channel", "reason"):
            mark_failed(row, retries.gave_up_reason(reason or row.reason))
        return
    remaining = (retries.give_up_at(first_tried_at) - now).total_seconds()
    raise RetryTask(delay=retries.delay(tried["attempts"] or 1, retry_after, remaining))


def lease(alert_id: int, channel: str, first_id: int, last_id: int, claim: str) -> int:
    """Take the queued rows of a range that no live lease holds; return how many."""
    now = timezone.now()
    return (
        Delivery.objects.filter(
            alert_id=alert_id,
            channel=channel,
            status=Delivery.Status.QUEUED,
            pk__gte=first_id,
            pk__lte=last_id,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claim=claim,
            claimed_until=now + timedelta(seconds=settings.TOCSIN_DELIVERY_LEASE_SECONDS),
        )
    )


@db_periodic_task(crontab(minute="*"))
def resume_stalled() -> int:
    """Send again what a killed worker left: queued rows whose lease ran out."""
    stalled = Delivery.objects.filter(
        status=Delivery.Status.QUEUED, claimed_until__lt=timezone.now()
    )
    jobs = 0
    for alert in Alert.objects.filter(pk__in=stalled.values("alert_id")):
        jobs += enqueue_chunks(alert, stalled_only=True)
    return jobs


def batch_size(transport: Transport) -> int:
    """Return how many messages go to one send() call.

    A channel that takes many recipients per request gets a request's worth; one that takes
    a single recipient per request gets up to a second's worth of its rate, sent over one
    kept-alive connection, so that a chunk's bookkeeping is not paid message by message.
    """
    limits = transport.limits
    if limits.recipients_per_request > 1:
        return limits.recipients_per_request
    return max(1, min(MAX_SINGLE_BATCH, int(limits.per_second)))


def people_who_answer(alert: Alert, claim: str) -> set[int]:
    """Return which people of a leased chunk answer this alert from its link.

    A channel that shares one text among many recipients (Signal) still gives these people
    their own link: everyone asked to verify or dispatched, and the responders, legal
    observers and legal van crews of a verified alert (they answer en route, on scene).
    """
    if alert.incident_id is None:
        return set()
    people = Delivery.objects.filter(claim=claim).values("person_id")
    if alert.kind in (Alert.Kind.VERIFY_REQUEST, Alert.Kind.DISPATCH):
        return set(people.values_list("person_id", flat=True))
    if alert.kind != Alert.Kind.VERIFIED:
        return set()
    movers = Role.RESPONDER | Role.LEGAL_OBSERVER | Role.LEGAL_VAN
    return set(
        Membership.objects.filter(
            has_role(movers),
            organization_id=alert.organization_id,
            active=True,
            person_id__in=people,
        ).values_list("person_id", flat=True)
    )


def send_batch(
    transport: Transport,
    rendered: Rendered,
    batch: list[Delivery],
    link_for=None,
    answering: set[int] | None = None,
) -> tuple[int, bool]:
    """Send one request's worth; return (how many were sent, whether some must be retried).

    `link_for` makes the personal links (rendering.personal_links(), made once per chunk).
    On a channel without personal links, the people in `answering` get theirs all the same.
    """
    limits = transport.limits
    if (transport.personal_links or answering) and link_for is None:
        link_for = personal_links()
    template = (
        rendered.short if (limits.max_length or 10**6) < SHORT_MESSAGE_BELOW else rendered.text
    )
    messages: dict[int, tuple[Delivery, Outgoing]] = {}
    for row in batch:
        if row.contact is None:
            mark_failed(row, "contact removed")
            continue
        personal = transport.personal_links or row.person_id in (answering or ())
        link = link_for(row.pk) if personal and link_for is not None else ""
        messages[row.pk] = (
            row,
            Outgoing(
                delivery_id=row.pk,
                address=row.contact.address,
                language=row.person.language,
                subject=rendered.subject,
                text=fit(template, link, limits.max_length),
                html=rendered.html.replace(LINK, link),
                link=link,
                unsubscribe_url=f"{link}stop/" if link else "",
            ),
        )
    if not messages:
        return 0, False
    account = f"{transport.kind}:{getattr(transport, 'account', 'default')}"
    requests = math.ceil(len(messages) / limits.recipients_per_request)
    limiter().acquire(
        account, rate=limits.per_second, burst=max(1.0, limits.per_second), tokens=requests
    )
    Delivery.objects.filter(pk__in=list(messages)).update(
        attempts=F("attempts") + 1,
        first_tried_at=Coalesce("first_tried_at", Value(timezone.now())),
    )
    results = transport.send([outgoing for _row, outgoing in messages.values()])
    sent_ids = [result.delivery_id for result in results if result.sent]
    Delivery.objects.filter(pk__in=sent_ids, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        reason="",
        claim=None,
        claimed_until=None,
    )
    retry = False
    for result in results:
        if result.sent:
            continue
        row = messages[result.delivery_id][0]
        if result.remove_contact and row.contact is not None:
            row.contact.delete()
        if result.permanent:
            mark_failed(row, result.reason)
        else:
            Delivery.objects.filter(pk=row.pk).update(reason=result.reason[:200])
            retry = True
    return len(sent_ids), retry


def mark_failed(row: Delivery, reason: str) -> None:
    """Mark a delivery failed for good and hand the person over to their next channel."""
    updated = Delivery.objects.filter(pk=row.pk, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.FAILED, reason=reason[:200], fallback_at=None
    )
    # Web push goes in addition to a person's channel, so its failure hands over to nothing.
    if updated and row.channel != ContactPoint.Channel.PUSH:
        fall_back(row)


def fall_back(row: Delivery) -> Delivery | None:
    """Create (once) the delivery on the person's next confirmed channel, and send it."""
    used = set(
        Delivery.objects.filter(alert_id=row.alert_id, person_id=row.person_id).values_list(
            "channel", flat=True
        )
    )
    contact = (
        ContactPoint.objects.filter(person_id=row.person_id, confirmed_at__isnull=False)
        .exclude(channel__in=[*used, ContactPoint.Channel.PUSH])
        .order_by("preference", "pk")
        .first()
    )
    if contact is None:
        return None
    delivery, created = Delivery.objects.get_or_create(
        alert_id=row.alert_id,
        person_id=row.person_id,
        channel=contact.channel,
        defaults={"contact": contact},
    )
    if created:
        alert = Alert.objects.get(pk=row.alert_id)
        enqueue_send_chunk(alert.pk, delivery.channel, delivery.pk, delivery.pk, alert.priority)
    return delivery


@db_periodic_task(crontab(minute="*"))
def fallback_due() -> int:
    """Hand deliveries whose channel keeps failing over to the next channel.

    Only rows already tried count: in a fan-out to a million people most rows wait their
    turn in the queue for longer than the deadline, and handing those over would send each
    person a second message on another channel for no reason but the queue's length.
    """
    due = Delivery.objects.filter(
        status=Delivery.Status.QUEUED, fallback_at__lte=timezone.now(), attempts__gt=0
    ).order_by("pk")[:10_000]
    handed = 0
    for row in due:
        if Delivery.objects.filter(pk=row.pk, fallback_at__isnull=False).update(fallback_at=None):
            handed += fall_back(row) is not None
    return handed
