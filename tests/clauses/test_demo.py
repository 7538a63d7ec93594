"""The demo's clause library: written once, shared as the demo says, and nothing else."""

from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE
from tocsin.accounts.models import Site
from tocsin.accounts.sharing import Shares, givers_to, receivers_from
from tocsin.clauses.models import Clause
from tocsin.demo import world
from tocsin.demo.clauses import write_library


def test_loading_the_library_again_changes_nothing(orgs):
    before = sorted(Clause.objects.values_list("code", flat=True))
    write_library(orgs, {world.ANISHINABE: Site.objects.get(name=world.ANISHINABE)})
    assert sorted(Clause.objects.values_list("code", flat=True)) == before
    assert len(before) == 5


def test_the_educators_and_nysna_share_clauses_and_no_alerts(orgs):
    uesf, mfe, nysna = orgs[world.UESF], orgs[world.MFE], orgs[world.NYSNA]
    assert set(givers_to(uesf, Shares.CLAUSES)) == {mfe.pk, nysna.pk}
    assert set(receivers_from(mfe, Shares.CLAUSES)) == {uesf.pk, nysna.pk}
    assert givers_to(mfe, Shares.CLAUSES) == [nysna.pk]  # both ways with NYSNA
    assert givers_to(uesf, Shares.ALERTS) == []


def test_the_warrant_clause_is_in_three_languages_and_nysnas_is_a_demand(orgs):
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    assert set(warrant.texts()) == {"en", "es", "so"}
    assert warrant.status == Clause.Status.IN_EFFECT
    assert str(warrant.won_on) == "2025-11-01"
    exclusion = Clause.objects.get(title=EXCLUSION_TITLE)
    assert exclusion.organization == orgs[world.NYSNA]
    assert exclusion.status == Clause.Status.DEMANDED
    assert str(exclusion.demanded_on) == "2025-09-01"
