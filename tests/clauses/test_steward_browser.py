"""A San Francisco steward, on her phone, finds the Minneapolis judicial-warrant clause,
compares it with NYSNA's ICE-exclusion demand and adapts it for her own union.

Sam is a steward of United Educators of San Francisco. The Minneapolis Federation of
Educators and NYSNA share their clauses with her union. She searches the library for
"judicial warrants", opens the Minneapolis teachers' clause, compares it with the nurses'
demand (the words that differ struck through and underlined), adapts it, and sees her
union's draft, which names where it came from.
"""

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE, library_world
from tests.conftest import make_person, sign_in_browser
from tocsin.accounts.roles import Role
from tocsin.clauses.models import Clause
from tocsin.demo import world

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_steward_finds_compares_and_adapts_the_warrant_clause(phone, live_server):
    orgs = library_world()
    uesf = orgs[world.UESF]
    sam = make_person(uesf, Role.ORGANIZER, email="sam@uesf.test", name="Sam Steward")
    warrant = Clause.objects.get(title=WARRANT_TITLE)

    sign_in_browser(phone, live_server, sam)
    phone.goto(f"{live_server.url}/staff/o/{uesf.slug}/clauses/")
    phone.locator("details.org-menu > summary").click()  # on a phone the menu folds
    expect(phone.get_by_role("link", name="Clause library")).to_have_attribute(
        "aria-current", "page"
    )
    phone.get_by_label("Search").fill("judicial warrants")
    phone.get_by_role("button", name="Search").click()
    results = phone.get_by_test_id("clauses")
    expect(results.get_by_role("link", name=WARRANT_TITLE)).to_be_visible()
    expect(results.get_by_role("link", name=EXCLUSION_TITLE)).to_be_visible()
    expect(results).not_to_contain_text("Emergency housing")
    assert phone.evaluate(FITS)
    assert_accessible(phone)

    results.get_by_role("link", name=WARRANT_TITLE).click()
    clause = phone.get_by_test_id("clause")
    expect(clause).to_contain_text("Minneapolis Federation of Educators")
    expect(clause).to_contain_text("judicial warrant signed by a judge")
    expect(clause.locator("section[lang=es]")).to_contain_text("orden judicial")
    phone.get_by_label("Compare with").select_option(
        label=f"{EXCLUSION_TITLE} (New York State Nurses Association (NYSNA))"
    )
    phone.get_by_role("button", name="Compare", exact=True).click()

    comparison = phone.get_by_test_id("comparison")
    expect(comparison.locator("del").first).to_be_visible()
    expect(comparison.locator("ins").filter(has_text="hospital").first).to_be_visible()
    expect(comparison.locator("del").filter(has_text="school").first).to_be_visible()
    assert phone.evaluate(FITS)
    assert_accessible(phone)

    phone.get_by_role("button", name=f"Adapt “{WARRANT_TITLE}”").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(WARRANT_TITLE)
    expect(phone.get_by_text("Draft: only your organization sees it")).to_be_visible()
    origin = phone.get_by_test_id("origin")
    expect(origin).to_contain_text("Minneapolis Federation of Educators")
    expect(origin.get_by_role("link", name=WARRANT_TITLE)).to_be_visible()
    draft = Clause.objects.get(organization=uesf, origin=warrant)
    assert phone.url.endswith(f"/staff/o/{uesf.slug}/clauses/{draft.code}/")
    assert draft.status == Clause.Status.DRAFT
