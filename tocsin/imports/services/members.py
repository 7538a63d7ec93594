"""Import members from the union's list (a CSV file): check every row, then write all or
none.

People are matched by the blind index of any of their contacts, so importing the same file
twice changes nothing. Contacts from the list arrive unconfirmed (docs/decisions/0003).
"""

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from tocsin.accounts.models import ContactPoint, Membership, Organization, Person
from tocsin.audit.services import record

from .files import COLUMNS, CsvFileError, read_members_csv
from .matching import LOOKUP_CHUNK, chunks, match_people
from .report import ImportReport, PlannedRow
from .rows import Lookups, check_row


def check_members_csv(
    organization: Organization, data: bytes, actor: Person | None = None
) -> ImportReport:
    """Check every row of a members file and plan what importing it would change.

    Raise CsvFileError when the file as a whole is unusable; otherwise return a report whose
    `errors` list every bad row (and then nothing may be imported) and whose `rows` say,
    for each good row, whether its person is new, updated or unchanged.
    """
    parsed = read_members_csv(data)
    lookups = Lookups(organization)
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}  # (channel, blind index) -> first row naming it
    for number, values, stray in parsed.rows:
        planned = PlannedRow(row=number)
        errors = check_row(number, values, stray, lookups, seen, planned, organization)
        report.errors.extend(errors)
        report.rows.append(planned)
    match_people(organization, report, actor)
    report.errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column.split()[0])))
    return report


def import_members(
    organization: Organization,
    data: bytes,
    actor: Person | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a members file into the organization: every row, or none if any is bad.

    Raise CsvFileError for a file that cannot be read. Return the report; `imported` says
    whether anything was written (never with errors, never on a dry run).
    """
    if dry_run:
        return check_members_csv(organization, data, actor)
    try:
        with transaction.atomic():
            report = check_members_csv(organization, data, actor)
            if report.errors:
                return report
            _write(organization, report)
            record(
                actor,
                "imports.members.imported",
                organization,
                rows=len(report.rows),
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
            report.imported = True
            return report
    except IntegrityError:
        raise CsvFileError(
            _(
                "Someone added one of these contacts while the file was being imported; "
                "nothing was imported. Import the file again."
            )
        ) from None


def _write(organization: Organization, report: ImportReport) -> None:
    new_people = [row for row in report.rows if row.person_id is None]
    existing = [row for row in report.rows if row.person_id and row.status != "unchanged"]
    created = Person.objects.bulk_create(
        [
            Person(
                display_name=row.name,
                language=row.language,
                login_index=row.login_index,
                password=make_password(None),  # unusable, until they are given one
            )
            for row in new_people
        ],
        batch_size=LOOKUP_CHUNK,
    )
    for row, person in zip(new_people, created, strict=True):
        row.person_id = person.pk

    Person.objects.bulk_update(
        [
            Person(
                pk=row.person_id,
                display_name=row.name,
                language=row.language,
                login_index=row.login_index,
            )
            for row in existing
        ],
        ["display_name", "language", "login_index"],
        batch_size=LOOKUP_CHUNK,
    )

    preference: dict[int, int] = {}
    with_new_contacts = [row.person_id for row in existing if row.contacts]
    for chunk in chunks(with_new_contacts):
        for person_id, number in (
            ContactPoint.objects.filter(person_id__in=chunk)
            .values_list("person_id")
            .annotate(number=Count("id"))
        ):
            preference[person_id] = number
    contacts = []
    for row in report.rows:
        assert row.person_id is not None
        start = preference.get(row.person_id, 0)
        for offset, (channel, normalized, index) in enumerate(row.contacts, start=1):
            contacts.append(
                ContactPoint(
                    person_id=row.person_id,
                    channel=channel,
                    address=normalized,
                    address_index=index,
                    preference=start + offset,
                )
            )
    ContactPoint.objects.bulk_create(contacts, batch_size=LOOKUP_CHUNK)

    new_memberships = []
    for row in report.rows:
        if row.membership_id is None:
            assert row.person_id is not None
            new_memberships.append(
                Membership(
                    person_id=row.person_id,
                    organization=organization,
                    roles=row.roles,
                    site_id=row.site_id,
                    unit_id=row.unit_id,
                )
            )
    Membership.objects.bulk_create(new_memberships, batch_size=LOOKUP_CHUNK)
    Membership.objects.bulk_update(
        [
            Membership(
                pk=row.membership_id,
                roles=row.roles,
                site_id=row.site_id,
                unit_id=row.unit_id,
            )
            for row in report.rows
            if row.membership_id is not None and row.status == "updated"
        ],
        ["roles", "site", "unit"],
        batch_size=LOOKUP_CHUNK,
    )
