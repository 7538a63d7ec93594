"""Match the rows of a members file to the people Tocsin already has, by the blind index
of their contacts, and decide for each row whether its person is new, updated or
unchanged, leaving out contacts that only their person may add.
"""

from django.utils.translation import gettext as _

from tocsin.accounts.models import ContactPoint, Membership, Organization, Person
from tocsin.accounts.roles import PRIVILEGED, Role
from tocsin.accounts.services.people import login_index_for

from .files import CHANNEL_COLUMNS, COLUMNS
from .report import ImportReport, RowError

LOOKUP_CHUNK = 500


def chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def match_people(organization: Organization, report: ImportReport, actor: Person | None) -> None:
    """Find each row's person by their contacts' blind indexes and decide what changes."""
    wanted: dict[str, list[str]] = {}
    for planned in report.rows:
        for channel, _normalized, index in planned.contacts:
            wanted.setdefault(channel, []).append(index)
    owner: dict[tuple[str, str], int] = {}
    for channel, indexes in wanted.items():
        for chunk in chunks(indexes):
            for index, person_id in ContactPoint.objects.filter(
                channel=channel, address_index__in=chunk
            ).values_list("address_index", "person_id"):
                owner[(channel, index)] = person_id

    claimed: dict[int, int] = {}  # person id -> first row matched to them
    for planned in report.rows:
        # Matched in the file's column order: email, then phone, then signal.
        found = sorted(
            (
                (CHANNEL_COLUMNS[channel], owner[(channel, index)])
                for channel, _normalized, index in planned.contacts
                if (channel, index) in owner
            ),
            key=lambda pair: COLUMNS.index(pair[0]),
        )
        if not found:
            continue
        column, person_id = found[0]
        for other_column, other_id in found[1:]:
            if other_id != person_id:
                report.errors.append(
                    RowError(
                        planned.row,
                        other_column,
                        _(
                            "This contact already belongs to another person in Tocsin, not "
                            "to the one with this row's %(column)s."
                        )
                        % {"column": column},
                    )
                )
        first = claimed.setdefault(person_id, planned.row)
        if first != planned.row:
            report.errors.append(
                RowError(
                    planned.row,
                    column,
                    _("The same person as row %(row)s, found by this contact.") % {"row": first},
                )
            )
        planned.person_id = person_id
        planned.contacts = [c for c in planned.contacts if (c[0], c[2]) not in owner]

    matched = list(claimed)
    people: dict[int, tuple[str, str, str | None]] = {}
    memberships: dict[int, tuple[int, int, int | None, int | None, bool]] = {}
    elsewhere: set[int] = set()
    confirmed: set[int] = set()
    for chunk in chunks(matched):
        for person_id, name, language, login in Person.objects.filter(pk__in=chunk).values_list(
            "id", "display_name", "language", "login_index"
        ):
            people[person_id] = (name, language, login)
        for row in Membership.objects.filter(
            organization=organization, person_id__in=chunk
        ).values_list("person_id", "id", "roles", "site_id", "unit_id", "active"):
            memberships[row[0]] = row[1:]
        elsewhere.update(
            Membership.objects.filter(person_id__in=chunk, active=True)
            .exclude(organization=organization)
            .values_list("person_id", flat=True)
        )
        confirmed.update(
            ContactPoint.objects.filter(person_id__in=chunk, confirmed_at__isnull=False)
            .values_list("person_id", flat=True)
            .distinct()
        )
    _keep_contacts_of_people_already_reachable(report, confirmed | elsewhere)

    login_wanted: dict[int, str] = {}
    for planned in report.rows:
        roles = planned.roles or int(Role.MEMBER)
        if planned.email and roles & int(PRIVILEGED):
            login_wanted[planned.row] = login_index_for(planned.email)
    taken: set[str] = set()
    for chunk in chunks(list(login_wanted.values())):
        for held in Person.objects.filter(login_index__in=chunk).values_list(
            "login_index", flat=True
        ):
            taken.add(held or "")

    default_language = organization.default_language
    for planned in report.rows:
        login = login_wanted.get(planned.row)
        login = login if login not in taken else None
        if planned.person_id is None:
            planned.status = "new"
            planned.language = planned.language or default_language
            planned.roles = planned.roles or int(Role.MEMBER)
            planned.login_index = login
            continue
        name, language, current_login = people[planned.person_id]
        membership = memberships.get(planned.person_id)
        # Name and language are the person's own; only an organization they belong to
        # alone may change them, so one local's list cannot rename another's member.
        if planned.person_id in elsewhere:
            planned.name, planned.language = name, language
        else:
            planned.language = planned.language or language
        planned.login_index = current_login or login
        person_changed = (planned.name, planned.language, planned.login_index) != (
            name,
            language,
            current_login,
        )
        if membership is None:
            planned.status = "new"
            planned.roles = planned.roles or int(Role.MEMBER)
            continue
        # A deactivated membership stays so: deactivating someone is a deliberate act on
        # the members screen, and the union's list often lags behind it.
        planned.membership_id, roles, site_id, unit_id, _active = membership
        planned.roles = planned.roles or roles
        planned.site_id = planned.site_id or site_id
        planned.unit_id = planned.unit_id or unit_id
        if (
            actor is not None
            and planned.person_id == actor.pk
            and roles & int(Role.ADMIN)
            and not planned.roles & int(Role.ADMIN)
        ):
            report.errors.append(
                RowError(planned.row, "roles", _("You cannot remove your own admin role."))
            )
        changed = (
            person_changed
            or bool(planned.contacts)
            or (planned.roles, planned.site_id, planned.unit_id) != (roles, site_id, unit_id)
        )
        planned.status = "updated" if changed else "unchanged"


def _keep_contacts_of_people_already_reachable(report: ImportReport, reachable: set[int]) -> None:
    """Leave out the new contacts of people who confirmed a contact or belong elsewhere.

    A contact confirms by a code sent to it, so whoever holds it becomes its person: a row
    that gave a member the admin's own phone would let the admin read the member's pages and
    act as them (sign a pledge, see whether they signed). A person Tocsin already reaches
    adds contacts from their own page; the file may still add them to people nobody but
    this organization has, who have confirmed nothing yet.
    """
    for planned in report.rows:
        if planned.person_id in reachable and planned.contacts:
            for channel, _normalized, _index in planned.contacts:
                report.kept.append(
                    RowError(
                        planned.row,
                        CHANNEL_COLUMNS[channel],
                        _(
                            "Not added: this person already confirmed a contact or belongs "
                            "to another organization, so only they add contacts, from "
                            "their own page."
                        ),
                    )
                )
            planned.contacts = []
