"""Member links: signed, expiring URLs that let a member manage their alerts without a password.

A link names a person and the confirmed contact it was sent to; it stops working when it
expires (TOCSIN_MEMBER_LINK_HOURS), when that contact is removed or unconfirmed, or when
the person leaves.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from tocsin.accounts.models import ContactPoint, Person

SALT = "tocsin.joining.member-link"


def member_link_token(contact: ContactPoint) -> str:
    return signing.dumps({"p": str(contact.person.public_id), "c": contact.pk}, salt=SALT)


def member_link_url(contact: ContactPoint) -> str:
    path = reverse("joining:member_link", kwargs={"token": member_link_token(contact)})
    return settings.TOCSIN_BASE_URL + path


def person_from_token(token: str) -> Person | None:
    """Return the person a valid, unexpired link names, or None for any bad or stale link."""
    max_age = timedelta(hours=settings.TOCSIN_MEMBER_LINK_HOURS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        return None
    contact = (
        ContactPoint.objects.select_related("person")
        .filter(pk=data["c"], confirmed_at__isnull=False, person__is_active=True)
        .first()
    )
    if contact is None or str(contact.person.public_id) != data.get("p"):
        return None
    return contact.person
