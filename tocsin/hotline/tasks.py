"""Background jobs of the hotline: send a case's messages, remind tasks, erase old cases."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tocsin.core.queue import enqueue_now
from tocsin.delivery.channels import Message, TransportError, transport_for
from tocsin.delivery.lanes import GENERAL, queue_of

from .models import CaseMessage
from .services.cases import remind_due_tasks
from .services.handovers import return_lapsed_handovers
from .services.messages import HOLD_SECONDS
from .services.retention import erase_expired_cases

log = logging.getLogger(__name__)
RETRIES = 5
RETRY_DELAY_SECONDS = 30


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_case_message(message_id: int) -> None:
    """Send one queued case message, once, whatever the queue lost or repeated.

    The job first takes the message (a claim of its own, for a lease's time), so
    a twin job (the sweep's, a retry racing the original) finds it taken and sends nothing;
    it marks the message only while it still holds it. A failure of the moment holds the
    message for this job's retry; a lost retry leaves it to the sweep.
    """
    claim = uuid.uuid4().hex
    now = timezone.now()
    lease = timedelta(seconds=settings.TOCSIN_DELIVERY_LEASE_SECONDS)
    taken = (
        CaseMessage.objects.filter(pk=message_id, status=CaseMessage.Status.QUEUED)
        .filter(
            Q(claim__isnull=True) | Q(claimed_until__lt=now),
        )
        .update(claim=claim, claimed_until=now + lease, attempts=F("attempts") + 1)
    )
    if not taken:
        return
    message = CaseMessage.objects.get(pk=message_id)
    mine = CaseMessage.objects.filter(pk=message_id, claim=claim)
    direct = Message(
        address=message.address,
        subject=message.subject,
        text=message.body,
        language=message.language,
    )
    try:
        transport_for(message.channel).send_direct(direct)
    except TransportError as error:
        log.warning("case message %s not sent on %s: %s", message.pk, message.channel, error)
        if error.permanent or message.attempts > RETRIES:
            mine.update(status=CaseMessage.Status.FAILED, reason=str(error)[:200])
            return
        # Held for this job's retry until it is due, plus a lease; then the sweep's.
        mine.update(
            claim=None,
            reason=str(error)[:200],
            claimed_until=timezone.now() + timedelta(seconds=RETRY_DELAY_SECONDS) + lease,
        )
        raise
    mine.update(status=CaseMessage.Status.SENT, sent_at=timezone.now(), reason="")
    log.info("case message %s sent on %s", message.pk, message.channel)


@db_periodic_task(crontab(minute="*"))
def resume_case_messages() -> int:
    """Give a new job to each queued case message nobody answers for; return how many.

    Nobody answers for a message whose hold or lease ran out (its job was lost, its worker
    killed), nor for one never tried and held for a job while the general lane holds no job
    at all: the queue lost it (a Redis restart), so it need not wait out its hold.
    """
    now = timezone.now()
    queued = CaseMessage.objects.filter(status=CaseMessage.Status.QUEUED)
    lost = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    if queue_of(GENERAL).pending_count() == 0:
        lost |= Q(claim__isnull=True, attempts=0)
    resumed = 0
    for message_id in queued.filter(lost).values_list("pk", flat=True)[:1000]:
        # Unclaimed and held for the new job; a claim that came alive meanwhile is kept.
        queued.filter(lost, pk=message_id).update(
            claim=None, claimed_until=now + timedelta(seconds=HOLD_SECONDS)
        )
        resumed += enqueue_now(send_case_message, message_id)
    return resumed


@db_periodic_task(crontab(minute="*"))
def remind_due_tasks_every_minute() -> int:
    return remind_due_tasks()


@db_periodic_task(crontab(minute="*"))
def return_lapsed_handovers_every_minute() -> int:
    """Give back, with a line on their timeline, the cases handed over under an agreement
    that has ended (the other organization lost them the moment it ended: access.py)."""
    return return_lapsed_handovers()


@db_periodic_task(crontab(minute="23"))
def erase_expired_cases_hourly() -> int:
    """Erase the sensitive details of cases closed longer than their retention period."""
    return erase_expired_cases()
