"""Who sees which clause: an organization's own, drafts included, and the clauses other than
drafts of organizations sharing clauses with it, until that agreement ends."""

import pytest

from tests.clauses.conftest import WARRANT_TITLE, clause_url, library_url
from tests.conftest import make_person, verified_client
from tests.factories import share
from tocsin.accounts.models import SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.clauses.models import Clause
from tocsin.clauses.services import adapt_clause, in_force_at
from tocsin.demo import world
from tocsin.sharing.services import end


def titles(response) -> list[str]:
    return [clause.title for clause in response.context["clauses"]]


def test_a_steward_sees_the_clauses_shared_with_their_union(steward_client, orgs):
    page = steward_client.get(library_url(orgs[world.UESF]))
    assert page.status_code == 200
    shown = titles(page)
    assert WARRANT_TITLE in shown
    assert "ICE kept out of the hospital without a judicial warrant" in shown
    assert "Emergency housing for educators" in shown
    assert len(shown) == 5


def test_it_never_shows_another_organizations_drafts(steward_client, orgs, mfe_organizer):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    draft = adapt_clause(mfe_organizer, orgs[world.MFE], warrant)
    draft.title = "Our next warrant clause"
    draft.save()
    assert "Our next warrant clause" not in titles(
        steward_client.get(library_url(orgs[world.UESF]))
    )
    assert steward_client.get(clause_url(orgs[world.UESF], draft)).status_code == 404
    assert steward_client.get(clause_url(orgs[world.UESF], draft, "clause_pdf")).status_code == 404


def test_ending_the_agreement_hides_the_clauses_at_once(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    uesf = orgs[world.UESF]
    assert steward_client.get(clause_url(uesf, warrant)).status_code == 200
    mfe = orgs[world.MFE]
    end(None, mfe, SharingAgreement.objects.get(organization=mfe, partner=uesf))
    assert WARRANT_TITLE not in titles(steward_client.get(library_url(uesf)))
    assert WARRANT_TITLE not in titles(
        steward_client.get(library_url(uesf), {"q": "judicial warrant"})
    )
    for name in ("clause", "clause_pdf", "clause_docx", "clause_compare"):
        assert steward_client.get(clause_url(uesf, warrant, name)).status_code == 404, name
    assert steward_client.post(clause_url(uesf, warrant, "clause_adapt")).status_code == 404
    assert not Clause.objects.filter(organization=uesf, origin=warrant).exists()


def test_an_agreement_that_shares_only_alerts_shares_no_clause(client, orgs):
    other = make_person(orgs[world.MFE], Role.ORGANIZER, email="o@mfe.test")
    from tests.conftest import make_org

    kaiser = make_org("nnu-kaiser-bay-area", "Kaiser Bay Area nurses (NNU)")
    share(orgs[world.NYSNA], kaiser, "alerts")
    nurse = make_person(kaiser, Role.ORGANIZER, email="steward@kaiser.test")
    verified_client(client, nurse)
    assert titles(client.get(library_url(kaiser))) == []
    nysna_clause = Clause.objects.get(organization=orgs[world.NYSNA])
    assert client.get(clause_url(kaiser, nysna_clause)).status_code == 404
    # the clause's own organization's URL is not theirs either
    assert client.get(clause_url(orgs[world.NYSNA], nysna_clause)).status_code == 404
    assert other.pk


@pytest.mark.parametrize("role", [Role.MEMBER, Role.DISPATCHER, Role.HOTLINE])
def test_only_organizers_and_admins_open_the_library(client, orgs, role):
    person = make_person(orgs[world.UESF], role, email="someone@uesf.test")
    verified_client(client, person)
    assert client.get(library_url(orgs[world.UESF])).status_code == 404


def test_a_steward_cannot_change_another_unions_clause(steward_client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    uesf = orgs[world.UESF]
    edit = clause_url(uesf, warrant, "clause_edit")
    assert steward_client.get(edit).status_code == 404
    assert steward_client.post(edit, {"title": "Taken over"}).status_code == 404
    warrant.refresh_from_db()
    assert warrant.title == WARRANT_TITLE


def test_the_clauses_in_force_at_a_school_are_those_won_or_in_effect_there(orgs):
    school = orgs[world.MFE].sites.get()
    assert sorted(clause.title for clause in in_force_at(school)) == [
        "Mental health support for staff",
        WARRANT_TITLE,
        "Student data privacy",
    ]
    Clause.objects.filter(title="Student data privacy").update(status=Clause.Status.REFUSED)
    assert "Student data privacy" not in {clause.title for clause in in_force_at(school)}
