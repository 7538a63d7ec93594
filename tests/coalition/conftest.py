"""The January 23 world as fixtures (tests/coalition/world.py builds it)."""

import pytest

from . import world as january_23


@pytest.fixture
def minneapolis(db):
    return january_23.minneapolis()
