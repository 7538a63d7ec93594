import re

import pytest
import segno
from django.conf import settings
from django.urls import reverse

from tocsin.joining import qr


def path_of(svg: str) -> str:
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_the_poster_has_both_languages_and_a_qr_code_of_the_join_url(client, site):
    response = client.get(reverse("joining:site_poster", kwargs={"site": site.code}))

    assert response.status_code == 200
    text = response.content.decode()
    join_url = settings.TOCSIN_BASE_URL + reverse("joining:join_site", kwargs={"site": site.code})
    assert site.name in text
    assert "Scan to join" in text and "Escanea para unirte" in text
    assert "never asks about immigration status" in text
    assert "nunca pregunta por tu situación migratoria" in text
    assert join_url in text
    svg = text.split('<div class="poster-qr">')[1].split("</div>")[0]
    assert svg.startswith("<svg")
    expected = segno.make(join_url, error="m", micro=False).svg_inline(border=2)
    assert path_of(svg) == path_of(expected)


def test_a_local_prints_its_poster_in_english_and_somali(client, site):
    response = client.get(
        reverse("joining:site_poster", kwargs={"site": site.code}), {"second": "so"}
    )

    text = response.content.decode()
    assert "Scan to join" in text and "Sawir si aad ugu biirto" in text
    assert "Ma aragtay saraakiil socdaal? Soo sheeg:" in text
    assert "Tocsin marnaba ma weydiiyo xaaladda socdaalka." in text
    assert "Escanea para unirte" not in text
    assert '<a lang="es" href="?paper=letter&amp;second=es">Español</a>' in text


@pytest.mark.parametrize(
    ("paper", "css"),
    [("a4", "poster-a4.css"), ("letter", "poster-letter.css"), ("tabloid", "poster-letter.css")],
)
def test_the_poster_prints_on_a4_or_letter(client, site, paper, css):
    response = client.get(
        reverse("joining:site_poster", kwargs={"site": site.code}), {"paper": paper}
    )
    assert css in response.content.decode()


def test_an_organization_has_a_poster_too(client, org):
    response = client.get(reverse("joining:org_poster", kwargs={"org": org.slug}))
    join_url = settings.TOCSIN_BASE_URL + reverse("joining:join_org", kwargs={"org": org.slug})
    assert join_url in response.content.decode()


def test_the_qr_code_downloads_as_svg_and_png(client, site, org):
    svg = client.get(reverse("joining:site_qr_svg", kwargs={"site": site.code}))
    assert svg["Content-Type"] == "image/svg+xml"
    assert "attachment" in svg["Content-Disposition"]
    join_url = qr.join_url(site)
    expected = segno.make(join_url, error="m", micro=False).svg_inline()
    assert path_of(svg.content.decode()) == path_of(expected)

    png = client.get(reverse("joining:org_qr_png", kwargs={"org": org.slug}))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_the_poster_of_an_unknown_site_is_404(client, db):
    assert client.get(reverse("joining:site_poster", kwargs={"site": "nope"})).status_code == 404
    assert client.get(reverse("joining:site_qr_png", kwargs={"site": "nope"})).status_code == 404


def test_a_site_name_cannot_inject_markup_into_the_poster(client, org):
    from tests.conftest import make_site

    site = make_site(org, name="<script>alert(1)</script> Clinic")
    text = client.get(reverse("joining:site_poster", kwargs={"site": site.code})).content.decode()
    assert "<script>alert(1)</script>" not in text
