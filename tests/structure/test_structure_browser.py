"""An organizer rates three nurses of her unit from her phone and watches the dashboard move.

Olga organizes the HCMC nurses' unit. The unit has set itself a structure test, 60% at 1-2
by a date in the future. Five nurses are in it and nobody is rated. From her phone she
opens the unit, taps 1 for Rosa, 2 for Amina and 2 for Bao, and after each tap the counts,
the share at 1-2 and the test's status move; at three of five the target is met.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.conftest import make_person, sign_in_browser
from tocsin.accounts.models import Unit
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.structure.models import Assessment, UnitOrganizer
from tocsin.structure.services import structure_tests as test_services

from .conftest import NURSES, place


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_organizer_rates_three_nurses_and_the_dashboard_moves(phone, live_server, org, site):
    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    olga = make_person(org, Role.ORGANIZER, email="olga@mna.test", name="Olga Organizer")
    UnitOrganizer.objects.create(unit=unit, person=olga)
    for name in NURSES[:5]:
        place(make_person(org, name=name, site=site), unit)
    test_services.create_test(olga, unit, "60% at 1-2 by Jan 16", 60, 2, date(2099, 1, 16))

    sign_in_browser(phone, live_server, olga)
    phone.goto(f"{live_server.url}/staff/o/{org.slug}/structure/")
    phone.locator("details.org-menu > summary").click()  # on a phone the menu folds
    expect(phone.get_by_role("link", name="Structure")).to_have_attribute("aria-current", "page")
    phone.get_by_role("link", name="HCMC registered nurses").click()
    numbers = phone.get_by_test_id("test-numbers")
    expect(numbers).to_contain_text("0 of 5 members at 1-2: 0%")
    expect(phone.get_by_test_id("level-unrated")).to_have_text("5")

    for name, score, shown, status in (
        ("Rosa Rivera", "1", "1 of 5 members at 1-2: 20%", "on track"),
        ("Amina Farah", "2", "2 of 5 members at 1-2: 40%", "on track"),
        ("Bao Vang", "2", "3 of 5 members at 1-2: 60%", "target met"),
    ):
        row = phone.get_by_test_id("member-row").filter(has_text=name)
        row.get_by_role("button", name=score, exact=True).click()
        expect(phone.get_by_role("status")).to_contain_text(name)
        expect(numbers).to_contain_text(shown)
        expect(phone.get_by_test_id("test-status")).to_have_text(status)
        row = phone.get_by_test_id("member-row").filter(has_text=name)
        expect(row.get_by_test_id("current-rating")).to_contain_text(score)
        expect(row.get_by_role("button", name=score, exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )

    expect(phone.get_by_test_id("level-1")).to_have_text("1")
    expect(phone.get_by_test_id("level-2")).to_have_text("2")
    expect(phone.get_by_test_id("level-unrated")).to_have_text("2")
    # The screen fits a phone: nothing runs off its right edge.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Rosa's history, one tap away; the organizer assigns herself as Rosa's organizer.
    phone.get_by_role("link", name="Rosa Rivera").click()
    expect(phone.get_by_test_id("history").locator("li")).to_have_count(1)
    phone.get_by_role("combobox", name="Their organizer").select_option(label="Olga Organizer")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_role("status")).to_contain_text("Their organizer is saved.")
    phone.get_by_role("link", name="HCMC registered nurses").click()
    expect(phone.get_by_test_id("coverage")).to_contain_text("1 of 5 members have an organizer")

    assert sorted(Assessment.objects.values_list("score", flat=True)) == [1, 2, 2]
    # The first showing, one after each rating, and one after coming back from Rosa's page.
    assert (
        AuditEntry.objects.filter(action="structure.unit.read", detail__what="dashboard").count()
        == 5
    )
