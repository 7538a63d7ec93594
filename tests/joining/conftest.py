import re

import pytest

from tests.conftest import make_person
from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_site

CODE = re.compile(r"\b(\d{6})\b")


def code_in(message: dict) -> str:
    return CODE.search(message["body"]).group(1)


@pytest.fixture
def confirmed_member(org, site):
    """Rosa, a member who joined at the site and confirmed her email."""
    person = make_person(org, name="Rosa Reyes", language="es", site=site)
    add_contact(person, ContactPoint.Channel.EMAIL, "rosa@example.org", confirmed=True)
    follow_site(person, org, site)
    return person
