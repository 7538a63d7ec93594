"""Searching the library in English, Spanish and Somali: stems, accents, phrases and tags;
whatever a person types, the page answers and never fails."""

import pytest

from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE, clause_url, library_url
from tocsin.clauses.models import Clause
from tocsin.clauses.search import parse
from tocsin.demo import world

PRIVACY = "Student data privacy"
HEALTH = "Mental health support for staff"
HOUSING = "Emergency housing for educators"


def found(client, orgs, **query) -> list[str]:
    response = client.get(library_url(orgs[world.UESF]), query)
    assert response.status_code == 200, response.content[-500:]
    return sorted(clause.title for clause in response.context["clauses"])


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("warrant", [EXCLUSION_TITLE, WARRANT_TITLE, PRIVACY]),
        ("WARRANTS", [EXCLUSION_TITLE, WARRANT_TITLE, PRIVACY]),
        ('"judicial warrant signed"', [EXCLUSION_TITLE, WARRANT_TITLE]),
        ('"warrant judicial"', []),
        ("órdenes", [EXCLUSION_TITLE, WARRANT_TITLE, PRIVACY]),
        ("ordenes judiciales", [EXCLUSION_TITLE, WARRANT_TITLE, PRIVACY]),
        ("escuelas", [WARRANT_TITLE]),
        ("enfermeras", [EXCLUSION_TITLE]),
        ("dugsiga", [WARRANT_TITLE]),
        ("counselors trauma", [HEALTH]),
        ("sanctuary", [EXCLUSION_TITLE, WARRANT_TITLE]),
        ("vivienda", [HOUSING]),
        ("picket line", []),
    ],
)
def test_it_finds_clauses_by_word_stem_accent_phrase_and_tag(steward_client, orgs, query, titles):
    assert found(steward_client, orgs, q=query) == sorted(titles)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND OR NOT (",
        "NEAR(warrant",
        "*",
        "war*",
        "'; DROP TABLE",
        "{en}:",
        "a:b",
        "\\",
        "!!!",
    ],
)
def test_search_syntax_never_fails(steward_client, orgs, query):
    response = steward_client.get(library_url(orgs[world.UESF]), {"q": query})
    assert response.status_code == 200


def test_a_query_of_only_punctuation_finds_nothing_and_says_so(steward_client, orgs):
    response = steward_client.get(library_url(orgs[world.UESF]), {"q": "?!"})
    assert response.context["clauses"] == []
    assert b'data-testid="nothing-found"' in response.content


def test_a_too_long_query_is_named(steward_client, orgs):
    response = steward_client.get(library_url(orgs[world.UESF]), {"q": "warrant " * 40})
    assert response.status_code == 400
    assert "Search: write at most 200 characters" in response.content.decode()


def test_it_filters_by_tag_sector_and_status(steward_client, orgs):
    assert found(steward_client, orgs, tag="Judicial Warrant") == [EXCLUSION_TITLE, WARRANT_TITLE]
    assert found(steward_client, orgs, q="warrant", sector="health_care") == [EXCLUSION_TITLE]
    assert found(steward_client, orgs, status="in_effect", q="ICE") == [WARRANT_TITLE]


def test_an_unclosed_quote_runs_to_the_end():
    assert [term.words for term in parse('ICE "judicial warrant')] == [
        ("ice",),
        ("judicial", "warrant"),
    ]


def test_a_nul_anywhere_is_refused_by_name_or_not_found(steward_client, orgs):
    """PostgreSQL cannot hold NUL: a search, a tag or a comparison naming one is refused by
    the parameter's name, a clause named with one is not found."""
    uesf = orgs[world.UESF]
    for name in ("q", "tag"):
        response = steward_client.get(library_url(uesf), {name: "ice\x00"})
        assert response.status_code == 400
        assert f"{name}: This may not contain a NUL character." in response.content.decode()
    assert steward_client.get(library_url(uesf) + "ab%00cd/").status_code == 404
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    compare = clause_url(uesf, warrant, "clause_compare")
    assert steward_client.get(compare, {"with": "ab\x00cd"}).status_code == 400
