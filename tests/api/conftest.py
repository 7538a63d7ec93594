"""API fixtures: bearer tokens for the shared people, and a JSON client that sends them."""

import pytest

from tests.factories import Api, token_for
from tocsin.api.main import api

DOCUMENT = api.get_openapi_schema()
# Every operation that reads a body: (method, path, its operation in the document).
WITH_BODY = [
    pytest.param(method.upper(), path, operation, id=f"{method.upper()} {path}")
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
    if "requestBody" in operation
]


@pytest.fixture
def api_as():
    """Return a JSON client acting as a person: `api_as(admin).get("/organizations")`."""
    return lambda person: Api(token_for(person))


@pytest.fixture
def anonymous_api():
    return Api()


@pytest.fixture
def admin_api(admin):
    return Api(token_for(admin))


@pytest.fixture
def member_api(member):
    return Api(token_for(member))


@pytest.fixture
def outsider_api(outsider):
    return Api(token_for(outsider))


def resolved(schema: dict) -> dict:
    """Return a schema of the document with its $ref followed and a nullable anyOf reduced
    to its value."""
    if "$ref" in schema:
        return resolved(DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in schema:
        return resolved(next(s for s in schema["anyOf"] if s.get("type") != "null"))
    return schema


def body_schema(operation: dict) -> dict:
    return resolved(operation["requestBody"]["content"]["application/json"]["schema"])


def make_pledge(org):
    """A pledge asking the whole organization, open for a week. Made as a row: the shared
    organization has fewer members than a pledge may ask (decision 0009's floors)."""
    from datetime import timedelta

    from django.utils import timezone

    from tocsin.pledges import sealing
    from tocsin.pledges.models import Pledge

    public_key, private_key = sealing.new_key_pair()
    return Pledge.objects.create(
        organization=org,
        action="We stay out on January 23",
        scope=Pledge.Scope.ORGANIZATION,
        threshold_kind=Pledge.ThresholdKind.PERCENT,
        threshold_value=60,
        deadline=timezone.now() + timedelta(days=7),
        public_key=public_key,
        private_key=private_key,
    )


@pytest.fixture
def objects(org, site, member):
    """Real objects of the organization under test, by path argument name."""
    from tocsin.accounts.models import Unit
    from tocsin.delivery.models import Alert

    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    unit.sites.add(site)
    alert = Alert.objects.create(organization=org, kind=Alert.Kind.NOTICE)
    pledge = make_pledge(org)
    return {
        "pledge": pledge.code,
        "org": org.slug,
        "site": site.code,
        "unit": unit.code,
        "person": str(member.public_id),
        "alert": str(alert.public_id),
    }


@pytest.fixture
def reachable(objects, org, site, admin):
    """The shared objects, and everything else a path may name, all within the admin's
    reach: the admin also dispatches, answers the hotline and organizes the unit, and was
    sent an alert about an incident at the site that a verifier could look at; a hotline
    case, a campaign with its event, and a vote."""
    from django.db.models import F

    from tests.campaigns.objects import campaign_objects
    from tests.conftest import make_person
    from tests.votes.conftest import make_vote
    from tocsin.accounts.models import Membership, Unit
    from tocsin.accounts.roles import Role
    from tocsin.delivery.models import Alert, Delivery
    from tocsin.hotline.models import Case
    from tocsin.response.models import Incident
    from tocsin.response.services.reports import reset_rate
    from tocsin.structure.models import UnitOrganizer

    Membership.objects.filter(person=admin, organization=org).update(
        roles=F("roles").bitor(int(Role.DISPATCHER | Role.HOTLINE | Role.ORGANIZER))
    )
    UnitOrganizer.objects.create(unit=Unit.objects.get(code=objects["unit"]), person=admin)
    make_person(org, Role.VERIFIER, name="Vera Verifier", site=site)
    incident = Incident.objects.create(organization=org, site=site, lat=site.lat, lng=site.lng)
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.VERIFY_REQUEST, incident=incident
    )
    Delivery.objects.create(alert=alert, person=admin, channel="email")
    reset_rate("127.0.0.1")
    case = Case.objects.create(organization=org, name="Miguel Rivera", opened_via="call")
    yield {
        **objects,
        "incident": str(incident.public_id),
        "alert": str(alert.public_id),
        "case": case.code,
        **campaign_objects(org, site),
        "vote": make_vote(org, Unit.objects.get(code=objects["unit"])).code,
    }
    reset_rate("127.0.0.1")
