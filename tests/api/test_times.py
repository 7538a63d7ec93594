"""A time whose offset no time zone has (+20:19), or at the very end of the calendar,
answers 422 naming its field, never 500: PostgreSQL refuses offsets past 16 hours and a
time it cannot hand back in UTC.

Every operation with a body is sent one with such a time in each of its date-time fields,
as the OpenAPI document describes them.
"""

import pytest

from tests.factories import Api, token_for

from .conftest import WITH_BODY, body_schema, resolved

FAR_OFFSET = "2020-01-01T10:00:00+20:19"
OFFSET_MESSAGE = "No time zone is that far from UTC: at most 14 hours."


def time_fields(operation: dict) -> list[str]:
    """Return the names of the body's date-time fields."""
    return [
        name
        for name, field in body_schema(operation).get("properties", {}).items()
        if resolved(field).get("format") == "date-time"
    ]


WITH_TIMES = [param for param in WITH_BODY if time_fields(param.values[2])]


@pytest.mark.parametrize(("method", "path", "operation"), WITH_TIMES)
def test_every_time_a_client_sends_refuses_an_offset_no_time_zone_has(
    admin, reachable, method, path, operation
):
    body = dict.fromkeys(time_fields(operation), FAR_OFFSET)
    url = path.removeprefix("/api/v1").format(**reachable)

    response = Api(token_for(admin)).request(method, url, body)

    assert response.status_code == 422, response.content
    named = {
        tuple(error["loc"]) for error in response.json()["detail"] if error["msg"] == OFFSET_MESSAGE
    }
    assert named == {("body", "payload", name) for name in body}


def test_a_time_at_the_end_of_the_calendar_is_out_of_range_in_spanish(admin, reachable):
    api = Api(token_for(admin))
    api.headers["Accept-Language"] = "es"

    response = api.post(
        f"/cases/{reachable['case']}/events",
        {"kind": "visit", "note": "Visita", "at": "0001-01-01T00:30:00+01:00"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "payload", "at"],
            "msg": "Esta hora está fuera de rango.",
            "type": "time_out_of_range",
        }
    ]
