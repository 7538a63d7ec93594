"""A Spanish speaker's pages, files and API answers write numbers with '.' decimals wherever
code reads them (issue "Step 8 — Field-correct", item 1): Spanish prints 44,9727 for people,
but a map that reads "44,972700" centres 110 km away, near Owatonna."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person, make_site, member_client, verified_client
from tests.factories import Api, token_for
from tocsin.accounts.models import Subscription
from tocsin.accounts.roles import Role
from tocsin.response.services.reports import ReportInput, submit_report

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def in_spanish(client: Client) -> Client:
    client.cookies["tocsin_language"] = "es"
    return client


def attribute(html: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def json_in(html: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no #{element_id} in the page"
    return json.loads(found.group(1))


@pytest.fixture
def dispatcher(org):
    return make_person(org, Role.DISPATCHER, email="dispatch@mna.test", name="Dana Dispatcher")


@pytest.mark.django_db
def test_the_join_page_in_spanish_starts_its_map_at_the_site(client, site):
    page = in_spanish(client).get(
        reverse("joining:join_site", kwargs={"site": site.code}), **SPANISH
    )

    html = page.content.decode()
    assert 'lang="es"' in html
    assert (attribute(html, "data-lat"), attribute(html, "data-lng")) == ("44.972700", "-93.262200")
    assert json_in(html, "map-sites") == [
        {"name": "Hennepin County Medical Center", "lat": 44.9727, "lng": -93.2622}
    ]


@pytest.mark.django_db
def test_the_report_page_in_spanish_starts_its_map_at_the_first_site(client, org, site):
    page = in_spanish(client).get(
        reverse("response:report_org", kwargs={"org": org.slug}), **SPANISH
    )

    html = page.content.decode()
    assert (attribute(html, "data-lat"), attribute(html, "data-lng")) == ("44.972700", "-93.262200")
    assert json_in(html, "map-sites")[0]["lat"] == 44.9727


@pytest.mark.django_db
def test_a_members_area_in_spanish_reads_with_decimal_points(client, org, site):
    person = make_person(org, name="Lupe", language="es")
    Subscription.objects.create(
        person=person, organization=org, lat="44.949600", lng="-93.245000", radius_m=1500
    )
    member_client(in_spanish(client), person)

    page = client.get(reverse("joining:subscriptions"), **SPANISH)

    assert "44.949600, -93.245000" in page.content.decode()
    assert "44,949600" not in page.content.decode()


@pytest.mark.django_db
def test_the_sites_page_in_spanish_places_each_site_with_decimal_points(client, org, site, admin):
    make_site(org, "Minneapolis VA Medical Center", "44.900600", "-93.203600")
    staff = in_spanish(verified_client(client, admin))

    page = staff.get(reverse("staff:sites", kwargs={"org": org.slug}), **SPANISH)

    html = page.content.decode()
    assert 'data-lat="44.900600" data-lng="-93.203600"' in html
    assert 'data-lat="44.972700" data-lng="-93.262200"' in html


@pytest.mark.django_db
def test_the_console_map_in_spanish_carries_decimal_points(client, org, site, dispatcher):
    submit_report(
        org,
        ReportInput(activity="Dos camionetas", lat=Decimal("44.980000"), lng=Decimal("-93.270000")),
        "web",
    )
    console = in_spanish(verified_client(client, dispatcher))

    page = console.get(reverse("response:console", kwargs={"org": org.slug}), **SPANISH)

    points = json_in(page.content.decode(), "console-map-data")
    assert points["sites"][0]["lat"] == 44.9727
    assert (points["incidents"][0]["lat"], points["incidents"][0]["lng"]) == (44.98, -93.27)


@pytest.mark.django_db
def test_the_incident_record_csv_in_spanish_gives_the_pin_with_decimal_points(
    client, org, site, dispatcher
):
    report = submit_report(
        org,
        ReportInput(activity="Dos camionetas", lat=Decimal("44.980000"), lng=Decimal("-93.270000")),
        "web",
    )
    staff = in_spanish(verified_client(client, dispatcher))
    url = reverse(
        "response:incident_record_csv",
        kwargs={"org": org.slug, "incident": report.incident.public_id},
    )

    exported = staff.get(url, **SPANISH)

    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][1] == "tipo"  # the header is in Spanish
    [detail] = [row[4] for row in rows[1:] if "Dos camionetas" in row[4]]
    assert "44.980000, -93.270000" in detail


@pytest.mark.django_db
def test_the_api_in_spanish_answers_coordinates_as_json_numbers(org, site, admin):
    api = Api(token_for(admin))
    api.client.cookies["tocsin_language"] = "es"

    answer = api.client.get(
        f"/api/v1/organizations/{org.slug}/sites", headers={**api.headers, "Accept-Language": "es"}
    )

    assert b'"lat": 44.9727' in answer.content or b'"lat":44.9727' in answer.content
    assert answer.json()[0]["lng"] == -93.2622
