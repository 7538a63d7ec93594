"""Passwords of privileged people. A privileged person chooses their own password through
a link sent to their sign-in email, after asking for it on the sign-in page or on an
admin's invitation. The link holds a token of Django's default_token_generator: it stops
working once the password changes, once they sign in, or after
settings.PASSWORD_RESET_TIMEOUT.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.accounts.models import ContactPoint, Membership, Organization, Person
from tocsin.accounts.roles import PRIVILEGED
from tocsin.accounts.services.people import find_person_by_login, login_index_for
from tocsin.audit.models import AuditEntry
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit

PASSWORD_LINKS_PER_HOUR = 3
LINK_REQUESTED = "staff.password.link_requested"


def password_link_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


def sign_in_contact(person: Person) -> ContactPoint | None:
    """Return the person's confirmed email contact that is their sign-in email, if any."""
    if not person.login_index:
        return None
    for contact in person.contacts.filter(
        channel=ContactPoint.Channel.EMAIL, confirmed_at__isnull=False
    ):
        try:
            if login_index_for(contact.address) == person.login_index:
                return contact
        except ValidationError:
            continue
    return None


def password_link_url(person: Person) -> str:
    path = reverse(
        "staff:password_set",
        kwargs={
            "person": str(person.public_id),
            "token": default_token_generator.make_token(person),
        },
    )
    return settings.TOCSIN_BASE_URL + path


def person_from_password_token(public_id: str, token: str) -> Person | None:
    """Return the person a valid, unused, unexpired link names, or None for any other link."""
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError:
        return None
    person = Person.objects.filter(public_id=parsed, is_active=True).first()
    if person is None or not default_token_generator.check_token(person, token):
        return None
    if not person.is_privileged:
        return None
    return person


def schedule_password_link(contact: ContactPoint) -> None:
    """Have the worker make the link and send it to this contact once the transaction commits."""
    from ..tasks import send_password_link  # in the function: tasks.py's jobs import this module

    # Lost with a queue that is down: the person asks for a link again.
    enqueue_on_commit(send_password_link, contact.pk)


def request_password_link(email: str) -> None:
    """Have a link to choose a password sent, when the email is a privileged person's sign-in.

    Returns nothing either way, so that the page asking cannot tell who has an account, and
    does the same work either way: one look-up and one job, which decides (decision 0014).
    """
    from ..tasks import (
        answer_password_link_request,  # in the function: tasks.py imports this module
    )

    person = find_person_by_login(email)
    enqueue_on_commit(answer_password_link_request, person.pk if person else 0)


def send_password_link_if_due(person_id: int) -> None:
    """Send the link a request asked for, to a privileged person's confirmed sign-in email,
    at most PASSWORD_LINKS_PER_HOUR times an hour; more requests are dropped."""
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.is_privileged:
        return
    contact = sign_in_contact(person)
    if contact is None:
        return
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        recent = AuditEntry.objects.filter(
            action=LINK_REQUESTED,
            object_type="person",
            object_id=str(person.public_id),
            at__gte=timezone.now() - timedelta(hours=1),
        )
        if recent.count() >= PASSWORD_LINKS_PER_HOUR:
            return
        record(None, LINK_REQUESTED, person, contact=contact.pk)
        schedule_password_link(contact)


@transaction.atomic
def invite_to_sign_in(actor: Person, membership: Membership) -> ContactPoint:
    """Send a person holding a role above member a link to choose their password.

    A person without a sign-in email yet gets their first confirmed email as one. Raises
    ValidationError, saying what to do, when there is no confirmed email to send to.
    """
    person = Person.objects.select_for_update().get(pk=membership.person_id)
    organization: Organization = membership.organization
    if not membership.active:
        raise ValidationError(_("This membership is inactive; reactivate it first."))
    if not membership.roles & PRIVILEGED:
        raise ValidationError(
            _("Only people with a role above member sign in. Give them a role first.")
        )
    if not person.is_active:
        raise ValidationError(_("This person cannot sign in."))
    if not person.login_index:
        first = person.contacts.filter(
            channel=ContactPoint.Channel.EMAIL, confirmed_at__isnull=False
        ).first()
        if first is None:
            raise ValidationError(
                _("This person has no confirmed email. Add and confirm an email first.")
            )
        index = login_index_for(first.address)
        if Person.objects.filter(login_index=index).exclude(pk=person.pk).exists():
            raise ValidationError(_("Someone else already signs in with this email."))
        person.login_index = index
        person.save(update_fields=["login_index"])
    contact = sign_in_contact(person)
    if contact is None:
        raise ValidationError(
            _(
                "This person's sign-in email is not among their confirmed contacts. "
                "Add and confirm an email first."
            )
        )
    record(actor, "staff.password.invited", person, organization=organization, contact=contact.pk)
    schedule_password_link(contact)
    return contact


@transaction.atomic
def set_password(person: Person, password: str) -> None:
    """Set a password chosen through a link, and lift the slow-down of the second factor.

    Only someone who knew the old password could fail the second factor often enough to
    slow it (django-otp doubles its wait after each wrong code); with a new password they
    are shut out, so its owner need not wait for them. The view forgets this address's
    sign-in failures.
    """
    person.set_password(password)
    person.save(update_fields=["password"])
    for devices in (TOTPDevice.objects, StaticDevice.objects):
        devices.filter(user=person).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    record(person, "staff.password.set", person)
