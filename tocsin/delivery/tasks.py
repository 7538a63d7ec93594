"""Delivery's jobs, and the one-off send that other apps' jobs use.

The alert fan-out's jobs are in fanout.py and the notice channels' in notices.py; this is
the module the worker imports (each installed app's `tasks`), so it names them. Apps that
send one message to one contact (joining's codes and links, staff's password links) render
it in the person's language and send it with `send_rendered`, retrying as RETRIES says.
"""

import logging

from django.template.loader import render_to_string
from django.utils import translation

from tocsin.accounts.models import ContactPoint

from .direct import DeliveryError, send_to_contact
from .fanout import fallback_due, fan_out, resume_stalled, send_chunk
from .notices import notify_channels, send_test_notice

__all__ = [
    "RETRIES",
    "RETRY_DELAY_SECONDS",
    "fallback_due",
    "fan_out",
    "notify_channels",
    "resume_stalled",
    "send_chunk",
    "send_rendered",
    "send_test_notice",
]

log = logging.getLogger(__name__)

RETRIES = 3
RETRY_DELAY_SECONDS = 20


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
