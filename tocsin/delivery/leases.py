"""Who answers for a queued delivery, and until when: the job that sends it, the job that will.

Two columns of a delivery say it (decision 0004):

claim     claimed_until   meaning
--------  --------------  ---------------------------------------------------------------
empty     ahead           held: a job in the queue will take it (set when its job is
                          enqueued); any job whose range covers it may take it.
empty     empty or past   nobody: the sweeper (fanout.resume_stalled) gives it a new job.
a job's   ahead           leased: that job is sending it, and renews the lease as it works;
                          or it waits for that job's retry, which takes it again.
a job's   past            the job died or its retry was lost: any job may take it.

A job marks only the rows it still holds (UPDATE … WHERE claim = its own), so a job that
lost its lease sends nothing more and marks nothing: the rows are another job's now.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Delivery


class LeaseLost(Exception):
    """The job no longer holds rows it was about to send: another job has them now."""


def lost(jobs_gone: bool) -> list[Q]:
    """Return what makes a queued row one that nobody answers for, as separate conditions,
    each of which the index of queued rows by claimed_until (delivery_queued_until) finds
    by a range that holds only such rows; with `jobs_gone` (the channel's queue is empty),
    the rows held for a job in the queue too. Asked as one OR, the planner would read every
    queued row, and a million may wait in a long queue.
    """
    now = timezone.now()
    conditions = [Q(claimed_until__isnull=True), Q(claimed_until__lt=now)]
    if jobs_gone:
        conditions.append(Q(claim__isnull=True, claimed_until__gte=now))
    return conditions


def hold_for_job(rows: QuerySet[Delivery]) -> int:
    """Hold the rows no job holds for a job just enqueued; return how many.

    Until the hold runs out (TOCSIN_DELIVERY_HOLD_SECONDS) the sweeper trusts that the job
    is waiting its turn in the queue, unless the queue is empty.
    """
    until = timezone.now() + timedelta(seconds=settings.TOCSIN_DELIVERY_HOLD_SECONDS)
    return rows.filter(claim__isnull=True).update(claimed_until=until)


class Lease:
    """One send job's hold on the rows of its range.

    lease = Lease(task_id)   # a retry of the same job takes back what the job kept
    lease.take(alert_id, channel, first_id, last_id)
    lease.renew()            # before each request: keeps the lease, or raises LeaseLost
    lease.hold(ids)          # the rows of one request, still ours, or LeaseLost
    lease.keep_for_retry(delay) / lease.release()
    """

    def __init__(self, job_id: str | None = None, seconds: int | None = None):
        self.claim = (job_id or uuid.uuid4().hex).replace("-", "")[:32]
        self.seconds = seconds or settings.TOCSIN_DELIVERY_LEASE_SECONDS
        self.renewed_at = timezone.now()
        self.kept = False

    def mine(self) -> QuerySet[Delivery]:
        return Delivery.objects.filter(claim=self.claim, status=Delivery.Status.QUEUED)

    def take(self, alert_id: int, channel: str, first_id: int, last_id: int) -> int:
        """Take the queued rows of a range that no other live lease holds; return how many."""
        now = timezone.now()
        self.renewed_at = now
        return (
            Delivery.objects.filter(
                alert_id=alert_id,
                channel=channel,
                status=Delivery.Status.QUEUED,
                pk__gte=first_id,
                pk__lte=last_id,
            )
            .filter(Q(claim__isnull=True) | Q(claim=self.claim) | Q(claimed_until__lt=now))
            .update(claim=self.claim, claimed_until=now + timedelta(seconds=self.seconds))
        )

    def renew(self) -> None:
        """Extend the lease on every row still ours, once a third of it has gone by.

        Raise LeaseLost when none is ours any more. The rows share one lease, so a lease
        that ran out while the job waited (on the rate limiter, on a slow server) was taken
        as a whole by the job the sweeper started.
        """
        now = timezone.now()
        if now - self.renewed_at < timedelta(seconds=self.seconds / 3):
            return
        until = now + timedelta(seconds=self.seconds)
        if not self.mine().update(claimed_until=until):
            raise LeaseLost
        self.renewed_at = now

    def hold(self, ids: list[int]) -> None:
        """Count an attempt on the rows of one request (and when they were first tried), all
        of which must still be ours; raise LeaseLost otherwise, before anything is sent."""
        self.renew()
        tried = (
            self.mine()
            .filter(pk__in=ids)
            .update(
                attempts=F("attempts") + 1,
                first_tried_at=Coalesce("first_tried_at", Value(timezone.now())),
            )
        )
        if tried != len(ids):
            raise LeaseLost

    def mark_sent(self, ids: list[int]) -> int:
        """Mark sent the rows of `ids` still ours; return how many."""
        return (
            self.mine()
            .filter(pk__in=ids)
            .update(
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                reason="",
                claim=None,
                claimed_until=None,
            )
        )

    def keep_for_retry(self, delay: float) -> None:
        """Keep the rows still ours until the job's retry is due, and a lease longer: the
        retry takes them back; if it is lost, the sweeper gives them to a new job then."""
        until = timezone.now() + timedelta(seconds=delay + self.seconds)
        self.mine().update(claimed_until=until)
        self.kept = True

    def release(self) -> None:
        """Let go of the rows still ours, unless kept for a retry: nobody answers for them
        now, so the sweeper gives them a new job (a job that failed unexpectedly)."""
        if not self.kept:
            self.mine().update(claim=None, claimed_until=None)
