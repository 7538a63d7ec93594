"""The pages a person meets when something is wrong are Tocsin's, in their language, and
say what to do next: a missing page, an expired alert link, a refused form, a bad request,
a failure on the server's side."""

import pytest
from django.test import Client
from django.urls import reverse

WORDS = {
    "en": {
        "404": ["This page is not here", "Go to the home page", "ask your organizer"],
        "expired": ["This alert link has expired", "Get a new link"],
        "403": ["This form has expired", "reload the page and try again"],
        "forbidden": ["You cannot do this here", "Sign in as someone else", "ask your organizer"],
        "400": ["We could not read this request", "This may not contain a NUL character"],
        "500": ["Something went wrong on our side", "Wait a minute and try again"],
    },
    "es": {
        "404": [
            "Esta página no está aquí",
            "Ir a la página de inicio",
            "pregunta a tu organizador",
        ],
        "expired": ["Este enlace de alerta venció", "Recibir un enlace nuevo"],
        "403": ["Este formulario venció", "vuelve a cargar la página e inténtalo de nuevo"],
        "forbidden": [
            "No puedes hacer esto aquí",
            "Entrar como otra persona",
            "pregunta a tu organizador",
        ],
        "400": ["No pudimos leer esta solicitud", "NUL"],
        "500": ["Algo falló de nuestro lado", "Espera un minuto e inténtalo de nuevo"],
    },
}
NEXT_STEP = {
    "404": "home",
    "expired": "joining:member_link_request",
    "403": "home",
    "forbidden": "staff:login",
    "400": "home",
    "500": "home",
}


def visit(page: str, language: str, settings):
    browser = Client(
        HTTP_ACCEPT_LANGUAGE=language, enforce_csrf_checks=True, raise_request_exception=False
    )
    if page == "404":
        return browser.get("/no-such-page/")
    if page == "expired":
        return browser.get(reverse("delivery:alert_link", kwargs={"token": "forged-or-old"}))
    if page == "403":
        return browser.post(reverse("joining:member_link_request"), {"address": "a@b.test"})
    if page == "400":
        return browser.get("/", {"q": "a\x00b"})
    settings.ROOT_URLCONF = "tests.core.crash_urls"
    return browser.get("/denied/" if page == "forbidden" else "/crash/")


STATUS = {"404": 404, "expired": 404, "403": 403, "forbidden": 403, "400": 400, "500": 500}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("page", list(STATUS))
def test_an_error_page_speaks_the_visitors_language_and_says_what_to_do(
    page, language, db, settings
):
    response = visit(page, language, settings)

    assert response.status_code == STATUS[page]
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert '<meta name="viewport"' in content  # the phone-sized base page
    for words in WORDS[language][page]:
        assert words in content
    assert f'href="{reverse(NEXT_STEP[page])}"' in content
