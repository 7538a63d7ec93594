"""Send one message to one contact, right now, on the contact's own channel.

This is the path of confirmation codes, member links and notices to a contact's owner: one
recipient, no fallback, no rate limits of its own. It goes through the channel's transport
(`Transport.send_direct`), the same code that sends alerts' deliveries, so that every
channel carries these messages the way it carries alerts. Nothing here logs an address, a
code or a message body.
"""

import logging

from tocsin.accounts.models import ContactPoint

from .channels import Message, TransportError, transport_for

log = logging.getLogger(__name__)

# What a direct send raises: the transport's own error, whose `permanent` says whether
# retrying could ever help. The old name stays for the callers that catch it.
DeliveryError = TransportError


def send_to_contact(contact: ContactPoint, subject: str, body: str) -> None:
    """Send `body` to the contact (email also gets `subject`) in the person's language;
    raise DeliveryError on failure."""
    message = Message(
        address=contact.address, subject=subject, text=body, language=contact.person.language
    )
    transport_for(contact.channel).send_direct(message)
    log.info("sent a direct message on %s to contact %s", contact.channel, contact.pk)
