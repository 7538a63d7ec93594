"""Joining's jobs: confirmation codes and member links, and the jobs that decide what a
public form's request sends: the form itself answers the same whatever the address, and
only the job knows (decision 0014).

The code and the link are made inside the job, so the queue never holds them in plain
text; the job gets only a contact's id. Each message is rendered in its person's language.
"""

from django.conf import settings
from django.urls import reverse
from huey.contrib.djhuey import db_task

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import issue_confirmation_code
from tocsin.core.queue import answer_to_earlier_name
from tocsin.delivery.tasks import RETRIES, RETRY_DELAY_SECONDS, send_rendered

from .links import member_link_url


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
    contact = (
        ContactPoint.objects.select_related("person")
        .filter(pk=contact_id, confirmed_at__isnull=False, person__is_active=True)
        .first()
    )
    if contact is None:
        return
    context = {"link": member_link_url(contact), "hours": settings.TOCSIN_MEMBER_LINK_HOURS}
    send_rendered(contact, "joining/messages/member_link", context)


# These two lived in tocsin/delivery/tasks.py until step 10: a code or a link asked for just
# before an upgrade is still in the queue under that name, and must still go.
answer_to_earlier_name(send_confirmation_code, "tocsin.delivery.tasks.send_confirmation_code")
answer_to_earlier_name(send_member_link, "tocsin.delivery.tasks.send_member_link")


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def answer_member_link_request(contact_id: int) -> None:
    """Send what a member-link request asked for (0: nothing matched, nothing is sent)."""
    from .services import links  # in the function: services enqueues these jobs

    links.send_member_link_or_code(contact_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_code_or_notice(contact_id: int) -> None:
    """Send an unconfirmed contact its code; for a claim, tell the address's owner instead.

    The claim gets a code nobody sees, so that it behaves as any contact waiting for one.
    A claim whose address nobody holds any more becomes an ordinary contact and gets a code.
    """
    from .services import codes, contacts  # in the function: services enqueues these jobs

    contact = waiting_contact(contact_id)
    if contact is None:
        return
    if contacts.is_claim(contact):
        owner = contacts.owner_of(contact)
        if owner is not None or not contacts.promote_claim(contact):
            contacts.issue_unusable_code(contact)
            if owner is not None:
                codes.tell_owner_of_join_attempt(owner)
            return
    send_confirmation_code.call_local(contact.pk)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_join_notice(owner_id: int) -> None:
    """Tell an address's owner that someone tried to join with it: with a member link when it
    is confirmed, with the way to confirm it when it is not."""
    owner = (
        ContactPoint.objects.select_related("person")
        .filter(pk=owner_id, person__is_active=True)
        .first()
    )
    if owner is None:
        return
    context = {
        "owner": owner,  # rendered in the owner's language, channel name included
        "hours": settings.TOCSIN_MEMBER_LINK_HOURS,
        "link": member_link_url(owner) if owner.confirmed else "",
        "request_link": settings.TOCSIN_BASE_URL + reverse("joining:member_link_request"),
    }
    send_rendered(owner, "joining/messages/join_attempt", context)
