"""Hotline fixtures: the Minnesota Nurses Association (`org`) and its hotline, a nurse who
wrote her plan in Spanish.

Rosa's plan covers her husband Miguel, who is not a member; his sister Lucía and the
union's lawyer are the people it tells.
"""

import pytest

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.hotline.services.plans import save_plan

PIN = "4826"
SISTER_PHONE = "+16125550142"
LAWYER_EMAIL = "abogada@mna-legal.test"


def plan_content(**changes) -> dict:
    content = {
        "contacts": [
            {
                "name": "Lucía Rivera",
                "relation": "sibling",
                "channel": "sms",
                "address": "612 555 0142",
                "language": "es",
            }
        ],
        "lawyer": {
            "name": "Ana Abogada",
            "channel": "email",
            "address": LAWYER_EMAIL,
            "language": "en",
        },
        "message": "Miguel fue detenido. Recoge a los niños en la escuela a las 3.",
        "children": "Sofía (8) y Mateo (5), Anishinabe Academy",
        "pickup": "Lucía Rivera o la abuela Carmen",
        "medication": "Mateo: inhalador para el asma",
        "pets": "",
        "documents": "Carpeta azul en el armario de la cocina",
        "covers": "Miguel Rivera, mi esposo",
    }
    content.update(changes)
    return content


def plan_form(**changes):
    """Return the emergency plan form as a member fills it in, with changes."""
    form = {
        "contact1_name": "Lucía Rivera",
        "contact1_relation": "sibling",
        "contact1_channel": "sms",
        "contact1_address": "612 555 0142",
        "contact1_language": "es",
        "lawyer_name": "Ana Abogada",
        "lawyer_channel": "email",
        "lawyer_address": "abogada@mna-legal.test",
        "lawyer_language": "en",
        "message": "Recoge a los niños a las 3.",
        "children": "Sofía (8) y Mateo (5)",
        "pin": PIN,
    }
    form.update(changes)
    return form


def case_url(org, case=None, action=""):
    """Return the path of the organization's cases, of one case, or of an action on it."""
    base = f"/staff/o/{org.slug}/cases/"
    if case is not None:
        base += f"{case.code}/"
    return base + (f"{action}/" if action else "")


@pytest.fixture
def hotline(org):
    person = make_person(
        org,
        Role.HOTLINE,
        email="hotline@mna.test",
        password="hotline horse 42",
        name="Hana Hotline",
    )
    return person


@pytest.fixture
def hotline_client(client, hotline):
    return verified_client(client, hotline)


@pytest.fixture
def nurse(org, site):
    """Rosa, a nurse at Hennepin, who wrote her plan in Spanish."""
    return make_person(org, Role.MEMBER, name="Rosa Rivera", language="es", site=site)


@pytest.fixture
def plan(nurse, org):
    return save_plan(nurse, org, plan_content(), PIN)
