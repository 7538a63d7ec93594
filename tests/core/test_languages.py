"""Adding a language is a catalog and one setting: every form, page and the API read the
list of languages from settings.LANGUAGES (TOCSIN_LANGUAGES), and no migration is needed."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import Api, join
from tocsin.accounts.models import Person
from tocsin.response.models import Report

pytestmark = pytest.mark.usefixtures("fresh_report_rate")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_a_language_added_to_the_setting_is_offered_and_kept_without_a_migration(
    client, site, settings, capture
):
    settings.LANGUAGES = [*settings.LANGUAGES, ("fr", "French")]

    page = client.get(reverse("joining:join_site", kwargs={"site": site.code})).content.decode()
    assert 'value="fr"' in page and "Français" in page  # the alerts' language, and the picker
    response = join(client, site, capture, language="fr")

    assert response.status_code == 302
    assert Person.objects.get(display_name="Lupe").language == "fr"
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_a_language_left_out_of_the_setting_is_refused_naming_the_field(
    client, site, settings, capture
):
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish")]

    response = join(client, site, capture, language="so")

    assert response.status_code == 200
    assert "Select a valid choice. so is not one of the available choices." in (
        response.content.decode()
    )
    assert not Person.objects.exists()


def test_somali_is_offered_on_every_page(client, site):
    page = client.get(reverse("joining:join_site", kwargs={"site": site.code})).content.decode()

    assert 'name="language" value="so"' in page
    assert ">Soomaali</button>" in page


def test_the_api_takes_a_report_from_a_somali_speaker(org, site):
    response = Api(None).post(
        "/reports",
        {"organization": org.slug, "site": site.code, "activity": "Saraakiil", "language": "so"},
    )

    assert response.status_code == 201
    assert Report.objects.get().language == "so"


def test_the_api_refuses_a_language_tocsin_does_not_speak_naming_the_field(org, site):
    response = Api(None).post(
        "/reports",
        {"organization": org.slug, "site": site.code, "activity": "Agents", "language": "fr"},
    )

    assert response.status_code == 422
    assert "language" in response.content.decode()
    assert not Report.objects.exists()
