"""Background sends of the staff screens: links to choose a password.

The link is made inside the task, so the queue holds only a contact's or a person's id,
never a token.
Huey's worker imports this module because tocsin.staff is an installed app.
"""

from huey.contrib.djhuey import db_task

from tocsin.accounts.models import ContactPoint
from tocsin.delivery.tasks import RETRIES, RETRY_DELAY_SECONDS, send_rendered

from .services import passwords


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def send_password_link(contact_id: int) -> None:
    """Send a link to choose a password to a privileged person's confirmed sign-in email."""
    contact = (
        ContactPoint.objects.select_related("person")
        .filter(
            pk=contact_id,
            channel=ContactPoint.Channel.EMAIL,
            confirmed_at__isnull=False,
            person__is_active=True,
        )
        .first()
    )
    if contact is None:
        return
    person = contact.person
    if not person.is_privileged or passwords.sign_in_contact(person) != contact:
        return
    context = {
        "link": passwords.password_link_url(person),
        "hours": passwords.password_link_hours(),
        "name": person.display_name,
    }
    send_rendered(contact, "staff/messages/password_link", context)


@db_task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
def answer_password_link_request(person_id: int) -> None:
    """Decide and send what a request for a password link asked for (0: an unknown email)."""
    passwords.send_password_link_if_due(person_id)
