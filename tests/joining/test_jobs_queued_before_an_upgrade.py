"""A code or a member link asked for just before an upgrade still goes after it.

Step 10 moved the two jobs from tocsin.delivery.tasks to tocsin.joining.tasks. Huey finds a
queued job's code by its "module.function", so a job the release before queued would be
dropped by the new worker unless the new one still answers to the old name.
"""

import re

import pytest
from huey.contrib.djhuey import HUEY

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact, check_confirmation_code, create_person
from tocsin.joining.tasks import send_confirmation_code, send_member_link


def queue_as_the_release_before(job, name: str) -> None:
    """Put `job` in the queue as the release before wrote it: under its old name."""
    message = HUEY._registry.create_message(job)._replace(name=name)
    HUEY.storage.enqueue(HUEY.serializer.serialize(message), job.priority)


@pytest.mark.django_db(transaction=True)
def test_a_code_queued_under_its_old_name_reaches_the_member_after_the_upgrade(smtp_server, worker):
    rosa = create_person(display_name="Rosa", language="es")
    contact = add_contact(rosa, ContactPoint.Channel.EMAIL, "rosa@example.org")

    queue_as_the_release_before(
        send_confirmation_code.s(contact.pk), "tocsin.delivery.tasks.send_confirmation_code"
    )

    [message] = smtp_server.wait_for(1)
    code = re.search(r"\b(\d{6})\b", message["body"]).group(1)
    assert check_confirmation_code(contact, code)


@pytest.mark.django_db(transaction=True)
def test_a_member_link_queued_under_its_old_name_reaches_the_member_after_the_upgrade(
    smtp_server, worker, settings
):
    settings.TOCSIN_BASE_URL = "https://tocsin.example.org"
    ann = create_person(display_name="Ann", language="en")
    contact = add_contact(ann, ContactPoint.Channel.EMAIL, "ann@example.org", confirmed=True)

    queue_as_the_release_before(
        send_member_link.s(contact.pk), "tocsin.delivery.tasks.send_member_link"
    )

    [message] = smtp_server.wait_for(1)
    assert "https://tocsin.example.org/me/link/" in message["body"]
