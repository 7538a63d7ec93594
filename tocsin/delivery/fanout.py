"""The fan-out: record an alert's deliveries, then send them in chunks, each exactly once.

fan_out(alert)          records every delivery (one INSERT … SELECT) and enqueues a job per
                        chunk of queued deliveries per channel (an id range), at the alert's
                        priority; then marks the alert fanned out (its outbox).
send_chunk(alert, …)    sends the still-queued deliveries of one id range on one channel, one
                        request at a time, within the channel's shared rate.
resume_stalled()        every minute, the sweeper: fans out what the queue never fanned out,
                        gives a new job to queued rows nobody answers for, settles alerts.
fallback_due()          every minute: deliveries tried and still unsent past their deadline hand
                        over to the person's next channel; one that failed for good does so at
                        once.

The database is the record of what must be sent; the queue only makes it go sooner. A job
leases its rows (leases.py) and renews the lease as it works; it marks only rows it still
holds, one request at a time, the moment the answer arrives. A duplicated job finds the
rows taken; a killed worker's lease runs out and the sweeper gives the rows a new job; a
job the queue lost leaves rows nobody answers for, which the sweeper finds too. The unique
(alert, person, channel) key keeps a re-run of fan_out or a second fallback from creating
anything twice. What remains is the moment between a server's answer and the row being
marked: a worker killed exactly then sends that one request again, at most one per worker
thread (see docs/decisions/0004-delivery.md).
"""

import logging
import math
from collections.abc import Iterable
from datetime import timedelta
from functools import reduce
from itertools import groupby, zip_longest
from operator import itemgetter, or_

from django.conf import settings
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from tocsin.accounts.models import ContactPoint

from . import retries
from .audience import record_deliveries
from .channels import Outgoing, Transport, TransportError, kinds, transport_for
from .kinds import kind_of
from .lanes import enqueue_send_chunk, lane_for, queue_of
from .leases import Lease, LeaseLost, hold_for_job, lost
from .models import Alert, Delivery
from .ratelimit import limiter
from .rendering import LINK, Rendered, fit, personal_links, render, unsubscribe_links
from .signals import alert_fanned_out

log = logging.getLogger(__name__)

# Channels whose limit is this short get the one-line message rather than the full one.
SHORT_MESSAGE_BELOW = 500


@db_task(retries=5, retry_delay=2, retry_backoff=2)
def fan_out(alert_id: int) -> int:
    """Record the alert's deliveries and enqueue their chunks, once; return how many chunks.

    The alert is marked fanned out only once every chunk is enqueued: a fan-out the queue
    refused or lost halfway stays open, and the sweeper runs it again. A second run after
    that (a duplicated job) finds it done and does nothing.
    """
    alert = Alert.objects.filter(pk=alert_id, fanned_out_at__isnull=True).first()
    if alert is None:
        return 0
    size = record_deliveries(alert)
    Alert.objects.filter(pk=alert_id).update(audience_size=size)
    # Rows a live job leases are that job's; any other queued row gets a job now.
    waiting = Delivery.objects.filter(alert=alert, status=Delivery.Status.QUEUED).filter(
        Q(claim__isnull=True) | Q(claimed_until__lt=timezone.now())
    )
    jobs = enqueue_chunks(alert, waiting, hold=False)  # record_deliveries held them
    marked = Alert.objects.filter(pk=alert_id, fanned_out_at__isnull=True).update(
        fanned_out_at=timezone.now()
    )
    if marked:
        alert_fanned_out.send(sender=Alert, alert=alert, audience_size=size)
    settle(alert_id)
    return jobs


def enqueue_chunks(alert: Alert, queued: QuerySet[Delivery], hold: bool = True) -> int:
    """Enqueue one send_chunk job per TOCSIN_DELIVERY_CHUNK of the `queued` deliveries (of
    this alert) per channel; with `hold`, hold each chunk's rows for its job once enqueued."""
    ids = queued.order_by("channel", "pk").values_list("channel", "pk")
    return enqueue_ranges(alert, chunk_ranges(ids.iterator(chunk_size=10_000)), queued, hold)


def chunk_ranges(ids: Iterable[tuple[str, int]]) -> dict[str, list[tuple[int, int]]]:
    """Return the id ranges, per channel, of TOCSIN_DELIVERY_CHUNK rows each, of these
    (channel, id) pairs sorted by channel and id."""
    size = settings.TOCSIN_DELIVERY_CHUNK
    ranges: dict[str, list[tuple[int, int]]] = {}
    for kind, rows in groupby(ids, key=lambda row: row[0]):
        chunk: list[int] = []
        for _kind, pk in rows:
            chunk.append(pk)
            if len(chunk) == size:
                ranges.setdefault(kind, []).append((chunk[0], chunk[-1]))
                chunk = []
        if chunk:
            ranges.setdefault(kind, []).append((chunk[0], chunk[-1]))
    return ranges


def enqueue_ranges(
    alert: Alert, ranges: dict[str, list[tuple[int, int]]], queued: QuerySet[Delivery], hold: bool
) -> int:
    """Enqueue a send_chunk job per range; with `hold`, hold the `queued` rows of each."""
    # Channels take turns in the queue, so that a slow channel (email) does not hold the
    # others' first messages back until all of its own are sent.
    jobs = 0
    for turn in zip_longest(*ranges.values()):
        for kind, job in zip(ranges, turn, strict=True):
            if job is not None:
                enqueue_send_chunk(alert.pk, kind, job[0], job[1], alert.priority)
                jobs += 1
                if hold:
                    hold_for_job(queued.filter(channel=kind, pk__gte=job[0], pk__lte=job[1]))
    return jobs


@db_task(retries=settings.TOCSIN_DELIVERY_RETRIES, retry_delay=2, retry_backoff=1.6, context=True)
def send_chunk(alert_id: int, channel: str, first_id: int, last_id: int, task=None) -> int:
    """Send the queued deliveries with ids first_id..last_id on one channel; return how many.

    The job first leases the rows no other job holds; a twin of this job finds them taken
    and sends nothing. It renews the lease as it works and stops when it has lost it.
    Whatever is still queued when it asks to be retried stays its own until the retry is
    due; once its channel has failed it long enough, it fails and hands over to each
    person's next channel (retry_or_give_up); after anything else it is let go, for the
    sweeper.
    """
    transport = transport_for(channel)
    lease = Lease(task.id if task is not None else None, seconds=lease_seconds(transport))
    if not lease.take(alert_id, channel, first_id, last_id):
        return 0
    claim = lease.claim
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
    unsubscribe_for = (
        unsubscribe_links(alert.organization_id) if transport.list_unsubscribe else None
    )
    try:
        try:
            for language, group in groupby(rows, key=lambda row: row.person.language):
                rendered = render(alert, language)
                batch: list[Delivery] = []
                for row in group:
                    batch.append(row)
                    if len(batch) == size:
                        done, later = send_batch(
                            transport, lease, rendered, batch, link_for, answering, unsubscribe_for
                        )
                        sent, left_for_later = sent + done, left_for_later or later
                        batch = []
                if batch:
                    done, later = send_batch(
                        transport, lease, rendered, batch, link_for, answering, unsubscribe_for
                    )
                    sent, left_for_later = sent + done, left_for_later or later
        except TransportError as error:
            if error.permanent:
                for row in lease.mine():
                    mark_failed(row, error.reason, claim)
                return sent
            retry_or_give_up(claim, error.reason, error.retry_after)
    except RetryTask as retry:
        lease.keep_for_retry(retry_delay(retry, task))
        raise
    except LeaseLost:
        log.warning("send job of alert %s stopped: its lease ran out and was taken", alert_id)
    finally:
        transport.close()
        lease.release()
        settle(alert_id)
    return sent


def lease_seconds(transport: Transport) -> int:
    """Return how long a job's lease on its rows lasts: TOCSIN_DELIVERY_LEASE_SECONDS, or
    twice the channel's request timeout if longer. The lease is renewed before a request
    once a third of it has gone, so at least two thirds remain: more than one request can
    take, and no second job is given rows whose request is still in flight."""
    return max(settings.TOCSIN_DELIVERY_LEASE_SECONDS, math.ceil(2 * transport.request_timeout))


def lease_lengths() -> list[int]:
    """Return the lengths a send job's lease may have, one per channel, shortest first: a
    worker started after a killed one sweeps once each has run out (see the worker)."""
    lengths = set()
    for kind in kinds():
        transport = transport_for(kind)
        lengths.add(lease_seconds(transport))
        transport.close()
    return sorted(lengths)


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
            mark_failed(row, retries.gave_up_reason(reason or row.reason), claim)
        return
    remaining = (retries.give_up_at(first_tried_at) - now).total_seconds()
    raise RetryTask(delay=retries.delay(tried["attempts"] or 1, retry_after, remaining))


def retry_delay(retry: RetryTask, task) -> float:
    """Return the seconds after which Huey runs a job again that raised `retry`."""
    if retry.delay is not None:
        return retry.delay
    return float(getattr(task, "retry_delay", 0) or 0)


def settle(alert_id: int) -> bool:
    """Mark a sending alert done once it is fanned out and none of its deliveries is queued."""
    queued = Delivery.objects.filter(alert_id=OuterRef("pk"), status=Delivery.Status.QUEUED)
    return bool(
        Alert.objects.filter(pk=alert_id, state=Alert.State.SENDING, fanned_out_at__isnull=False)
        .filter(~Exists(queued))
        .update(state=Alert.State.DONE)
    )


@db_periodic_task(crontab(minute="*"))
def resume_stalled() -> int:
    """Make up for whatever the queue or a worker lost; return how many send jobs it enqueued.

    1. An alert sending whose fan-out never finished (its job refused at Send, lost in a
       queue restart) is fanned out here, once it is older than a lease.
    2. Queued rows nobody answers for (leases.py: a killed worker's, a lost retry's, a
       failed job's) get new jobs; so do rows held for a job in the queue when the
       channel's queue is empty, since that job is gone. A merely long queue is trusted
       until its holds run out (TOCSIN_DELIVERY_HOLD_SECONDS), so its jobs are not doubled.
    3. Alerts with nothing left queued are settled (done).
    """
    lease_ago = timezone.now() - timedelta(seconds=settings.TOCSIN_DELIVERY_LEASE_SECONDS)
    unfanned = Alert.objects.filter(
        state=Alert.State.SENDING, fanned_out_at__isnull=True, sent_at__lt=lease_ago
    )
    for alert_id in unfanned.values_list("pk", flat=True):
        fan_out.call_local(alert_id)
    # An alert's rows are its fan-out's until it has enqueued them all (step 1 covers it).
    # Each look-up reads only the rows it finds (leases.lost), never the queued rows a job
    # answers for: a million of them may wait in a long queue. Every range is found before
    # any row is held.
    queued = Delivery.objects.filter(status=Delivery.Status.QUEUED)
    jobs = 0
    for channel in kinds():
        rows = queued.filter(channel=channel)
        conditions = lost(jobs_gone=not jobs_waiting(channel))
        # Sorted here: asked to sort, the planner would walk every row in alert order.
        found = sorted(
            row
            for condition in conditions
            for row in rows.filter(condition).values_list("alert_id", "channel", "pk")
        )
        by_alert = {
            alert_id: chunk_ranges((kind, pk) for _alert_id, kind, pk in found_rows)
            for alert_id, found_rows in groupby(found, key=itemgetter(0))
        }
        for alert in Alert.objects.filter(pk__in=by_alert, fanned_out_at__isnull=False):
            Alert.objects.filter(pk=alert.pk, state=Alert.State.DONE).update(
                state=Alert.State.SENDING
            )
            mine = rows.filter(alert=alert).filter(reduce(or_, conditions))
            jobs += enqueue_ranges(alert, by_alert[alert.pk], mine, hold=True)
    for alert_id in Alert.objects.filter(state=Alert.State.SENDING).values_list("pk", flat=True):
        settle(alert_id)
    return jobs


def jobs_waiting(channel: str) -> int:
    """Return how many jobs wait in the channel's lane (one cheap call to the queue's storage)."""
    return queue_of(lane_for(channel)).pending_count()


def batch_size(transport: Transport) -> int:
    """Return how many messages go to one send() call: one request's worth.

    A channel that takes many recipients per request (Signal) gets as many as a request
    takes; one that takes one recipient per request (SMS, email, push) gets one message,
    over the connection the transport keeps open across the chunk. Each request's rows are
    marked as soon as it is answered, so a killed worker sends at most that one again.
    """
    return max(1, transport.limits.recipients_per_request)


def people_who_answer(alert: Alert, claim: str) -> set[int]:
    """Return which people of a leased chunk act on this alert from its link.

    A channel that shares one text among many recipients (Signal) still gives these people
    their own link. Who they are is the kind's answer rule (kinds.AlertKind.answerers):
    every recipient of a kind that asks them to act, some of them, or nobody.
    """
    answerers = kind_of(alert.kind).answerers
    if answerers is None:
        return set()
    people = Delivery.objects.filter(claim=claim, status=Delivery.Status.QUEUED).values_list(
        "person_id", flat=True
    )
    return set(answerers(alert, people))


def send_batch(
    transport: Transport,
    lease: Lease,
    rendered: Rendered,
    batch: list[Delivery],
    link_for=None,
    answering: set[int] | None = None,
    unsubscribe_for=None,
) -> tuple[int, bool]:
    """Send one request's worth; return (how many were sent, whether some must be retried).

    `link_for` makes the personal links (rendering.personal_links(), made once per chunk),
    `unsubscribe_for` the unsubscribe links of a channel that carries them (by person).
    On a channel without personal links, the people in `answering` get theirs all the same.
    The job's `lease` must still hold every row after the rate limiter's wait, or nothing
    is sent (LeaseLost); rows are marked only while it holds them.
    """
    claim = lease.claim
    limits = transport.limits
    if (transport.personal_links or answering) and link_for is None:
        link_for = personal_links()
    template = (
        rendered.short if (limits.max_length or 10**6) < SHORT_MESSAGE_BELOW else rendered.text
    )
    messages: dict[int, tuple[Delivery, Outgoing]] = {}
    for row in batch:
        if row.contact is None:
            mark_failed(row, "contact removed", claim)
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
                unsubscribe_url=unsubscribe_for(row.person_id) if unsubscribe_for else "",
            ),
        )
    if not messages:
        return 0, False
    account = f"{transport.kind}:{getattr(transport, 'account', 'default')}"
    # Only identical texts share a request: personal links make one request each.
    texts: dict[str, int] = {}
    for _row, outgoing in messages.values():
        texts[outgoing.text] = texts.get(outgoing.text, 0) + 1
    requests = sum(math.ceil(count / limits.recipients_per_request) for count in texts.values())
    limiter().acquire(
        account, rate=limits.per_second, burst=max(1.0, limits.per_second), tokens=requests
    )
    lease.hold(list(messages))
    results = transport.send([outgoing for _row, outgoing in messages.values()])
    sent_ids = [result.delivery_id for result in results if result.sent]
    if lease.mark_sent(sent_ids) != len(sent_ids):
        # Only a job stalled past its whole lease gets here: the rows are another job's.
        raise LeaseLost
    for result in results:
        if result.sent and result.provider_id:
            # What the gateway's status callbacks will name (sms_status).
            Delivery.objects.filter(pk=result.delivery_id).update(
                provider_id=result.provider_id[:64]
            )
    retry = False
    for result in results:
        if result.sent:
            continue
        row = messages[result.delivery_id][0]
        if result.remove_contact and row.contact is not None:
            row.contact.delete()
        elif result.opted_out and row.contact is not None:
            ContactPoint.objects.filter(pk=row.contact.pk, opted_out_at__isnull=True).update(
                opted_out_at=timezone.now()
            )
        if result.permanent:
            mark_failed(row, result.reason, claim)
        else:
            lease.mine().filter(pk=row.pk).update(reason=result.reason[:200])
            retry = True
    return len(sent_ids), retry


def mark_failed(row: Delivery, reason: str, claim: str | None = None) -> None:
    """Mark a delivery failed for good and hand the person over to their next channel.

    With a `claim`, only while that job still holds the row.
    """
    still = Delivery.objects.filter(pk=row.pk, status=Delivery.Status.QUEUED)
    if claim is not None:
        still = still.filter(claim=claim)
    updated = still.update(
        status=Delivery.Status.FAILED,
        reason=reason[:200],
        fallback_at=None,
        claim=None,
        claimed_until=None,
    )
    # Web push goes in addition to a person's channel, so its failure hands over to nothing.
    if updated and row.channel != ContactPoint.Channel.PUSH:
        fall_back(row)


def mark_undelivered(row: Delivery, reason: str) -> bool:
    """Fail a delivery the gateway took but could not deliver, and hand the person over to
    their next channel; return whether it was still marked sent.

    This is what a gateway says later, in a status callback (an SMS carrier's 30003,
    unreachable handset, or 30007, filtered), after the row was marked sent on its answer.
    """
    updated = Delivery.objects.filter(pk=row.pk, status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, reason=reason[:200], delivered_at=None
    )
    if updated and row.channel != ContactPoint.Channel.PUSH:
        fall_back(row)
    return bool(updated)


def fall_back(row: Delivery) -> Delivery | None:
    """Create (once) the delivery on the person's next confirmed channel, and send it.

    A contact opted out (an SMS number that texted STOP) is passed over.
    """
    used = set(
        Delivery.objects.filter(alert_id=row.alert_id, person_id=row.person_id).values_list(
            "channel", flat=True
        )
    )
    contact = (
        ContactPoint.objects.filter(
            person_id=row.person_id, confirmed_at__isnull=False, opted_out_at__isnull=True
        )
        .exclude(channel__in=[*used, ContactPoint.Channel.PUSH])
        .order_by("preference", "pk")
        .first()
    )
    if contact is None:
        return None
    held_until = timezone.now() + timedelta(seconds=settings.TOCSIN_DELIVERY_HOLD_SECONDS)
    delivery, created = Delivery.objects.get_or_create(
        alert_id=row.alert_id,
        person_id=row.person_id,
        channel=contact.channel,
        defaults={"contact": contact, "claimed_until": held_until},
    )
    if created:
        alert = Alert.objects.get(pk=row.alert_id)
        # An alert settled a moment ago has something to send again.
        Alert.objects.filter(pk=alert.pk, state=Alert.State.DONE).update(state=Alert.State.SENDING)
        enqueue_send_chunk(alert.pk, delivery.channel, delivery.pk, delivery.pk, alert.priority)
    return delivery


@db_periodic_task(crontab(minute="*"))
def fallback_due() -> int:
    """Hand deliveries whose channel keeps failing over to the next channel.

    Only rows already tried count: in a fan-out to a million people most rows wait their
    turn in the queue for longer than the deadline, and handing those over would send each
    person a second message on another channel for no reason but the queue's length.
    """
    # In deadline order, through the index of tried rows still queued (delivery_tried_fallback):
    # the untried rows of a long queue, past their deadline too, are never read.
    due = Delivery.objects.filter(
        status=Delivery.Status.QUEUED, fallback_at__lte=timezone.now(), attempts__gt=0
    ).order_by("fallback_at", "pk")[:10_000]
    handed = 0
    for row in due:
        if Delivery.objects.filter(pk=row.pk, fallback_at__isnull=False).update(fallback_at=None):
            handed += fall_back(row) is not None
    return handed
