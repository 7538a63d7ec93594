"""Generated requests never get a server error, and every answer is the documented one.

Schemathesis generates requests from the OpenAPI schema (valid and invalid ones) and sends
them through Django in-process, with an admin's token, for the organization under test and
either its real objects or generated codes; each answer must be documented, JSON, match its
schema, and never be a 5xx. The admin holds every role (see `reachable` in conftest.py), so
that every operation gets past its guard.
"""

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import token_for
from tocsin.api.main import api

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema():
    """Load the schema from Django's WSGI handler, keeping the test's connection open.

    Like Django's test client, stop the end of each request from closing the database
    connection, which holds the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


OPERATIONS = [
    pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
    for path, methods in api.get_openapi_schema()["paths"].items()
    for method in methods
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_it_answers_generated_requests_without_a_server_error(
    api_schema, admin, reachable, method, path
):
    headers = {"Authorization": f"Bearer {token_for(admin)}"}
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
    )

    @given(case=cases, use_objects=st.booleans())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def answers(case, use_objects):
        # Always the real organization (the access walk covers others); its objects or
        # generated codes for the rest.
        if case.path_parameters:
            case.path_parameters = {
                name: reachable[name] if name == "org" or use_objects else value
                for name, value in case.path_parameters.items()
            }
        case.call_and_validate(headers=headers, checks=CHECKS)

    answers()
