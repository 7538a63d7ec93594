"""The know-your-rights page and the role pages: public, calm, in each reader's language."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_org, make_site
from tests.playbooks.conftest import english_in, page_text
from tocsin.playbooks.content import NOT_LEGAL_ADVICE, RIGHTS, ROLES, WARRANTS

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PAGES = ["playbooks:rights", *[f"playbooks:role_{page.slug}" for page in ROLES]]


def said(text, language: str) -> str:
    with translation.override(language):
        return " ".join(str(text).split())


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_each_page_opens_without_signing_in_in_the_language_its_link_names(name, language):
    response = Client().get(reverse(name), {"lang": language})

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert response["Content-Language"] == language
    text = page_text(response.content)
    assert said(NOT_LEGAL_ADVICE, language) in text
    if language != "en":
        assert english_in(response.content, language) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rights_page_says_each_right_and_the_two_warrants(language):
    text = page_text(Client().get(reverse("playbooks:rights"), {"lang": language}).content)

    for point in RIGHTS:
        assert said(point.title, language) in text
        assert said(point.text, language) in text
    for paragraph in WARRANTS:
        assert said(paragraph, language) in text


@pytest.mark.django_db
@pytest.mark.parametrize("page", ROLES, ids=lambda page: page.slug)
def test_each_role_page_lists_its_steps_in_somali(page):
    text = page_text(Client().get(reverse(f"playbooks:role_{page.slug}"), {"lang": "so"}).content)

    assert said(page.title, "so") in text
    for step in page.steps:
        assert said(step, "so") in text
        assert said(step, "en") not in text


@pytest.mark.django_db
def test_without_a_language_in_its_link_the_page_follows_the_browser():
    response = Client(headers={"accept-language": "so"}).get(reverse("playbooks:rights"))

    assert '<html lang="so">' in response.content.decode()


@pytest.mark.django_db
def test_the_language_a_reader_chose_here_wins_over_the_links():
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    response = reader.get(reverse("playbooks:role_nurse"), {"lang": "so"})

    assert '<html lang="es">' in response.content.decode()


@pytest.mark.django_db
def test_a_language_tocsin_does_not_speak_falls_back_to_the_browsers():
    response = Client(headers={"accept-language": "es"}).get(
        reverse("playbooks:rights"), {"lang": "xx<script>"}
    )

    assert response.status_code == 200
    assert '<html lang="es">' in response.content.decode()


@pytest.mark.django_db
def test_the_links_between_pages_keep_the_pages_language():
    content = Client().get(reverse("playbooks:rights"), {"lang": "so"}).content.decode()

    for page in ROLES:
        assert f'href="{reverse(f"playbooks:role_{page.slug}")}?lang=so"' in content


@pytest.mark.django_db
def test_a_site_that_does_not_exist_is_not_found():
    assert Client().get(reverse("playbooks:site", kwargs={"site": "nosuchsite"})).status_code == 404
    assert Client().get("/rights/janitor/").status_code == 404


@pytest.mark.django_db
def test_the_pages_can_only_be_read():
    site = make_site(make_org())
    for path in (
        reverse("playbooks:rights"),
        reverse("playbooks:site", kwargs={"site": site.code}),
    ):
        assert Client().post(path).status_code == 405


@pytest.mark.django_db
def test_the_english_check_finds_the_english_page_in_a_somali_reader_s_hands():
    english = Client().get(reverse("playbooks:role_teacher"), {"lang": "en"}).content

    assert english_in(english, "so")
