"""A site's playbook shows the clauses in force there: the Minneapolis teachers' at
Anishinabe Academy, in the reader's language, and no demand or draft."""

from django.urls import reverse

from tests.clauses.conftest import WARRANT_TITLE
from tocsin.accounts.models import Site
from tocsin.clauses.models import Clause
from tocsin.clauses.services import adapt_clause
from tocsin.demo import world


def playbook(client, language: str) -> str:
    school = Site.objects.get(name=world.ANISHINABE)
    response = client.get(
        reverse("playbooks:site", kwargs={"site": school.code}), {"lang": language}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_school_s_playbook_shows_the_clauses_in_force_there(client, orgs):
    html = playbook(client, "en")
    assert WARRANT_TITLE in html and "Student data privacy" in html
    assert "unless the agent shows a judicial warrant signed by a judge" in html
    assert "ICE kept out of the hospital" not in html  # NYSNA's demand is in force nowhere


def test_it_shows_each_clause_in_the_reader_s_language_or_as_written(client, orgs):
    html = playbook(client, "so")
    assert '<p lang="so">Degmadu uma oggolaan doonto ICE' in html
    assert '<p lang="en">The district does not ask about' in html  # privacy: no Somali text
    html = playbook(client, "es")
    assert '<p lang="es">El distrito no dejará que' in html


def test_a_draft_or_a_refused_clause_is_not_on_the_playbook(client, orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    draft = adapt_clause(None, orgs[world.MFE], warrant)
    draft.sites.add(Site.objects.get(name=world.ANISHINABE))
    draft.title = "Our next warrant clause"
    draft.save()
    Clause.objects.filter(title="Student data privacy").update(status=Clause.Status.REFUSED)
    html = playbook(client, "en")
    assert "Our next warrant clause" not in html and "Student data privacy" not in html
