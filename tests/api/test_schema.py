"""The OpenAPI document at /api/v1/openapi.json is valid, public and uses public ids only."""

from typing import get_args

import pytest
from pydantic import BaseModel

from tocsin.api.main import api


def test_it_serves_a_valid_openapi_document(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert (document["info"]["title"], document["info"]["version"]) == ("Tocsin API", "1")
    assert document["components"]["securitySchemes"] == {
        "BearerToken": {"type": "http", "scheme": "bearer"}
    }
    # Validate against the OpenAPI 3.1 meta-schema that schemathesis ships.
    schemathesis = pytest.importorskip("schemathesis")
    schemathesis.openapi.from_dict(document).validate()


def test_it_uses_only_public_identifiers_in_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    arguments = {part for path in paths for part in path.split("/") if part.startswith("{")}
    assert arguments <= {
        "{org}",
        "{site}",
        "{unit}",
        "{person}",
        "{alert}",
        "{incident}",
        "{case}",
        "{pledge}",
        "{campaign}",
        "{event}",
        "{vote}",
    }


def test_it_serves_the_docs_page_from_its_own_static_files(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def schemas_named(annotation, found: dict[str, set]) -> None:
    """Collect every pydantic model an annotation reaches, by its name in the document."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found.setdefault(annotation.__name__, set()):
            return
        found[annotation.__name__].add(annotation)
        for field in annotation.model_fields.values():
            schemas_named(field.annotation, found)
    for argument in get_args(annotation):
        schemas_named(argument, found)


def test_each_schema_name_in_the_document_stands_for_one_schema():
    """The document names a schema by its class name alone: two classes of one name (the
    hotline's and the campaigns' EventIn) would document one operation with the other's."""
    found: dict[str, set] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = [*operation.models, *(operation.response_models or {}).values()]
                for model in filter(None, models):
                    for field in model.model_fields.values():
                        schemas_named(field.annotation, found)

    assert {name: classes for name, classes in found.items() if len(classes) > 1} == {}
