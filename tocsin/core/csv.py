"""CSV files for spreadsheets: UTF-8 with a BOM, so Excel reads the accents, and no cell a
spreadsheet would run as a formula."""

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone

BOM = "\ufeff"
# Cells a spreadsheet would run as a formula (OWASP's list: = + - @, tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(value) -> str:
    """Return a cell's text, made inert if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_time(moment: datetime | None) -> str:
    """Return a moment in the current time zone, to the second: "2025-01-31 14:05:00-06:00"."""
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(sep=" ", timespec="seconds")


def csv_response(header: list[str], rows: Iterable[list], filename: str) -> HttpResponse:
    """Return the rows as a CSV attachment, every cell guarded, behind a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([guarded(cell) for cell in row])
    response = HttpResponse(
        (BOM + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
