"""Register the joining messages' background tasks with Huey's worker, which imports each
installed app's `tasks` module (tocsin.delivery is a plain package, not an app), and hold the
jobs that decide what a public form's request sends: the form itself answers the same
whatever the address, and only the job knows (decision 0014)."""

from django.conf import settings
from django.urls import reverse
from huey.contrib.djhuey import db_task

from tocsin.accounts.models import ContactPoint
from tocsin.delivery.tasks import (
    RETRIES,
    RETRY_DELAY_SECONDS,
    send_confirmation_code,
    send_member_link,
    send_rendered,
    waiting_contact,
)

__all__ = [
    "answer_member_link_request",
    "send_code_or_notice",
    "send_confirmation_code",
    "send_join_notice",
    "send_member_link",
]


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def answer_member_link_request(contact_id: int) -> None:
    """Send what a member-link request asked for (0: nothing matched, nothing is sent)."""
    from .services import links

    links.send_member_link_or_code(contact_id)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_code_or_notice(contact_id: int) -> None:
    """Send an unconfirmed contact its code; for a claim, tell the address's owner instead.

    The claim gets a code nobody sees, so that it behaves as any contact waiting for one.
    A claim whose address nobody holds any more becomes an ordinary contact and gets a code.
    """
    from .services import codes, contacts

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
    from .links import member_link_url

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
