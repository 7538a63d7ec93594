"""Walk every operation of the API's OpenAPI schema: each refuses visitors and outsiders.

Path arguments are filled with real objects of the organization under test, by name (`org`,
`site`, `unit`, `person`, `alert`, `incident`; see CONTRIBUTING.md). A new operation that answers an anonymous
caller, or shows one organization's objects to an admin of another, fails this test unless
it is listed in tocsin.api.access.PUBLIC_OPERATIONS.
"""

import json

import pytest
from django.db.models import F
from django.test import Client

from tests.campaigns.objects import campaign_objects
from tests.conftest import make_site
from tests.factories import token_for
from tests.votes.conftest import make_vote
from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.api.access import PUBLIC_OPERATIONS
from tocsin.api.main import api
from tocsin.delivery.models import Alert, Delivery
from tocsin.hotline.models import Case
from tocsin.response.models import Incident
from tocsin.structure.models import UnitOrganizer

from .conftest import make_pledge

REFUSED = {401, 403, 404}


def all_operations():
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            arguments = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            yield method.upper(), path, arguments


OPERATIONS = list(all_operations())
GUARDED = [
    pytest.param(method, path, arguments, id=f"{method} {path}")
    for method, path, arguments in OPERATIONS
    if (method, path) not in PUBLIC_OPERATIONS
]


@pytest.fixture
def objects(objects, org, site):
    """The shared objects of the organization under test, one of its incidents and one of
    its hotline cases."""
    incident = Incident.objects.create(organization=org, site=site, lat=site.lat, lng=site.lng)
    case = Case.objects.create(organization=org, name="Miguel Rivera", opened_via="call")
    return {
        **objects,
        **campaign_objects(org, site),
        "incident": str(incident.public_id),
        "case": case.code,
        "vote": make_vote(org).code,
    }


@pytest.fixture
def their_objects(other_org, outsider):
    """Objects of the outsider's own organization, so their paths are otherwise valid.

    The outsider also dispatches there, and was sent the alert, so that the incident and
    alert operations find their own objects.
    """
    site = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    unit = Unit.objects.create(organization=other_org, name="Janitors")
    alert = Alert.objects.create(organization=other_org, kind=Alert.Kind.NOTICE)
    Delivery.objects.create(alert=alert, person=outsider, channel="email")
    Membership.objects.filter(person=outsider, organization=other_org).update(
        roles=int(Role.ADMIN | Role.DISPATCHER | Role.HOTLINE | Role.MEMBER)
    )
    # The outsider also organizes their own unit, so that its structure operations find it.
    Membership.objects.filter(person=outsider, organization=other_org).update(
        roles=F("roles").bitor(int(Role.ORGANIZER))
    )
    UnitOrganizer.objects.create(unit=unit, person=outsider)
    incident = Incident.objects.create(
        organization=other_org, site=site, lat=site.lat, lng=site.lng
    )
    case = Case.objects.create(organization=other_org, name="Their case", opened_via="call")
    return {
        **campaign_objects(other_org, site),
        "vote": make_vote(other_org, unit).code,
        "pledge": make_pledge(other_org).code,
        "alert": str(alert.public_id),
        "case": case.code,
        "incident": str(incident.public_id),
        "org": other_org.slug,
        "site": site.code,
        "unit": unit.code,
        "person": str(outsider.public_id),
    }


def url_for(path, arguments, objects):
    missing = [name for name in arguments if name not in objects]
    assert not missing, (
        f"{path} takes {missing}: name path arguments org, site, unit, person, alert or "
        "incident or case (see CONTRIBUTING.md), or teach this test the new name"
    )
    for name in arguments:
        path = path.replace("{" + name + "}", objects[name])
    return path


def call(method, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = "{}" if method not in {"GET", "DELETE"} else ""
    return Client().generic(method, url, body, content_type="application/json", headers=headers)


def test_there_are_operations_to_walk():
    assert len(GUARDED) >= 15


def test_every_public_operation_exists():
    assert not PUBLIC_OPERATIONS - {(method, path) for method, path, _ in OPERATIONS}


def test_the_schema_and_its_docs_page_are_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize(("method", "path", "arguments"), GUARDED)
def test_an_anonymous_caller_gets_401(objects, method, path, arguments):
    response = call(method, url_for(path, arguments, objects))

    assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
    assert "detail" in response.json()


@pytest.mark.parametrize(("method", "path", "arguments"), GUARDED)
def test_an_admin_of_another_organization_is_refused(objects, outsider, method, path, arguments):
    response = call(method, url_for(path, arguments, objects), token_for(outsider))

    if "org" in arguments:
        assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
        assert response.json() == {"detail": "Not found."}
    elif response.status_code not in REFUSED:
        # A collection of the caller's own things: nothing of the organization under test.
        text = response.content.decode()
        leaked = [value for value in objects.values() if value in text]
        assert not leaked, f"{method} {path} showed {leaked} to an outsider"


@pytest.mark.parametrize(
    ("method", "path", "arguments"),
    [param for param in GUARDED if set(param.values[2]) - {"org"}],
)
def test_an_admin_gets_404_for_another_organizations_objects_under_their_own(
    objects, their_objects, outsider, method, path, arguments
):
    """/organizations/THEIRS/sites/OURS: the object is looked up inside their organization.

    Their own objects are found (an empty body may still be refused as incomplete: 422,
    or the object's state may refuse the operation: 409, as a sealed pledge's signers).
    """
    mixed = {**objects, "org": their_objects["org"]}

    response = call(method, url_for(path, arguments, mixed), token_for(outsider))

    assert response.status_code == 404, f"{method} {path} answered {response.status_code}"
    assert json.loads(response.content) == {"detail": "Not found."}
    own = call(method, url_for(path, arguments, their_objects), token_for(outsider))
    assert own.status_code < 400 or own.status_code in (409, 422), (
        f"{method} {path} refused their own"
    )
