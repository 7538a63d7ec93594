"""A new member joins from a site's QR link on her phone, in Spanish, and confirms her email."""

import re

import pytest
from django.urls import reverse

from tests.browser import csp_violations
from tocsin.accounts.models import ContactPoint

from .conftest import code_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_member_joins_in_spanish_and_confirms_her_email(
    phone_in, live_server, site, smtp_server, settings
):
    settings.TOCSIN_MAP_TILES_URL = ""
    page = phone_in("es")
    page.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda route: route.abort())
    csp_errors = []
    page.on("console", lambda message: csp_errors.extend(csp_violations(message)))

    page.goto(live_server.url + reverse("joining:join_site", kwargs={"site": site.code}))

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Recibe alertas de Hennepin County Medical Center"
    )
    assert page.get_by_label("Español").is_checked()
    assert page.locator(".area-map.leaflet-container").is_visible()
    page.get_by_label("Nombre o seudónimo").fill("Lupe")
    page.get_by_label("Correo electrónico").fill("lupe@example.org")
    page.get_by_label("Acepto que Tocsin guarde mi nombre").check()
    page.get_by_role("button", name="Unirme").click()

    page.get_by_role("heading", name="Revisa tus mensajes").wait_for()
    [message] = smtp_server.wait_for(1)
    assert message["to"] == ["lupe@example.org"]
    assert "Tu código de Tocsin" in message["subject"]
    page.get_by_label("Código de confirmación").fill(code_in(message))
    page.get_by_role("button", name="Confirmar").click()

    page.get_by_role("heading", name="Tu contacto está confirmado").wait_for()
    assert "lupe@example.org" in page.content()
    assert ContactPoint.objects.get().confirmed
    assert csp_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["es", "so"])
@pytest.mark.parametrize(("paper", "width_pt"), [("a4", 595), ("letter", 612)])
def test_the_poster_prints_on_one_page_of_its_paper(
    phone_in, live_server, site, paper, width_pt, second
):
    page = phone_in("en")
    page.goto(
        live_server.url + reverse("joining:site_poster", kwargs={"site": site.code}),
    )
    page.goto(page.url + f"?paper={paper}&second={second}")

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)

    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert round(float(box.group(1))) == width_pt
