"""Writing and changing one's own clauses: every bad field is named, and a refused form
leaves the library as it was."""

from tests.clauses.conftest import clause_url, library_url
from tests.conftest import verified_client
from tocsin.audit.models import AuditEntry
from tocsin.clauses.models import Clause
from tocsin.demo import world

GOOD = {
    "title": "Sanctuary schools",
    "text_en": "The district will not let immigration agents into a school without a judicial warrant.",
    "sector": "education",
    "status": "demanded",
    "tags": "ICE, Sanctuary Schools, ice",
}


def new_url(org):
    return library_url(org) + "new/"


def test_an_organizer_writes_a_clause_and_finds_it(client, orgs, steward):
    uesf = orgs[world.UESF]
    verified_client(client, steward)
    response = client.post(new_url(uesf), GOOD)
    clause = Clause.objects.get(organization=uesf, title="Sanctuary schools")
    assert response.status_code == 302 and response["Location"] == clause_url(uesf, clause)
    assert clause.tag_list() == ["ice", "sanctuary-schools"]
    found = client.get(library_url(uesf), {"q": "agent"}).context["clauses"]
    assert clause in found
    entry = AuditEntry.objects.get(action="clauses.clause.created", object_id=clause.code)
    assert entry.actor == steward and "judicial" not in str(entry.detail)


def test_it_names_each_bad_field_and_stores_nothing(client, orgs, steward):
    uesf = orgs[world.UESF]
    before = Clause.objects.count()
    verified_client(client, steward)
    bad = {
        "title": "",
        "sector": "mining",
        "status": "won",
        "won_on": "2025-13-45",
        "in_effect_from": "2026-02-01",
        "in_effect_until": "2026-01-01",
        "tags": ", ".join(f"tag{n}" for n in range(11)),
    }
    response = client.post(new_url(uesf), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Title: give the clause a title." in html
    assert "Sector:" in html and "Won on:" in html
    assert Clause.objects.count() == before
    bad |= {"title": "Housing", "sector": "education", "won_on": ""}
    response = client.post(new_url(uesf), bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Text: write the clause in at least one language." in html
    assert "In effect until: the end comes after the start" in html
    assert "Tags: give at most 10 tags." in html
    assert Clause.objects.count() == before


def test_a_clause_is_in_force_only_at_its_own_organizations_sites(client, orgs, mfe_organizer):
    from tests.conftest import make_site

    bronx = make_site(orgs[world.NYSNA], "Montefiore, Bronx", "40.880000", "-73.879000")
    verified_client(client, mfe_organizer)
    response = client.post(new_url(orgs[world.MFE]), GOOD | {"sites": [bronx.pk]})
    assert response.status_code == 400
    assert "Sites where it is in force:" in response.content.decode()


def test_changing_a_clause_reindexes_it(client, orgs, mfe_organizer):
    mfe = orgs[world.MFE]
    clause = Clause.objects.get(title="Mental health support for staff")
    verified_client(client, mfe_organizer)
    data = {
        "title": clause.title,
        "text_en": "Counseling for staff after a raid, paid by the district.",
        "sector": clause.sector,
        "status": clause.status,
    }
    assert client.post(clause_url(mfe, clause, "clause_edit"), data).status_code == 302
    assert [c.title for c in client.get(library_url(mfe), {"q": "raid"}).context["clauses"]] == [
        clause.title
    ]
    assert client.get(library_url(mfe), {"q": "paid leave"}).context["clauses"] == []
