"""Background jobs of the hotline: send a case's messages, remind tasks, erase old cases."""

import logging

from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tocsin.delivery.direct import DeliveryError, send_email, send_signal, send_sms

from .models import CaseMessage
from .services.cases import remind_due_tasks
from .services.retention import erase_expired_cases

log = logging.getLogger(__name__)
RETRIES = 5
RETRY_DELAY_SECONDS = 30


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_case_message(message_id: int) -> None:
    """Send one queued case message; a retry sends it only if it is still unsent."""
    message = CaseMessage.objects.filter(pk=message_id, status=CaseMessage.Status.QUEUED).first()
    if message is None:
        return
    CaseMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
    try:
        if message.channel == "email":
            send_email(message.address, message.subject, message.body)
        elif message.channel == "signal":
            send_signal(message.address, message.body)
        else:
            send_sms(message.address, message.body)
    except DeliveryError as error:
        log.warning("case message %s not sent on %s: %s", message.pk, message.channel, error)
        if error.permanent or message.attempts + 1 > RETRIES:
            CaseMessage.objects.filter(pk=message.pk).update(
                status=CaseMessage.Status.FAILED, reason=str(error)[:200]
            )
            return
        CaseMessage.objects.filter(pk=message.pk).update(reason=str(error)[:200])
        raise
    CaseMessage.objects.filter(pk=message.pk).update(
        status=CaseMessage.Status.SENT, sent_at=timezone.now(), reason=""
    )
    log.info("case message %s sent on %s", message.pk, message.channel)


@db_periodic_task(crontab(minute="*"))
def remind_due_tasks_every_minute() -> int:
    return remind_due_tasks()


@db_periodic_task(crontab(minute="23"))
def erase_expired_cases_hourly() -> int:
    """Erase the sensitive details of cases closed longer than their retention period."""
    return erase_expired_cases()
