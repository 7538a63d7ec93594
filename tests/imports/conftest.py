"""Fixtures for the members import: a unit, and CSV files built from rows."""

import pytest

from tocsin.accounts.models import Unit


@pytest.fixture
def unit(org, site):
    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    unit.sites.add(site)
    return unit


@pytest.fixture(autouse=True)
def pending_uploads_in_tmp(settings, tmp_path):
    """Keep uploads waiting for confirmation out of the shared var/ folder."""
    settings.VAR_DIR = tmp_path / "var"
