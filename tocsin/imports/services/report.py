"""What checking a members file found and plans: one PlannedRow per member row, the
errors that stop the import, and the contacts left out with their reason.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tocsin.accounts.roles import Role


@dataclass
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    reason: str


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
