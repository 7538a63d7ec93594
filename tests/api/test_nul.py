"""A NUL character anywhere in a request (a field, a list item, a nested object, the path)
answers 4xx naming where it is, never 500: PostgreSQL cannot hold one (issue 14, item 11a).

Every operation with a body is sent one with a NUL in each of its fields, shaped as the
OpenAPI document describes them; the answer must name each field.
"""

import pytest

from tests.conftest import make_org, make_person
from tests.factories import Api, token_for
from tocsin.accounts.roles import Role

from .conftest import WITH_BODY, body_schema, resolved

MESSAGE = "This may not contain a NUL character."


def poisoned(schema: dict):
    """Return a value of the schema's shape that holds a NUL: a string with one, a list
    whose second item holds one, an object whose every property does."""
    schema = resolved(schema)
    if "properties" in schema:
        return {name: poisoned(field) for name, field in schema["properties"].items()}
    if schema.get("type") == "array":
        return [poisoned(schema["items"]), poisoned(schema["items"])]
    return "ok\x00"


def nul_errors(response) -> set[tuple]:
    return {tuple(error["loc"]) for error in response.json()["detail"] if error["msg"] == MESSAGE}


@pytest.mark.parametrize(("method", "path", "operation"), WITH_BODY)
def test_every_field_of_every_request_body_refuses_a_nul(admin, reachable, method, path, operation):
    body = poisoned(body_schema(operation))
    url = path.removeprefix("/api/v1").format(**reachable)

    response = Api(token_for(admin)).request(method, url, body)

    assert response.status_code == 422, response.content
    assert nul_errors(response) == {("body", "payload", field) for field in body}


@pytest.fixture
def organizer_api(org):
    organizer = make_person(org, Role.ORGANIZER, email="olga@mna.test", password="organizer 42")
    return Api(token_for(organizer))


def test_a_nul_in_a_list_item_of_a_new_campaign_is_named(organizer_api, org):
    make_org(slug="seiu-26", name="SEIU Local 26")
    campaign = {
        "organization": org.slug,
        "name": "Week of action",
        "starts_on": "2030-01-26",
        "ends_on": "2030-02-04",
        "participants": ["seiu-26", "seiu\x00-26"],
    }

    response = organizer_api.post("/campaigns", campaign)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "payload", "participants"], "msg": MESSAGE, "type": "nul_character"}
    ]
    assert organizer_api.get("/campaigns", organization=org.slug).json() == []


def test_a_nul_in_a_nested_object_names_its_field_in_spanish(org, admin, reachable, admin_client):
    api = Api(token_for(admin))
    api.headers["Accept-Language"] = "es"
    relative = {"name": "Luz", "channel": "sms", "address": "+1 612 555\x00 0199"}
    case = {"organization": org.slug, "name": "Teresa Alvarez", "family": [relative]}

    response = api.post("/cases", case)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "payload", "family"]
    assert error["msg"] == "No puede contener un carácter NUL."
    cases = admin_client.get(f"/staff/o/{org.slug}/cases/").content.decode()
    assert "Miguel Rivera" in cases and "Teresa Alvarez" not in cases


def test_a_nul_in_a_vote_option_is_named(admin, reachable):
    api = Api(token_for(admin))
    vote = {
        "organization": "mna",
        "unit": reachable["unit"],
        "question": "Strike?",
        "options": ["Yes", "No\x00"],
        "opens_at": "2030-01-01T10:00:00Z",
        "closes_at": "2030-01-02T10:00:00Z",
    }

    response = api.post("/votes", vote)

    assert response.status_code == 422
    assert nul_errors(response) == {("body", "payload", "options")}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/campaigns/ab%00cd",
        "/api/v1/organizations/mna/sites/ab%00cd",
        "/api/v1/events/ab%00cd/rsvp",
    ],
)
def test_a_nul_in_an_api_path_is_not_found(admin, org, url):
    response = Api(token_for(admin)).client.get(
        url, headers={"Authorization": f"Bearer {token_for(admin)}"}
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_nul_in_a_page_path_is_not_found(admin_client, org):
    response = admin_client.get(f"/staff/o/{org.slug}/campaigns/ab%00cd/")

    assert response.status_code == 404
