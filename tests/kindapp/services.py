from tocsin.accounts.models import Organization, Person
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .alerts import SHIFT_SWAP


def offer_shift(
    organization: Organization, offered_by: Person, to: list[Person], shift: str
) -> Alert:
    """Offer `offered_by`'s shift to the people `to`, each with their own link."""
    alert = create_alert(
        organization,
        SHIFT_SWAP.name,
        {"shift": shift, "offered_by": offered_by.display_name},
        {"person_ids": [person.pk for person in to]},
        actor=offered_by,
    )
    return send_alert(alert, actor=offered_by)
