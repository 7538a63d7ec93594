"""The library, a clause, a comparison and the form (with its errors) read in Spanish and Somali on a phone, fit its
width and pass axe's WCAG 2 A and AA rules."""

import pytest
from playwright.sync_api import expect

from tests.a11y import assert_accessible
from tests.clauses.conftest import EXCLUSION_TITLE, WARRANT_TITLE, library_world
from tests.conftest import make_person, sign_in_browser
from tocsin.accounts.roles import Role
from tocsin.clauses.models import Clause
from tocsin.demo import world

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
HEADINGS = {
    "es": (
        "Biblioteca de cláusulas",
        "Comparar cláusulas",
        "Español",
        "Escribir una cláusula nueva",
    ),
    "so": ("Maktabadda qodobbada", "Barbar dhig qodobbada", "Soomaali", "Qor qodob cusub"),
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "so"])
def test_the_library_reads_in_spanish_and_somali(phone_in, live_server, language):
    orgs = library_world()
    uesf = orgs[world.UESF]
    steward = make_person(
        uesf, Role.ORGANIZER, email="sam@uesf.test", name="Sam Steward", language=language
    )
    warrant = Clause.objects.get(title=WARRANT_TITLE)
    exclusion = Clause.objects.get(title=EXCLUSION_TITLE)
    library, compare, text_language, new = HEADINGS[language]
    phone = sign_in_browser(phone_in(language), live_server, steward)
    base = f"{live_server.url}/staff/o/{uesf.slug}/clauses/"

    phone.goto(base + "?q=orden+judicial")
    expect(phone.get_by_role("heading", level=1)).to_have_text(library)
    assert_accessible(phone)
    assert phone.evaluate(FITS)

    phone.goto(f"{base}{warrant.code}/")
    expect(phone.get_by_role("heading", level=2, name=text_language)).to_be_visible()
    assert_accessible(phone)
    assert phone.evaluate(FITS)

    phone.goto(f"{base}{warrant.code}/compare/?with={exclusion.code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text(compare)
    assert_accessible(phone)
    assert phone.evaluate(FITS)

    phone.goto(f"{base}new/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(new)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator(".errorlist").first).to_be_visible()
    assert_accessible(phone)
    assert phone.evaluate(FITS)
