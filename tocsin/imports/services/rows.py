"""Check one row of a members file: the name, each contact, the language, the site, the
unit and the roles, as written in any language Tocsin speaks.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import ContactPoint, Organization, Person
from tocsin.accounts.roles import ROLE_LABELS, Role
from tocsin.accounts.services.people import contact_index_for
from tocsin.core import languages

from .files import CONTACT_COLUMNS, holds_nul
from .report import PlannedRow, RowError

CONTACT_LABEL = "email / phone / signal"
ROLE_SEPARATORS = re.compile(r"[;|]")
NAME_MAX_LENGTH = Person._meta.get_field("display_name").max_length or 120


def fold(value: str) -> str:
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
        names[fold(info["name"])] = code
        names[fold(info["name_local"])] = code
        for language in languages.codes():
            with translation.override(language):
                names[fold(str(info["name_translated"]))] = code
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
                names[fold(str(ROLE_LABELS[role]))] = role
    return names


def parse_roles(value: str, names: dict[str, Role]) -> tuple[int, list[str]]:
    """Return the role bits a cell names (member always included) and the names unknown."""
    roles = Role.MEMBER
    unknown = []
    for part in ROLE_SEPARATORS.split(value):
        name = fold(part)
        if not name:
            continue
        if name in names:
            roles |= names[name]
        else:
            unknown.append(part.strip())
    return int(roles), unknown


class Lookups:
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


def check_row(
    number: int,
    values: dict[str, str],
    stray: bool,
    lookups: Lookups,
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

    language = fold(values.get("language", ""))
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

    planned.roles = 0  # 0: the file does not say; see match_people
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
