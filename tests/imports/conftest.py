"""Fixtures for the members import: a unit, and CSV files built from rows."""

import csv
import io

import pytest

from tocsin.accounts.models import Unit

HEADER = ["name", "email", "phone", "signal", "language", "site", "unit", "roles"]


def csv_bytes(rows, header=HEADER, encoding="utf-8", delimiter=","):
    """Return a CSV file: the header, then each row (a dict by column, or a list of cells)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [row.get(column, "") for column in header] if isinstance(row, dict) else row
        )
    return out.getvalue().encode(encoding)


def nurses(count, start=0, site="Hennepin County Medical Center", **extra):
    """Return `count` fictional members, each with an email and a phone."""
    return [
        {
            "name": f"Nurse Rowan {number:05d}",
            "email": f"rowan{number}@nurses.test",
            "phone": f"+1612555{number:04d}",
            "site": site,
            **extra,
        }
        for number in range(start, start + count)
    ]


@pytest.fixture
def unit(org, site):
    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    unit.sites.add(site)
    return unit


@pytest.fixture(autouse=True)
def pending_uploads_in_tmp(settings, tmp_path):
    """Keep uploads waiting for confirmation out of the shared var/ folder."""
    settings.VAR_DIR = tmp_path / "var"
