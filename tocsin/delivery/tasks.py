"""Background sends for joining: confirmation codes and member links.

The code and the link are made inside the task, so the queue never holds them in plain
text; the task gets only a contact's id. Each message is rendered in its person's language.
Huey discovers them as it does every installed app's tasks.py.
"""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from huey.contrib.djhuey import db_task

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import issue_confirmation_code

from .direct import DeliveryError, send_to_contact

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY_SECONDS = 20


def waiting_contact(contact_id: int) -> ContactPoint | None:
    """Return the contact if it still waits for its code: unconfirmed, of an active person."""
    return (
        ContactPoint.objects.select_related("person")
        .filter(pk=contact_id, confirmed_at__isnull=True, person__is_active=True)
        .first()
    )


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_confirmation_code(contact_id: int) -> None:
    """Issue a fresh code for an unconfirmed contact and send it there; nothing else is sent."""
    contact = waiting_contact(contact_id)
    if contact is None:
        return
    code = issue_confirmation_code(contact)
    context = {"code": code, "minutes": settings.TOCSIN_CONFIRMATION_CODE_MINUTES}
    send_rendered(contact, "joining/messages/confirmation_code", context)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_member_link(contact_id: int) -> None:
    """Send a signed, expiring link to manage one's alerts, to a confirmed contact only."""
    from tocsin.joining.links import member_link_url

    contact = (
        ContactPoint.objects.select_related("person")
        .filter(pk=contact_id, confirmed_at__isnull=False, person__is_active=True)
        .first()
    )
    if contact is None:
        return
    context = {"link": member_link_url(contact), "hours": settings.TOCSIN_MEMBER_LINK_HOURS}
    send_rendered(contact, "joining/messages/member_link", context)


def send_rendered(contact: ContactPoint, template: str, context: dict) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in the person's language and send.

    A permanent failure (an address the gateway refuses) is logged and dropped; any other
    failure is raised again so that Huey retries.
    """
    with translation.override(contact.person.language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context).strip() + "\n"
    try:
        send_to_contact(contact, subject, body)
    except DeliveryError as error:
        if not error.permanent:
            raise
        log.warning("gave up sending to contact %s: %s", contact.pk, error)


# The alert fan-out's jobs live in fanout.py; importing them here registers them with the
# worker, which imports each installed app's `tasks` module.
from .fanout import fallback_due, fan_out, resume_stalled, send_chunk  # noqa: E402, F401
from .notices import notify_channels, send_test_notice  # noqa: E402, F401
