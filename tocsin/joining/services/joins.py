"""Join at a site's or an organization's page: a person, their first contacts (each waiting
for its code) and their membership, in one transaction.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import (
    Membership,
    Organization,
    Person,
    Site,
)
from tocsin.accounts.roles import Role
from tocsin.accounts.services import people, subscriptions
from tocsin.audit.services import record
from tocsin.core import languages

from .codes import schedule_code
from .contacts import add_unconfirmed_contact


@dataclass(frozen=True)
class Area:
    """A point and a radius as typed; tocsin.accounts.services.subscriptions checks them."""

    lat: float | Decimal | str
    lng: float | Decimal | str
    radius_m: int | str


def check_profile(display_name: str, language: str) -> tuple[str, str]:
    errors = {}
    display_name = (display_name or "").strip()
    if not display_name:
        errors["display_name"] = _(
            "Write a name or an alias; it does not have to be your real name."
        )
    elif len(display_name) > 120:
        errors["display_name"] = _("The name or alias can be at most 120 characters.")
    if language not in languages.codes():
        errors["language"] = languages.error()
    if errors:
        raise ValidationError(errors)
    return display_name, language


def join(
    *,
    organization: Organization,
    display_name: str,
    language: str,
    contacts: dict[str, str],
    site: Site | None = None,
    follow_site: bool = False,
    area: Area | None = None,
    kinds: int,
) -> Person:
    """Create a member with unconfirmed contacts and their follows, then send each a code.

    `contacts` maps a channel to what the person typed. Every problem is raised as one
    ValidationError keyed by form field, and nothing is stored.
    """
    errors: dict[str, list[str]] = {}

    def collect(error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    try:
        display_name, language = check_profile(display_name, language)
    except ValidationError as error:
        collect(error)
    given = {channel: address.strip() for channel, address in contacts.items() if address.strip()}
    if not given:
        errors.setdefault("__all__", []).append(
            _("Give at least one way to reach you: email, a phone for text messages, or Signal.")
        )
    if not (follow_site and site) and area is None:
        errors.setdefault("__all__", []).append(
            _("Choose what to follow: a site, or an area on the map.")
        )
    try:
        subscriptions.check_kinds(kinds)
    except ValidationError as error:
        collect(error)
    if area is not None:
        try:
            subscriptions.check_area(area.lat, area.lng, area.radius_m)
        except ValidationError as error:
            collect(error)
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            person = people.create_person(display_name=display_name, language=language)
            Membership.objects.create(
                person=person, organization=organization, roles=int(Role.MEMBER), site=site
            )
            added = []
            for preference, (channel, address) in enumerate(given.items(), start=1):
                try:
                    added.append(add_unconfirmed_contact(person, channel, address, preference))
                except ValidationError as error:
                    collect(error)
            try:
                if follow_site and site:
                    subscriptions.follow_site(person, organization, site, kinds)
                if area is not None:
                    subscriptions.follow_area(
                        person, organization, area.lat, area.lng, area.radius_m, kinds
                    )
            except ValidationError as error:
                collect(error)
            if errors:
                raise ValidationError(errors)
            record(
                None,
                "joining.person.joined",
                person,
                organization=organization,
                site=site.code if site else "",
                channels=sorted(given),
            )
            for contact in added:
                schedule_code(contact)
    except IntegrityError:
        # Two people submitted the same contact at the same instant; the other one won.
        raise ValidationError(
            {"__all__": [_("One of these contacts was just registered. Check them and try again.")]}
        ) from None
    return person
