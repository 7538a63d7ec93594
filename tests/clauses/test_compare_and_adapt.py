"""Two clauses side by side with their differences marked, and a clause adapted into a draft
that keeps its origin."""

import re

from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE, clause_url
from tocsin.accounts.models import SharingAgreement
from tocsin.audit.models import AuditEntry
from tocsin.clauses.compare import compare_texts
from tocsin.clauses.models import Clause
from tocsin.demo import world
from tocsin.sharing.services import end


def test_the_differences_are_marked_as_deleted_and_inserted_words():
    left, right, removed, added = compare_texts(
        "No agent enters a school without a warrant.",
        "No agent enters a hospital without a judicial warrant.",
    )
    assert left == "No agent enters a <del>school</del> without a warrant."
    assert right == "No agent enters a <ins>hospital</ins> without a <ins>judicial</ins> warrant."
    assert (removed, added) == (1, 2)


def test_the_marks_escape_what_the_clause_holds():
    left, right, _removed, _added = compare_texts("<b>ICE</b> out", "<script>x</script> out")
    assert "<b>" not in left and "&lt;b&gt;ICE&lt;/b&gt;" in left
    assert "<script>" not in right


def test_a_steward_compares_the_warrant_clause_with_nysnas_demand(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    exclusion = Clause.objects.get(title=EXCLUSION_TITLE)
    page = steward_client.get(
        clause_url(orgs[world.UESF], warrant, "clause_compare"), {"with": exclusion.code}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "<del>" in html and "<ins>" in html
    assert re.search(r"<ins>[^<]*hospital", html)
    assert re.search(r"<del>[^<]*school", html)
    assert "Compared in English" in html


def test_it_compares_in_spanish_when_asked(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    exclusion = Clause.objects.get(title=EXCLUSION_TITLE)
    page = steward_client.get(
        clause_url(orgs[world.UESF], warrant, "clause_compare"),
        {"with": exclusion.code, "lang": "es"},
    )
    html = page.content.decode()
    assert 'lang="es"' in html and re.search(r"<ins>[^<]*órdenes", html)


def test_comparing_with_a_clause_not_in_the_library_is_not_found(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    page = steward_client.get(
        clause_url(orgs[world.UESF], warrant, "clause_compare"), {"with": "nosuchclause"}
    )
    assert page.status_code == 404
    assert "That clause is not in your library." in page.content.decode()


def test_adapting_copies_the_clause_into_a_draft_that_names_its_origin(
    steward_client, orgs, steward
):
    uesf = orgs[world.UESF]
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    response = steward_client.post(clause_url(uesf, warrant, "clause_adapt"))
    draft = Clause.objects.get(organization=uesf, origin=warrant)
    assert response.status_code == 302 and response["Location"] == clause_url(uesf, draft)
    assert draft.status == Clause.Status.DRAFT
    assert (draft.text_en, draft.text_es, draft.text_so) == (
        warrant.text_en,
        warrant.text_es,
        warrant.text_so,
    )
    assert not draft.sites.exists()
    html = steward_client.get(clause_url(uesf, draft)).content.decode()
    assert "Adapted from" in html and "Minneapolis Federation of Educators" in html
    assert clause_url(uesf, warrant) in html
    entry = AuditEntry.objects.get(action="clauses.clause.adapted")
    assert entry.actor == steward and entry.detail == {"origin": warrant.code}
    # the origin's own organization is unchanged
    assert Clause.objects.filter(organization=orgs[world.MFE]).count() == 3


def test_the_draft_keeps_its_origin_after_the_sharing_ends(steward_client, orgs):
    uesf = orgs[world.UESF]
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    steward_client.post(clause_url(uesf, warrant, "clause_adapt"))
    draft = Clause.objects.get(organization=uesf, origin=warrant)
    mfe = orgs[world.MFE]
    end(None, mfe, SharingAgreement.objects.get(organization=mfe, partner=uesf))
    html = steward_client.get(clause_url(uesf, draft)).content.decode()
    assert WARRANT_TITLE in html and "Minneapolis Federation of Educators" in html
    assert clause_url(uesf, warrant) not in html
