"""The member link: a link to a member's own pages, asked for with an address. The request
does the same work whether or not the address is found, and leaves what differs to the
job: a link to a confirmed contact, a code to one never confirmed, nothing to an unknown
address.
"""

from contextlib import suppress
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from tocsin.accounts.models import (
    ContactPoint,
)
from tocsin.accounts.services import people
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit

from ..tasks import answer_member_link_request, send_member_link
from .codes import recent_requests, request_new_code

LINKS_PER_HOUR = 3


def request_member_link(address: str) -> ContactPoint | None:
    """Have a member link sent to the confirmed contact matching `address`, if there is one.

    A matching contact that is not confirmed yet (a join left half done, or an address
    from the union's imported list) gets a confirmation code instead, never a link; that
    contact is returned, so the code can be checked. The caller must answer the same way
    whatever happens here, so that nobody learns whether an address is in Tocsin: this
    function looks up and schedules one job in every case, and the job decides what to send.
    """
    address = (address or "").strip()[:254]
    channels = (
        [ContactPoint.Channel.EMAIL]
        if "@" in address
        else [ContactPoint.Channel.SIGNAL, ContactPoint.Channel.SMS]
    )
    found = [people.find_contact(channel, address) for channel in channels]
    matches = [contact for contact in found if contact is not None and contact.person.is_active]
    confirmed = [contact for contact in matches if contact.confirmed]
    chosen = min(confirmed or matches, key=lambda contact: contact.preference, default=None)
    # Lost with a queue that is down: the person asks for the link again.
    enqueue_on_commit(answer_member_link_request, chosen.pk if chosen else 0)
    return chosen if chosen is not None and not chosen.confirmed else None


def send_member_link_or_code(contact_id: int) -> None:
    """Send the member link (a code, to a contact not confirmed yet) that a request asked for.

    At most LINKS_PER_HOUR links an hour; codes keep their own limits (request_new_code).
    Called by the job, with 0 when nothing matched: then nothing is sent.
    """
    contact = (
        ContactPoint.objects.select_related("person")
        .filter(pk=contact_id, person__is_active=True)
        .first()
    )
    if contact is None:
        return
    if not contact.confirmed:
        # Too soon or too many: the code sent earlier still works.
        with suppress(ValidationError):
            request_new_code(contact)
        return
    action = "joining.member_link.requested"
    with transaction.atomic():
        if recent_requests(action, contact, timedelta(hours=1)).count() >= LINKS_PER_HOUR:
            return
        record(None, action, contact.person, contact=contact.pk, channel=contact.channel)
        enqueue_on_commit(send_member_link, contact.pk)
