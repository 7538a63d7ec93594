"""Read a members file as a whole: its size, its encoding, its delimiter, its columns and
how many rows it has, refusing it whole (CsvFileError) when it cannot be read.
"""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tocsin.accounts.models import ContactPoint

COLUMNS = ("name", "email", "phone", "signal", "language", "site", "unit", "roles")
# The column each contact comes from, in the order of preference they get: Signal first
# (encrypted, free), then SMS (reaches every phone), then email (slowest to be read).
CONTACT_COLUMNS = (
    ("signal", ContactPoint.Channel.SIGNAL),
    ("phone", ContactPoint.Channel.SMS),
    ("email", ContactPoint.Channel.EMAIL),
)
CHANNEL_COLUMNS: dict[str, str] = {channel: column for column, channel in CONTACT_COLUMNS}


class CsvFileError(Exception):
    """The file as a whole cannot be imported: too large, not UTF-8, wrong columns."""

    def __init__(self, *messages: str):
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass
class CsvRows:
    columns: list[str]
    rows: list[tuple[int, dict[str, str], bool]]  # row number, cells, has cells past the header


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
