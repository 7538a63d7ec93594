"""The OpenAPI document at /api/v1/openapi.json is valid, public and uses public ids only."""

import pytest


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
