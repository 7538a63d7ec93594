"""Reports through the API: anyone may send one; bad fields are named; floods are held back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_site
from tests.factories import Api, fields_named
from tocsin.response.models import Incident, Report

pytestmark = pytest.mark.usefixtures("fresh_report_rate")


@pytest.fixture
def raid(org, site):
    return {
        "organization": org.slug,
        "site": site.code,
        "agents": 4,
        "vehicles": 2,
        "activity": "Agents in tactical vests at the ambulance bay",
        "uniform": "Vests marked POLICE ICE",
        "callback": "+16125550111",
        "language": "es",
    }


def test_an_anonymous_report_opens_an_incident_at_its_site(anonymous_api, raid, site):
    response = anonymous_api.post("/reports", raid)

    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get()
    # A receipt that says "received": never the incident, nor its state.
    assert body == {"receipt": str(report.public_id), "status": "received"}
    assert (report.source, report.reporter, report.language) == ("api", None, "es")
    assert (report.site, report.agents, report.callback) == (site, 4, "+16125550111")
    assert report.incident.site == site
    assert report.incident.where == "Hennepin County Medical Center"


def test_a_second_report_nearby_joins_the_same_incident(anonymous_api, raid, site):
    first = anonymous_api.post("/reports", raid)

    second = anonymous_api.post(
        "/reports",
        {"organization": raid["organization"], "lat": 44.9731, "lng": -93.2617, "agents": 6},
    )

    assert first.status_code == second.status_code == 201
    assert first.json().keys() == second.json().keys() == {"receipt", "status"}
    assert Incident.objects.get().reports.count() == 2


def test_a_report_with_a_token_is_filed_as_that_persons(member_api, member, raid):
    response = member_api.post("/reports", raid)

    assert response.status_code == 201
    report = Report.objects.get(public_id=response.json()["receipt"])
    assert (report.reporter, report.source) == (member, "api")


def test_a_bad_token_is_refused_rather_than_filed_anonymously(raid):
    response = Api("tocsin_not_a_real_token").post("/reports", raid)

    assert response.status_code == 401
    assert not Report.objects.exists()


def test_the_time_seen_is_kept(anonymous_api, raid):
    seen = (timezone.now() - timedelta(minutes=20)).replace(microsecond=0)

    response = anonymous_api.post("/reports", {**raid, "seen_at": seen.isoformat()})

    assert response.status_code == 201
    assert Report.objects.get().seen_at == seen


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization": "no-such-union"}, "organization"),
        ({"organization": ""}, "organization"),
        ({"site": "NOSUCHSITE"}, "site"),
        ({"lat": 91, "lng": -93.26}, "lat"),
        ({"lat": 44.97}, "lng"),
        ({"agents": 5000}, "agents"),
        ({"agents": -1}, "agents"),
        ({"activity": "x" * 1001}, "activity"),
        ({"callback": "x" * 121}, "callback"),
        ({"seen_at": (timezone.now() + timedelta(hours=2)).isoformat()}, "seen_at"),
        ({"seen_at": (timezone.now() - timedelta(days=3)).isoformat()}, "seen_at"),
        ({"seen_at": "2026-05-01T09:30:00"}, "seen_at"),
        ({"seen_at": "yesterday"}, "seen_at"),
        ({"language": "fr"}, "language"),
        ({"activity": "", "uniform": "", "agents": None, "vehicles": None}, "activity"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field_and_nothing_is_stored(
    anonymous_api, raid, change, field
):
    response = anonymous_api.post("/reports", {**raid, **change})

    assert response.status_code == 422
    assert fields_named(response) == {field}
    assert not Report.objects.exists()
    assert not Incident.objects.exists()


def test_a_site_of_another_organization_is_refused(anonymous_api, raid, other_org):
    montefiore = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    response = anonymous_api.post("/reports", {**raid, "site": montefiore.code})

    assert response.status_code == 422
    assert fields_named(response) == {"site"}
    assert not Report.objects.exists()


def test_a_flood_of_reports_is_held_back_with_a_time_to_retry(anonymous_api, raid, settings):
    settings.TOCSIN_REPORT_BURST = 1
    assert anonymous_api.post("/reports", raid).status_code == 201

    response = anonymous_api.post("/reports", raid)

    assert response.status_code == 429
    assert "Too many reports" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert Report.objects.count() == 1


def test_a_token_holder_is_held_to_their_own_allowance_from_any_address(member, settings):
    from django.test import Client

    from tests.factories import token_for
    from tocsin.response.services.reports import reset_rate

    settings.TOCSIN_REPORT_BURST = 1
    reset_rate(str(member.public_id))
    token = token_for(member)
    body = '{"organization": "mna", "activity": "Agents at the door"}'
    answers = [
        Client()
        .post(
            "/api/v1/reports",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
            REMOTE_ADDR=address,
        )
        .status_code
        for address in ("2001:db8:1::1", "2001:db8:2::1", "198.51.100.90")
    ]
    reset_rate(str(member.public_id))

    assert answers == [201, 429, 429]
    assert Report.objects.count() == 1
