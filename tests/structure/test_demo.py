"""The demo's bus operators: organized, mostly rated, with history and a structure test."""

from tests.demo.conftest import demo_world  # noqa: F401
from tocsin.accounts.models import Unit
from tocsin.accounts.services.people import find_person_by_login
from tocsin.demo import world
from tocsin.demo.services import load_demo
from tocsin.structure.access import is_organizer_of
from tocsin.structure.dashboard import dashboard
from tocsin.structure.models import Assessment


def test_the_bus_operators_have_ratings_a_test_and_the_demo_organizer(db, demo_world):  # noqa: F811
    unit = Unit.objects.get(organization__slug=world.ATU_1005, name="Metro Transit bus operators")
    organizer = find_person_by_login(f"organizer@{world.EMAIL_DOMAIN}")

    board = dashboard(unit)

    assert is_organizer_of(organizer, unit)
    assert board.total == 40 and board.rated == 36
    test = board.tests[0]
    assert (test.test.name, test.test.target_percent, test.test.max_score) == (
        "70% at 1-2 by Jan 16",
        70,
        2,
    )
    assert (test.test.by_date.month, test.test.by_date.day) == (1, 16)
    assert test.percent == 60 and test.status == "on_track"
    assert board.coverage_percent == 75
    # Some operators were talked to twice: their history has two ratings.
    assert Assessment.objects.filter(unit=unit).count() > board.rated


def test_loading_the_demo_again_adds_no_ratings(db, demo_world):  # noqa: F811
    before = Assessment.objects.count()

    load_demo()

    assert Assessment.objects.count() == before
