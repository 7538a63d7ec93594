"""A site's playbook: the role pages that apply there, each local's note and numbers, and
what the coordinator who writes them may and may not do."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_org, make_person, make_site, verified_client
from tests.playbooks.conftest import page_text
from tocsin.accounts.models import Site
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.playbooks.models import LocalPlaybook, SiteNote

NOTE_EN = "Send agents to Security at the ambulance bay desk, ext. 4411. Steward: 5th floor."
NOTE_ES = "Envía a los agentes a Seguridad, en el mostrador de ambulancias, ext. 4411."


def site_page(site, language, client=None):
    response = (client or Client()).get(
        reverse("playbooks:site", kwargs={"site": site.code}), {"lang": language}
    )
    assert response.status_code == 200
    return response.content.decode()


def note_screen(org, site):
    return reverse("playbooks:site_note", kwargs={"org": org.slug, "site": site.code})


@pytest.fixture
def coordinator(client, org):
    person = make_person(org, Role.ORGANIZER, email="olga@mna.test", name="Olga Organizer")
    return verified_client(client, person)


def test_a_hospital_s_page_links_what_to_do_at_the_front_desk_as_a_nurse_and_as_an_observer(
    site,
):
    content = site_page(site, "en")

    assert "What to do at Hennepin County Medical Center" in content
    for slug in ("front-desk", "nurse", "legal-observer"):
        assert f"{reverse(f'playbooks:role_{slug}')}?lang=en" in content
    assert reverse("playbooks:role_teacher") not in content
    assert "Do not open the door." in content  # the general rights, on the same page


@pytest.mark.django_db
def test_a_school_s_page_links_the_teachers_and_a_garage_s_the_bus_operators():
    org = make_org("mfe", "Minneapolis Federation of Educators")
    school = make_site(org, "Anishinabe Academy", "44.949600", "-93.245000")
    school.kind = Site.Kind.SCHOOL
    school.save()
    garage = make_site(org, "Metro Transit garage", "44.986200", "-93.276200")
    garage.kind = Site.Kind.TRANSIT
    garage.save()

    assert reverse("playbooks:role_teacher") in site_page(school, "es")
    assert reverse("playbooks:role_nurse") not in site_page(school, "es")
    assert reverse("playbooks:role_bus-operator") in site_page(garage, "so")


def test_a_coordinator_s_note_and_hotline_reach_the_site_s_page_in_the_reader_s_language(
    coordinator, org, site
):
    answer = coordinator.post(
        reverse("playbooks:playbooks", kwargs={"org": org.slug}),
        {"hotline_number": "(612) 555-0142", "more_url": "https://mna.example.org/rights"},
    )
    assert answer.status_code == 302
    answer = coordinator.post(
        note_screen(org, site), {"note_en": NOTE_EN, "note_es": NOTE_ES, "note_so": ""}
    )
    assert answer.status_code == 302

    spanish = site_page(site, "es")
    assert NOTE_ES in spanish and "ext. 4411" in spanish
    assert NOTE_EN not in spanish
    assert 'href="tel:+16125550142"' in spanish
    assert "Línea de ayuda, si detienen a alguien:" in spanish
    assert 'href="https://mna.example.org/rights"' in spanish
    # No Somali note: the local's own language, marked as such for the reader's browser.
    somali = page_text(site_page(site, "so"))
    assert NOTE_EN in somali
    assert '<p class="playbook-note" lang="en">' in site_page(site, "so")


def test_the_roles_a_coordinator_ticks_replace_the_site_kind_s(coordinator, org, site):
    coordinator.post(note_screen(org, site), {"roles": ["teacher", "legal-observer"]})

    content = site_page(site, "en")

    assert reverse("playbooks:role_teacher") in content
    assert reverse("playbooks:role_nurse") not in content


def test_a_number_that_is_not_one_is_refused_by_name_and_nothing_changes(coordinator, org):
    LocalPlaybook.objects.create(organization=org, hotline_number="+16125550142")

    answer = coordinator.post(
        reverse("playbooks:playbooks", kwargs={"org": org.slug}),
        {"hotline_number": "call Ana", "more_url": "not a page"},
    )

    assert answer.status_code == 400
    content = answer.content.decode()
    assert "Enter a phone number with its country code" in content
    assert "Another know-your-rights page" in content  # the URL's error names its field
    assert LocalPlaybook.objects.get(organization=org).hotline_number == "+16125550142"


def test_a_note_too_long_or_a_role_not_in_the_list_is_refused_by_name(coordinator, org, site):
    answer = coordinator.post(note_screen(org, site), {"note_es": "x" * 1001})
    assert answer.status_code == 400
    assert "Note in Español" in answer.content.decode()

    answer = coordinator.post(note_screen(org, site), {"roles": ["janitor"]})
    assert answer.status_code == 400
    assert "Role pages that apply here" in answer.content.decode()
    assert not SiteNote.objects.exists()


def test_each_change_is_in_the_audit_log_without_the_note_s_words(coordinator, org, site):
    coordinator.post(note_screen(org, site), {"note_en": NOTE_EN})

    entry = AuditEntry.objects.get(action="playbooks.site_note.changed")
    assert entry.organization == org
    assert "4411" not in str(entry.detail)


def test_a_coordinator_cannot_write_for_a_site_where_the_local_is_not(coordinator, org):
    elsewhere = make_site(make_org("nysna", "NYSNA"), "Mount Sinai", "40.790000", "-73.952600")

    assert coordinator.get(note_screen(org, elsewhere)).status_code == 404
    assert coordinator.post(note_screen(org, elsewhere), {"note_en": "x"}).status_code == 404


def test_a_dispatcher_without_the_organizer_s_role_gets_404(client, org, site):
    dispatcher = make_person(org, Role.DISPATCHER, email="dora@mna.test", name="Dora")
    verified_client(client, dispatcher)

    assert client.get(note_screen(org, site)).status_code == 404
    assert client.get(reverse("playbooks:playbooks", kwargs={"org": org.slug})).status_code == 404


def test_each_local_present_at_a_site_shows_its_own_note_under_its_name(coordinator, org, site):
    seiu = make_org("seiu26", "SEIU Local 26")
    site.organizations.add(seiu)
    SiteNote.objects.create(organization=seiu, site=site, notes={"en": "Janitors: call Rafa."})
    coordinator.post(note_screen(org, site), {"note_en": NOTE_EN})

    content = site_page(site, "en")

    assert "SEIU Local 26" in content and "Janitors: call Rafa." in content
    assert "Minnesota Nurses Association" in content and NOTE_EN in content
