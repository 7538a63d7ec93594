"""Confirmation codes: schedule one (the worker makes and sends it), send it again within
limits, confirm a contact with it, and tell an address's owner when someone tries to join
with it.
"""

import secrets
from datetime import timedelta
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import (
    ContactPoint,
)
from tocsin.accounts.services import people
from tocsin.audit.models import AuditEntry
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit

from ..tasks import send_code_or_notice, send_join_notice

CODE_RESEND_SECONDS = 60
CODES_PER_HOUR = 5


NOTICES_PER_HOUR = 3


def schedule_code(contact: ContactPoint) -> None:
    """Write down that a code is on its way, and have the worker make and send it on commit
    (for a claim, the worker tells the address's owner instead)."""
    record(
        None,
        "joining.contact.code_requested",
        contact.person,
        contact=contact.pk,
        channel=contact.channel,
    )
    # Lost with a queue that is down: the page offers "send the code again".
    enqueue_on_commit(send_code_or_notice, contact.pk)


def tell_owner_of_join_attempt(owner: ContactPoint) -> None:
    """Have the owner of a claimed address told that someone tried to join with it, at most
    NOTICES_PER_HOUR times an hour, however many joins try it."""
    action = "joining.contact.join_attempted"
    with transaction.atomic():
        if recent_requests(action, owner, timedelta(hours=1)).count() >= NOTICES_PER_HOUR:
            return
        record(None, action, owner.person, contact=owner.pk, channel=owner.channel)
        # Lost with a queue that is down: the next attempt tells the owner.
        enqueue_on_commit(send_join_notice, owner.pk)


def recent_requests(action: str, contact: ContactPoint, within: timedelta):
    return AuditEntry.objects.filter(
        action=action,
        object_id=str(contact.person.public_id),
        detail__contact=contact.pk,
        at__gte=timezone.now() - within,
    )


@transaction.atomic
def request_new_code(contact: ContactPoint) -> None:
    """Send a fresh code to an unconfirmed contact, at most once a minute and 5 times an hour."""
    contact = ContactPoint.objects.select_for_update().select_related("person").get(pk=contact.pk)
    if contact.confirmed:
        raise ValidationError({"code": _("This contact is already confirmed.")})
    action = "joining.contact.code_requested"
    if recent_requests(action, contact, timedelta(seconds=CODE_RESEND_SECONDS)).exists():
        raise ValidationError(
            {"code": _("A code was sent less than a minute ago. Wait a minute and try again.")}
        )
    if recent_requests(action, contact, timedelta(hours=1)).count() >= CODES_PER_HOUR:
        raise ValidationError(
            {"code": _("Too many codes were sent to this contact. Try again in an hour.")}
        )
    schedule_code(contact)


def confirm_contact(contact: ContactPoint, code: str) -> None:
    """Confirm a contact with the code it received, or raise ValidationError on `code`."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6 or not people.check_confirmation_code(contact, code):
        contact.refresh_from_db(fields=["code_attempts", "code_expires_at"])
        if contact.code_attempts >= people.MAX_CODE_ATTEMPTS or (
            contact.code_expires_at is not None and contact.code_expires_at < timezone.now()
        ):
            raise ValidationError({"code": _("This code no longer works. Ask for a new code.")})
        raise ValidationError({"code": _("That code is not right. Check it and try again.")})


@cache
def _nowhere() -> str:
    """A hash no code matches: a refusal checked against it costs the same Argon2 work."""
    return make_password(secrets.token_urlsafe(32))


def confirm_claimed_contact(contact: ContactPoint | None, code: str) -> None:
    """Confirm the contact a member-link request matched, with the code it was sent.

    Raise one ValidationError on `code`, the same and after the same Argon2 work, whether
    the request matched nothing, a confirmed contact, or a contact whose code is wrong,
    spent or expired: the member-link page must not become a way to test addresses.
    """
    code = (code or "").strip().replace(" ", "")
    wrong = ValidationError(
        {"code": _("That code is not right, or it has expired. Check it, or ask for a new one.")}
    )
    if contact is not None:
        contact.refresh_from_db(fields=["code_attempts", "code_expires_at", "code_hash"])
    usable = (
        contact is not None
        and code.isdigit()
        and len(code) == 6
        and bool(contact.code_hash)
        and contact.code_expires_at is not None
        and contact.code_expires_at >= timezone.now()
        and contact.code_attempts < people.MAX_CODE_ATTEMPTS
    )
    if contact is None or not usable:
        check_password(code, _nowhere())
        raise wrong
    if not people.check_confirmation_code(contact, code):
        raise wrong
