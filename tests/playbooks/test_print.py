"""The printed sheet of a site: its QR code reads as the site's playbook, in the site's
default language unless the sheet is printed in another."""

import re

import pytest
import segno
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import make_org, make_site

BORDER = 2  # the quiet zone of an inline code (tocsin/core/qr.py)


def modules_of(svg: str) -> list[list[int]]:
    """Read an inline QR code back into its rows of dark (1) and light (0) modules, by
    following its one path: M and m move, h draws a run of dark modules."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1)) - 2 * BORDER
    rows = [[0] * size for _ in range(size)]
    x = y = 0.0
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(value) for value in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            row = int(y - 0.5) - BORDER
            for column in range(int(x) - BORDER, int(x + values[0]) - BORDER):
                rows[row][column] = 1
            x += values[0]
    return rows


def matrix_of(url: str) -> list[list[int]]:
    return [list(row) for row in segno.make(url, error="m", micro=False).matrix]


def sheet(site, **query) -> str:
    response = Client().get(reverse("playbooks:site_print", kwargs={"site": site.code}), query)
    assert response.status_code == 200
    return response.content.decode()


def qr_of(content: str) -> str:
    return re.search(r"<svg[^>]*class=\"qr\".*?</svg>", content, re.S).group(0)


@pytest.mark.django_db
def test_the_sheet_s_code_reads_as_the_site_s_page_in_the_site_s_language():
    mfe = make_org("mfe", "Minneapolis Federation of Educators")
    mfe.default_language = "so"
    mfe.save()
    school = make_site(mfe, "Anishinabe Academy", "44.949600", "-93.245000")
    expected = f"{settings.TOCSIN_BASE_URL}/rights/s/{school.code}/?lang=so"

    content = sheet(school)

    assert modules_of(qr_of(content)) == matrix_of(expected)
    assert modules_of(qr_of(content)) != matrix_of(expected.replace("lang=so", "lang=en"))
    assert '<html lang="so">' in content
    assert expected in content  # printed under the code, for a phone that cannot scan


@pytest.mark.django_db
def test_a_sheet_printed_in_spanish_points_to_the_spanish_page(site):
    content = sheet(site, lang="es", paper="a4")

    expected = f"{settings.TOCSIN_BASE_URL}/rights/s/{site.code}/?lang=es"
    assert modules_of(qr_of(content)) == matrix_of(expected)
    assert "poster-a4.css" in content
    assert "Qué hacer en Hennepin County Medical Center" in content


@pytest.mark.django_db
def test_an_unknown_paper_or_language_prints_the_default(site):
    content = sheet(site, lang="klingon", paper="tabloid")

    assert '<html lang="en">' in content
    assert "poster-letter.css" in content


@pytest.mark.django_db
def test_the_site_s_page_links_its_printable_sheet(site):
    content = Client().get(reverse("playbooks:site", kwargs={"site": site.code}), {"lang": "es"})

    assert reverse("playbooks:site_print", kwargs={"site": site.code}) + "?lang=es" in (
        content.content.decode()
    )


@pytest.mark.django_db
def test_a_sheet_printed_by_someone_who_chose_somali_here_is_in_somali(site):
    printer = Client(headers={"accept-language": "es"})
    printer.cookies[settings.LANGUAGE_COOKIE_NAME] = "so"
    path = reverse("playbooks:site_print", kwargs={"site": site.code})

    assert '<html lang="so">' in printer.get(path).content.decode()
    # The sheet's own language links win over the choice.
    content = printer.get(path, {"lang": "en"}).content.decode()
    assert '<html lang="en">' in content
    expected = f"{settings.TOCSIN_BASE_URL}/rights/s/{site.code}/?lang=en"
    assert modules_of(qr_of(content)) == matrix_of(expected)


@pytest.mark.django_db
def test_a_browser_s_language_alone_does_not_change_the_sheet(site):
    content = Client(headers={"accept-language": "so"}).get(
        reverse("playbooks:site_print", kwargs={"site": site.code})
    )

    assert '<html lang="en">' in content.content.decode()
