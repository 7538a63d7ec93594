"""The members list names roles in words, in the reader's language, never by their codes."""

from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.roles import Role


def test_roles_are_named_not_coded(org, admin_client):
    make_person(org, Role.LEGAL_OBSERVER, name="Lena Observer")
    url = reverse("staff:members", kwargs={"org": org.slug})

    english = admin_client.get(url).content.decode()
    admin_client.cookies.load({"tocsin_language": "es"})
    spanish = admin_client.get(url).content.decode()

    assert '<span class="tag">legal observer</span>' in english
    assert '<span class="tag">observador legal</span>' in spanish
    assert '<span class="tag">legal_observer</span>' not in english + spanish
