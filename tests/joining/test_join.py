import re

import pytest
from django.urls import reverse

from tests.conftest import arabic_indic, full_width, make_org
from tests.factories import join, join_data
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import (
    ContactPoint,
    Membership,
    Person,
    Subscription,
    SubscriptionCell,
)
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact, find_contact
from tocsin.audit.models import AuditEntry
from tocsin.core import geo

from .conftest import CODE, code_in


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_it_shows_the_join_page_of_a_site_with_the_privacy_promise(client, site):
    response = client.get(reverse("joining:join_site", kwargs={"site": site.code}))
    assert response.status_code == 200
    text = response.content.decode()
    assert site.name in text
    assert "never asks about immigration status" in text
    assert 'name="lat"' in text and 'name="lng"' in text and 'name="radius_m"' in text


def test_it_creates_an_unconfirmed_contact_and_sends_one_code_through_smtp(
    client, site, org, smtp_server, capture
):
    response = join(client, site, capture)

    assert response.status_code == 302
    assert response["Location"] == reverse("joining:confirm")
    person = Person.objects.get(display_name="Lupe")
    assert person.language == "es"
    contact = person.contacts.get()
    assert contact.channel == "email" and not contact.confirmed
    membership = Membership.objects.get(person=person)
    assert membership.organization == org and membership.site == site
    assert membership.roles == int(Role.MEMBER)
    assert Subscription.objects.get(person=person).site == site

    [message] = smtp_server.wait_for(1)
    assert message["to"] == ["lupe@example.org"]
    assert "Tocsin" in message["subject"]
    assert "minutos" in message["body"]  # in her language

    response = client.post(
        reverse("joining:confirm"), {"contact": contact.pk, "code": code_in(message)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("joining:welcome")
    contact.refresh_from_db()
    assert contact.confirmed
    assert client.session[MEMBER_SESSION_KEY] == person.pk
    assert len(smtp_server.messages) == 1
    welcome = client.get(reverse("joining:welcome")).content.decode()
    assert welcome.count("Lupe") == 1 and ", Lupe." in welcome  # she is greeted by name


def test_it_refuses_a_wrong_code(client, site, smtp_server, capture):
    join(client, site, capture)
    contact = ContactPoint.objects.get()
    real = code_in(smtp_server.wait_for(1)[0])
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"

    response = client.post(reverse("joining:confirm"), {"contact": contact.pk, "code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    contact.refresh_from_db()
    assert not contact.confirmed
    assert MEMBER_SESSION_KEY not in client.session


def test_it_stops_accepting_codes_after_five_wrong_attempts(client, site, smtp_server, capture):
    join(client, site, capture)
    contact = ContactPoint.objects.get()
    real = code_in(smtp_server.wait_for(1)[0])
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        client.post(reverse("joining:confirm"), {"contact": contact.pk, "code": wrong})

    response = client.post(reverse("joining:confirm"), {"contact": contact.pk, "code": real})

    assert "no longer works" in response.content.decode()
    contact.refresh_from_db()
    assert not contact.confirmed


def test_it_sends_a_new_code_once_a_minute_at_most(client, site, smtp_server, capture):
    join(client, site, capture)
    contact = ContactPoint.objects.get()
    smtp_server.wait_for(1)

    with capture(execute=True):
        response = client.post(reverse("joining:resend_code"), {"contact": contact.pk}, follow=True)

    assert "less than a minute ago" in response.content.decode()
    assert len(smtp_server.messages) == 1


def test_a_new_code_replaces_the_old_one(client, site, smtp_server, capture):
    join(client, site, capture)
    contact = ContactPoint.objects.get()
    old = code_in(smtp_server.wait_for(1)[0])
    AuditEntry.objects.filter(action="joining.contact.code_requested").update(
        at=AuditEntry.objects.get(action="joining.contact.code_requested").at.replace(year=2020)
    )

    with capture(execute=True):
        client.post(reverse("joining:resend_code"), {"contact": contact.pk})
    new = code_in(smtp_server.wait_for(2)[1])

    if new != old:
        response = client.post(reverse("joining:confirm"), {"contact": contact.pk, "code": old})
        assert "not right" in response.content.decode()
    client.post(reverse("joining:confirm"), {"contact": contact.pk, "code": new})
    contact.refresh_from_db()
    assert contact.confirmed


def test_a_taken_address_becomes_a_claim_that_never_confirms_and_its_owner_is_told(
    client, site, confirmed_member, smtp_server, http_gateway, settings, capture
):
    settings.TOCSIN_SMS_URL = http_gateway.url

    response = join(client, site, capture, email="ROSA@example.org", sms="+1 612 555 0199")

    assert response.status_code == 302
    assert response["Location"] == reverse("joining:confirm")
    joiner = Person.objects.get(display_name="Lupe")
    claim, phone = joiner.contacts.order_by("preference")
    assert (claim.channel, claim.confirmed) == ("email", False)
    assert find_contact("email", "rosa@example.org").person == confirmed_member
    assert find_contact("sms", "+16125550199") == phone
    [notice] = smtp_server.wait_for(1)
    assert notice["to"] == ["rosa@example.org"]
    assert "/me/link/" in notice["body"] and not CODE.search(notice["body"].split("http")[0])
    [code_message] = http_gateway.requests  # the free number gets its code as usual
    assert b"Body=" in code_message["body"]

    for attempt in range(6):
        client.post(reverse("joining:confirm"), {"contact": claim.pk, "code": f"{attempt:06d}"})
    claim.refresh_from_db()
    assert not claim.confirmed
    assert MEMBER_SESSION_KEY not in client.session


def test_a_claim_becomes_a_contact_once_its_owner_has_left(
    client, site, confirmed_member, smtp_server, capture
):
    join(client, site, capture, email="rosa@example.org")
    claim = Person.objects.get(display_name="Lupe").contacts.get()
    smtp_server.wait_for(1)
    confirmed_member.delete()
    AuditEntry.objects.filter(action="joining.contact.code_requested").update(
        at=AuditEntry.objects.get(action="joining.contact.code_requested").at.replace(year=2020)
    )

    with capture(execute=True):
        client.post(reverse("joining:resend_code"), {"contact": claim.pk})
    code = code_in(smtp_server.wait_for(2)[1])
    response = client.post(reverse("joining:confirm"), {"contact": claim.pk, "code": code})

    assert response["Location"] == reverse("joining:welcome")
    assert find_contact("email", "rosa@example.org") == claim


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("lat", "91", "Latitude"),
        ("lng", "-181", "Longitude"),
        ("lat", "north", "Latitude"),
        ("lng", "nan", "Longitude"),
    ],
)
def test_it_refuses_coordinates_out_of_range_naming_the_field(
    client, site, capture, field, value, words
):
    other = {"lat": "44.97", "lng": "-93.26"}
    other[field] = value

    response = join(client, site, capture, **other)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert not Person.objects.exists()


def test_it_asks_for_both_coordinates(client, site, capture):
    response = join(client, site, capture, lat="44.97")
    assert list(response.context["form"].errors) == ["lng"]


def test_it_answers_404_for_an_unknown_site(client, db):
    response = client.get(reverse("joining:join_site", kwargs={"site": "nosuchsite"}))
    assert response.status_code == 404
    response = client.post(reverse("joining:join_site", kwargs={"site": "nosuchsite"}), join_data())
    assert response.status_code == 404
    assert not Person.objects.exists()


def test_it_refuses_oversized_input_naming_the_field(client, site, capture):
    response = join(client, site, capture, display_name="L" * 10_000, email="a" * 300 + "@x.org")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["display_name"][0].startswith("Name or alias:")
    assert errors["email"][0].startswith("Email:")
    assert not Person.objects.exists()


def test_it_names_a_malformed_phone_number(client, site, capture):
    response = join(client, site, capture, email="", sms="call me")
    errors = response.context["form"].errors
    assert list(errors) == ["sms"]
    assert "not a phone number" in errors["sms"][0]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "typed",
    [full_width("+1 612 555 0199"), arabic_indic("+1 612 555 0199"), arabic_indic("612 555 0199")],
)
def test_a_number_in_other_digits_is_the_members_own_number(
    client, site, confirmed_member, sms_gateway, capture, typed
):
    """Full-width and Arabic-Indic digits are the same number as ASCII ones: joining with
    Rosa's number written so is a claim on it, and Rosa is the one told, at her number."""
    add_contact(confirmed_member, ContactPoint.Channel.SMS, "+1 612 555 0199", confirmed=True)

    response = join(client, site, capture, email="", sms=typed)

    assert response.status_code == 302
    [claim] = Person.objects.get(display_name="Lupe").contacts.all()
    assert (claim.address, claim.confirmed) == ("+16125550199", False)
    assert find_contact("sms", typed).person == confirmed_member
    [notice] = sms_gateway.messages
    assert notice["to"] == "+16125550199" and "/me/link/" in notice["text"]


def test_it_refuses_a_nine_digit_number_naming_the_field(client, site, capture):
    response = join(client, site, capture, email="", sms="612 555 019")

    errors = response.context["form"].errors
    assert list(errors) == ["sms"]
    assert "has too few digits to be a phone number" in errors["sms"][0]
    assert not Person.objects.exists()


def test_it_requires_consent_and_a_contact(client, site, capture):
    response = join(client, site, capture, consent=None, email="")
    form = response.context["form"]
    assert "consent" in form.errors
    assert not Person.objects.exists()

    response = join(client, site, capture, email="")
    assert "at least one way to reach you" in " ".join(response.context["form"].non_field_errors())


def test_it_requires_something_to_follow(client, site, capture):
    response = join(client, site, capture, follow_site=None)
    assert "Choose what to follow" in " ".join(response.context["form"].non_field_errors())
    assert not Person.objects.exists()


def test_it_stores_an_area_as_its_h3_cells(client, site, capture, settings):
    response = join(
        client, site, capture, follow_site=None, lat="44.9727", lng="-93.2622", radius_m="1000"
    )

    assert response.status_code == 302
    area = Subscription.objects.get()
    assert area.site is None and area.radius_m == 1000
    cells = set(SubscriptionCell.objects.filter(subscription=area).values_list("cell", flat=True))
    assert cells == set(geo.cells_within(44.9727, -93.2622, 1000))
    hospital = geo.cell_for(44.9727, -93.2622)
    assert cells & set(geo.ancestors(hospital))


def test_it_refuses_a_radius_beyond_the_maximum(client, site, capture):
    response = join(
        client, site, capture, follow_site=None, lat="44.97", lng="-93.26", radius_m="50000"
    )
    assert "radius_m" in response.context["form"].errors
    assert not Person.objects.exists()


def test_it_takes_several_contacts_and_sends_each_its_own_code(
    client, site, smtp_server, http_gateway, settings, capture
):
    settings.TOCSIN_SIGNAL_URL = http_gateway.url
    response = join(client, site, capture, signal="+1 612 555 0142")

    assert response.status_code == 302
    person = Person.objects.get()
    assert [c.channel for c in person.contacts.all()] == ["email", "signal"]
    assert len(smtp_server.wait_for(1)) == 1
    assert len(http_gateway.requests) == 1


def test_it_audits_the_join_without_contact_details(client, site, capture):
    join(client, site, capture)
    person = Person.objects.get()
    entry = AuditEntry.objects.get(action="joining.person.joined")
    assert entry.object_id == str(person.public_id)
    assert "lupe" not in str(entry.detail).lower()


def test_it_lets_someone_choose_the_union_when_a_site_has_two(client, site, capture):
    other = make_org(slug="seiu-26", name="SEIU Local 26")
    site.organizations.add(other)

    response = join(client, site, capture, organization="seiu-26")

    assert response.status_code == 302
    assert Membership.objects.get().organization == other


def test_the_join_page_of_an_organization_offers_its_sites(client, org, site, capture):
    url = reverse("joining:join_org", kwargs={"org": org.slug})
    assert site.name in client.get(url).content.decode()

    with capture(execute=True):
        response = client.post(url, join_data(follow_site=None, site=site.code))

    assert response.status_code == 302
    assert Subscription.objects.get().site == site
    assert Membership.objects.get().site == site


def test_the_join_page_of_an_unknown_organization_is_404(client, db):
    assert client.get(reverse("joining:join_org", kwargs={"org": "nope"})).status_code == 404


def test_the_confirm_page_without_a_join_explains_what_to_do(client, db):
    response = client.get(reverse("joining:confirm"))
    assert response.status_code == 200
    assert "Nothing to confirm" in response.content.decode()


def test_it_speaks_spanish_to_a_spanish_browser_and_picks_spanish_for_her_alerts(client, site):
    response = client.get(
        reverse("joining:join_site", kwargs={"site": site.code}), HTTP_ACCEPT_LANGUAGE="es"
    )
    text = response.content.decode()
    assert "Nombre o seudónimo" in text
    assert "nunca pregunta por tu situación migratoria" in text
    assert re.search(r'<input type="radio" name="language" value="es"[^>]* checked', text)
