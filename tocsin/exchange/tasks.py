"""The worker's side of webhooks: post a delivery, retry it with a growing pause, give up
after MAX_ATTEMPTS, and pick up deliveries whose job the queue lost.

A job receives a delivery's id, never its URL or body. It takes a lease on the delivery
before posting, so two copies of a job (a retry and the sweeper's) never post at once, and
a delivered or failed delivery is never posted again.
"""

import logging
from datetime import timedelta

import requests
from django.db.models import F, Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from tocsin.core.queue import enqueue_now
from tocsin.delivery import outbound

from .models import Webhook, WebhookDelivery
from .services.webhooks import RefusedAddress, check_address, envelope
from .signing import signed_body

log = logging.getLogger(__name__)

# Attempts in all, and the pause before each retry: 30 s, 2 min, 8 min, 32 min.
MAX_ATTEMPTS = 5
FIRST_PAUSE_SECONDS = 30
BACKOFF = 4
# Seconds to connect, and to wait for the answer: a receiver that never answers costs this.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 5
LEASE = timedelta(seconds=60)
# A pending delivery this late has lost its job (a queue restarted empty): the sweeper
# enqueues it again.
OVERDUE = timedelta(minutes=10)


def pause_after(attempts: int) -> int:
    return FIRST_PAUSE_SECONDS * BACKOFF ** max(attempts - 1, 0)


def claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the lease on a pending delivery and count the attempt; None if it is not
    pending or another job holds it."""
    now = timezone.now()
    taken = (
        WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(attempts=F("attempts") + 1, leased_until=now + LEASE)
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("webhook__organization").get(pk=delivery_id)


def post(webhook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Post the delivery once; return (HTTP status or None, what went wrong or "")."""
    try:
        check_address(webhook.url)
    except RefusedAddress as refused:
        return None, str(refused)[:200]
    body, headers = signed_body(webhook.secret, envelope(delivery))
    with outbound.pinned() as pin:
        try:
            response = requests.post(
                webhook.url,
                data=body,
                headers=headers,
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                allow_redirects=False,
                stream=True,  # the receiver's answer is never read, only its status
            )
            response.close()
        except requests.Timeout:
            return None, "timed out"
        except requests.RequestException as error:
            if pin.refused:
                return None, pin.refused[0][:200]
            return None, f"could not connect ({type(error).__name__})"
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


@db_task(retries=MAX_ATTEMPTS + 1, retry_delay=FIRST_PAUSE_SECONDS)
def deliver(delivery_id: int) -> bool:
    """Post a delivery; return True once delivered. A failed attempt asks the queue to
    retry after a growing pause, until MAX_ATTEMPTS, then the delivery fails for good."""
    delivery = claim(delivery_id)
    if delivery is None:
        return False
    status, error = post(delivery.webhook, delivery)
    now = timezone.now()
    rows = WebhookDelivery.objects.filter(pk=delivery.pk)
    if not error:
        rows.update(
            state=WebhookDelivery.State.DELIVERED,
            last_status=status,
            last_error="",
            leased_until=None,
            finished_at=now,
        )
        return True
    log.warning(
        "webhook %s delivery %s attempt %s failed: %s",
        delivery.webhook.code,
        delivery.code,
        delivery.attempts,
        error,
    )
    if delivery.attempts >= MAX_ATTEMPTS:
        rows.update(
            state=WebhookDelivery.State.FAILED,
            last_status=status,
            last_error=error,
            leased_until=None,
            finished_at=now,
        )
        return False
    pause = pause_after(delivery.attempts)
    rows.update(
        last_status=status,
        last_error=error,
        leased_until=None,
        next_attempt_at=now + timedelta(seconds=pause),
    )
    raise RetryTask(delay=pause)


@db_periodic_task(crontab(minute="*/5"))
def resume_webhooks() -> int:
    """Enqueue again the pending deliveries long past their next attempt (their job was
    lost); return how many."""
    overdue = WebhookDelivery.objects.filter(
        state=WebhookDelivery.State.PENDING, next_attempt_at__lt=timezone.now() - OVERDUE
    ).values_list("pk", flat=True)[:500]
    count = 0
    for delivery_id in overdue:
        WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
        enqueue_now(deliver, delivery_id)
        count += 1
    return count
