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
