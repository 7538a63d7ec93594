"""Import members from the union's list (a CSV file): check every row, then write all or none.

People are matched by the blind index of any of their contacts, so importing the same file
twice changes nothing. Contacts from the list arrive unconfirmed (docs/decisions/0003).
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.accounts.models import ContactPoint, Membership, Organization, Person
from tocsin.accounts.roles import PRIVILEGED, ROLE_LABELS, Role
from tocsin.accounts.services.people import contact_index_for, login_index_for
from tocsin.audit.services import record
from tocsin.core import languages

COLUMNS = ("name", "email", "phone", "signal", "language", "site", "unit", "roles")
# The column each contact comes from, in the order of preference they get: Signal first
# (encrypted, free), then SMS (reaches every phone), then email (slowest to be read).
CONTACT_COLUMNS = (
    ("signal", ContactPoint.Channel.SIGNAL),
    ("phone", ContactPoint.Channel.SMS),
    ("email", ContactPoint.Channel.EMAIL),
)
CHANNEL_COLUMNS: dict[str, str] = {channel: column for column, channel in CONTACT_COLUMNS}
CONTACT_LABEL = "email / phone / signal"
ROLE_SEPARATORS = re.compile(r"[;|]")
NAME_MAX_LENGTH = Person._meta.get_field("display_name").max_length or 120
LOOKUP_CHUNK = 500


class CsvFileError(Exception):
    """The file as a whole cannot be imported: too large, not UTF-8, wrong columns."""

    def __init__(self, *messages: str):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    reason: str


@dataclass
class CsvRows:
    columns: list[str]
    rows: list[tuple[int, dict[str, str], bool]]  # row number, cells, has cells past the header


@dataclass
class PlannedRow:
    row: int
    status: str = "new"  # new (to this organization), updated or unchanged
    person_id: int | None = None
    name: str = ""
    language: str = "en"
    login_index: str | None = None
    roles: int = int(Role.MEMBER)
    site_id: int | None = None
    unit_id: int | None = None
    membership_id: int | None = None
    email: str = ""  # normalized, for the sign-in of people with a role above member
    # (channel, normalized address, blind index) of contacts Tocsin does not hold yet.
    contacts: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows whose new contacts were left out, with the reason: not errors, nothing to fix.
    kept: list[RowError] = field(default_factory=list)
    imported: bool = False

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def created(self) -> int:
        return self.count("new")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def to_write(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        return _("%(new)s new, %(updated)s updated, %(unchanged)s unchanged") % {
            "new": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def template_csv() -> str:
    """Return the header row an import file starts with."""
    return ",".join(COLUMNS) + "\r\n"


def too_large_message() -> str:
    limit = settings.TOCSIN_MAX_CSV_BYTES
    return _(
        "The file is larger than %(size)s MB; split it into smaller files and import each."
    ) % {"size": f"{limit / (1024 * 1024):g}"}


def holds_nul(cells) -> bool:
    """Whether any cell holds a NUL character, which no name or address has and PostgreSQL
    cannot store (spreadsheets save one when a cell was pasted from elsewhere)."""
    return any("\x00" in cell for cell in cells)


def read_members_csv(data: bytes) -> CsvRows:
    """Decode and split a members file, refusing it whole when it cannot be read.

    Rows are counted as they are read, so a file with far too many rows is refused after
    reading one row past the limit rather than all of it.
    """
    if len(data) > settings.TOCSIN_MAX_CSV_BYTES:
        raise CsvFileError(too_large_message())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            _("The file is not UTF-8; save it as “CSV UTF-8” and upload it again.")
        ) from None
    if not text.strip():
        raise CsvFileError(
            _("The file is empty; its first row must name the columns: %(columns)s.")
            % {"columns": ", ".join(COLUMNS)}
        )
    first_line = text.lstrip().split("\n", 1)[0]
    # Spreadsheets set to Spanish (and much of Europe) save "CSV" with semicolons.
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    max_rows = settings.TOCSIN_MAX_CSV_ROWS
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        if holds_nul(header):
            raise CsvFileError(
                _("The column names in row 1 hold a NUL character; remove it and try again.")
            )
        columns = check_header(header)
        rows: list[tuple[int, dict[str, str], bool]] = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise CsvFileError(
                    ngettext(
                        "The file has more than %(count)s row; import at most %(count)s "
                        "rows at a time.",
                        "The file has more than %(count)s rows; import at most %(count)s "
                        "rows at a time.",
                        max_rows,
                    )
                    % {"count": max_rows}
                )
            values = {
                name: cells[index].strip() if index < len(cells) else ""
                for index, name in enumerate(columns)
                if name
            }
            stray = any(
                cell.strip()
                for index, cell in enumerate(cells)
                if index >= len(columns) or not columns[index]
            )
            rows.append((number, values, stray))
    except csv.Error:
        raise CsvFileError(
            _("Row %(row)s cannot be read as CSV; check its quotation marks.")
            % {"row": reader.line_num}
        ) from None
    if not rows:
        raise CsvFileError(
            _("The file has only its column names and no members; add a row for each member.")
        )
    return CsvRows(columns=[c for c in columns if c], rows=rows)


def check_header(header: list[str]) -> list[str]:
    """Return the header's column names (blank for unnamed cells) or raise CsvFileError."""
    messages = []
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        messages.append(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        messages.append(
            _("Columns named more than once: %(columns)s.") % {"columns": ", ".join(duplicated)}
        )
    missing = []
    if "name" not in header:
        missing.append("name")
    if not any(column in header for column, _channel in CONTACT_COLUMNS):
        missing.append(_("at least one of email, phone, signal"))
    if missing:
        messages.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if messages:
        raise CsvFileError(*messages)
    return header


def _fold(value: str) -> str:
    """Return a name as compared: spaces collapsed, case and accents ignored."""
    decomposed = unicodedata.normalize("NFKD", " ".join(value.split()).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def language_names() -> dict[str, str]:
    """Return every way a language may be written in the file: its code, its English name,
    its own name, and its name in each language Tocsin speaks ("inglés"), folded."""
    names: dict[str, str] = {}
    for code in languages.codes():
        info = translation.get_language_info(code)
        names[code] = code
        names[_fold(info["name"])] = code
        names[_fold(info["name_local"])] = code
        for language in languages.codes():
            with translation.override(language):
                names[_fold(str(info["name_translated"]))] = code
    return names


def role_names() -> dict[str, Role]:
    """Return every way a role may be written in the file: slug, or label in any language."""
    names: dict[str, Role] = {}
    for role in Role:
        names[role.slug] = role
        names[role.slug.replace("_", " ")] = role
        names[role.slug.replace("_", "-")] = role
        for language in languages.codes():
            with translation.override(language):
                names[_fold(str(ROLE_LABELS[role]))] = role
    return names


def parse_roles(value: str, names: dict[str, Role]) -> tuple[int, list[str]]:
    """Return the role bits a cell names (member always included) and the names unknown."""
    roles = Role.MEMBER
    unknown = []
    for part in ROLE_SEPARATORS.split(value):
        name = _fold(part)
        if not name:
            continue
        if name in names:
            roles |= names[name]
        else:
            unknown.append(part.strip())
    return int(roles), unknown


class _Lookups:
    """The organization's sites and units, by the names and codes a file may use."""

    def __init__(self, organization: Organization):
        self.sites_by_code: dict[str, int] = {}
        self.sites_by_name: dict[str, list[int]] = {}
        for site_id, code, name in organization.sites.values_list("id", "code", "name"):
            self.sites_by_code[code.casefold()] = site_id
            self.sites_by_name.setdefault(" ".join(name.split()).casefold(), []).append(site_id)
        self.units_by_name = {
            " ".join(name.split()).casefold(): unit_id
            for unit_id, name in organization.units.values_list("id", "name")
        }
        self.roles = role_names()
        self.languages = language_names()


def check_members_csv(
    organization: Organization, data: bytes, actor: Person | None = None
) -> ImportReport:
    """Check every row of a members file and plan what importing it would change.

    Raise CsvFileError when the file as a whole is unusable; otherwise return a report whose
    `errors` list every bad row (and then nothing may be imported) and whose `rows` say,
    for each good row, whether its person is new, updated or unchanged.
    """
    parsed = read_members_csv(data)
    lookups = _Lookups(organization)
    report = ImportReport()
    seen: dict[tuple[str, str], int] = {}  # (channel, blind index) -> first row naming it
    for number, values, stray in parsed.rows:
        planned = PlannedRow(row=number)
        errors = _check_row(number, values, stray, lookups, seen, planned, organization)
        report.errors.extend(errors)
        report.rows.append(planned)
    _match_people(organization, report, actor)
    report.errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column.split()[0])))
    return report


def _check_row(
    number: int,
    values: dict[str, str],
    stray: bool,
    lookups: _Lookups,
    seen: dict[tuple[str, str], int],
    planned: PlannedRow,
    organization: Organization,
) -> list[RowError]:
    errors = []

    def error(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason))

    for column, value in values.items():
        if holds_nul([value]):
            error(column, _("This cell holds a NUL character; remove it and try again."))
            # The rest of the row is checked without it, so this cell has one error, not two.
            values[column] = value.replace("\x00", "")

    planned.name = " ".join(values.get("name", "").split())
    if not planned.name:
        error("name", _("A name or alias is required."))
    elif len(planned.name) > NAME_MAX_LENGTH:
        error(
            "name",
            _("The name is longer than %(limit)s characters.") % {"limit": NAME_MAX_LENGTH},
        )
    if stray:
        error("name", _("This row has cells outside the named columns."))

    planned.contacts = []
    for column, channel in CONTACT_COLUMNS:
        raw = values.get(column, "")
        if not raw:
            continue
        try:
            normalized, index = contact_index_for(channel, raw)
        except ValidationError as invalid:
            error(column, " ".join(invalid.messages))
            continue
        first = seen.setdefault((channel, index), number)
        if first != number:
            error(column, _("The same contact as row %(row)s.") % {"row": first})
            continue
        planned.contacts.append((channel, normalized, index))
        if channel == ContactPoint.Channel.EMAIL:
            planned.email = normalized
    if not any(values.get(column) for column, _channel in CONTACT_COLUMNS):
        error(CONTACT_LABEL, _("Each person needs an email, a phone or a Signal number."))

    language = _fold(values.get("language", ""))
    planned.language = ""
    if language:
        if language in lookups.languages:
            planned.language = lookups.languages[language]
        else:
            error(
                "language",
                _("“%(value)s” is not a language Tocsin speaks; write one of %(codes)s.")
                % {"value": values["language"], "codes": ", ".join(languages.codes())},
            )

    planned.site_id = None
    site = values.get("site", "")
    if site:
        key = " ".join(site.split()).casefold()
        matches = lookups.sites_by_name.get(key) or (
            [lookups.sites_by_code[key]] if key in lookups.sites_by_code else []
        )
        if len(matches) == 1:
            planned.site_id = matches[0]
        elif matches:
            error(
                "site",
                _("More than one site is called “%(value)s”; write its code instead.")
                % {"value": site},
            )
        else:
            error(
                "site",
                _("“%(value)s” is not a site of %(organization)s.")
                % {"value": site, "organization": organization.name},
            )

    planned.unit_id = None
    unit = values.get("unit", "")
    if unit:
        unit_id = lookups.units_by_name.get(" ".join(unit.split()).casefold())
        if unit_id is None:
            error(
                "unit",
                _("“%(value)s” is not a unit of %(organization)s.")
                % {"value": unit, "organization": organization.name},
            )
        planned.unit_id = unit_id

    planned.roles = 0  # 0: the file does not say; see _match_people
    if values.get("roles"):
        planned.roles, unknown = parse_roles(values["roles"], lookups.roles)
        if unknown:
            error(
                "roles",
                _("Unknown role: %(roles)s. The roles are: %(known)s.")
                % {
                    "roles": ", ".join(unknown),
                    "known": ", ".join(str(ROLE_LABELS[role]) for role in Role),
                },
            )
    return errors


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_people(organization: Organization, report: ImportReport, actor: Person | None) -> None:
    """Find each row's person by their contacts' blind indexes and decide what changes."""
    wanted: dict[str, list[str]] = {}
    for planned in report.rows:
        for channel, _normalized, index in planned.contacts:
            wanted.setdefault(channel, []).append(index)
    owner: dict[tuple[str, str], int] = {}
    for channel, indexes in wanted.items():
        for chunk in _chunks(indexes):
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
    for chunk in _chunks(matched):
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
    for chunk in _chunks(list(login_wanted.values())):
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


class ImportChanged(Exception):
    """Someone added a contact from the file while it was being imported."""


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
    for chunk in _chunks(with_new_contacts):
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
