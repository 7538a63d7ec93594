"""CSV exports of events, turnout and pledge outcomes, as an organizer downloads them: counts
and the organization's own words, never a member, a signer or a contact."""

import csv
import io

import pytest
from django.urls import reverse

from tests.conftest import verified_client
from tocsin.audit.models import AuditEntry
from tocsin.campaigns.models import Event

from .world import build


@pytest.fixture
def world(org, site):
    return build(org, site)


@pytest.fixture
def organizer_client(client, world):
    return verified_client(client, world.organizer)


def url(org, name):
    return reverse(f"exchange:{name}", kwargs={"org": org.slug})


def rows_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_exchange_page_offers_the_three_files(organizer_client, org):
    page = organizer_client.get(url(org, "exchange"))

    assert page.status_code == 200
    html = page.content.decode()
    for name in ("events_csv", "turnout_csv", "pledges_csv"):
        assert url(org, name) in html
    assert f"/api/osdi/v1/{org.slug}/" in html


def test_events_list_each_event_with_its_counts(organizer_client, org, world):
    header, *rows = rows_of(organizer_client.get(url(org, "events_csv")))

    assert header[:2] == ["code", "title"]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    vigil = by_code[world.vigil.code]
    assert vigil["title"] == "Vigil at HCMC"
    assert vigil["place"] == "Hennepin County Medical Center"
    assert (vigil["going"], vigil["checked in"], vigil["waitlisted"]) == ("2", "1", "1")
    assert by_code[world.hidden.code]["place"] == "(shown to people who RSVP)"
    assert AuditEntry.objects.filter(
        action="exchange.export.events", actor=world.organizer, organization=org
    ).exists()


def test_events_are_chosen_by_day(organizer_client, org, world):
    day = world.hidden.starts_at.date().isoformat()
    _header, *rows = rows_of(organizer_client.get(url(org, "events_csv"), {"first": day}))

    assert [row[0] for row in rows] == [world.hidden.code]


@pytest.mark.parametrize("by", ["event", "site", "day"])
def test_turnout_is_counted_by_event_site_or_day(organizer_client, org, world, by):
    header, *rows = rows_of(organizer_client.get(url(org, "turnout_csv"), {"by": by}))

    table = [dict(zip(header, row, strict=True)) for row in rows]
    hcmc = [row for row in table if "Hennepin County Medical Center" in row.values()]
    assert [row["going"] for row in hcmc] == ["2"]
    assert [row["checked in"] for row in hcmc] == ["1"]


def test_pledge_outcomes_show_buckets_before_the_threshold_and_never_a_signer(
    organizer_client, org, world
):
    header, *rows = rows_of(organizer_client.get(url(org, "pledges_csv")))

    table = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(table) == {"Sick-out on Jan 23", "We stay out on Jan 23"}
    sick_out, stay_out = table["Sick-out on Jan 23"], table["We stay out on Jan 23"]
    # One member asked: a group too small to show anything, before or after the threshold.
    assert (sick_out["members asked"], sick_out["progress"], sick_out["signed"]) == ("", "", "")
    assert stay_out["state"] == "on: the threshold was met"
    text = "\n".join(",".join(row) for row in rows)
    for private in ("Rosa", "rosa.reyes", "SEALED", "index-"):
        assert private not in text


def test_nothing_private_appears_in_any_export(organizer_client, org, world):
    files = [
        organizer_client.get(url(org, "events_csv")),
        *(
            organizer_client.get(url(org, "turnout_csv"), {"by": by})
            for by in ("event", "site", "day")
        ),
        organizer_client.get(url(org, "pledges_csv")),
    ]
    text = "\n".join(f.content.decode() for f in files)
    names = ["Rosa Reyes", "Dawit Hassan", "Olga Organizer", "rosa.reyes@example.org", "+1612555"]
    never = [value for value in world.never if value not in world.pledges]
    assert [value for value in names + never if value in text] == []


def test_a_formula_in_a_title_is_made_inert(organizer_client, org, world):
    Event.objects.filter(pk=world.vigil.pk).update(title='=HYPERLINK("http://evil.test","x")')
    _header, *rows = rows_of(organizer_client.get(url(org, "events_csv")))

    titles = [row[1] for row in rows]
    assert '\'=HYPERLINK("http://evil.test","x")' in titles
    assert not any(title.startswith(("=", "+", "-", "@")) for title in titles)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"first": "not a day"}, "Events from (YYYY-MM-DD)"),
        ({"first": "2027-02-04", "last": "2027-01-26"}, "Events until (YYYY-MM-DD)"),
        ({"last": "2027-13-45"}, "Events until (YYYY-MM-DD)"),
        ({"first": "\x00"}, "first"),
    ],
)
def test_a_bad_parameter_is_named_and_never_a_500(organizer_client, org, world, query, field):
    for name in ("events_csv", "turnout_csv", "pledges_csv"):
        response = organizer_client.get(url(org, name), query)
        assert response.status_code == 400
        assert f"{field}:" in response.content.decode()


def test_an_unknown_turnout_grouping_is_named(organizer_client, org, world):
    response = organizer_client.get(url(org, "turnout_csv"), {"by": "person"})
    assert response.status_code == 400 and "Turnout by:" in response.content.decode()


def test_a_member_or_an_outsider_gets_404(client, outsider_client, org, world):
    for name in ("exchange", "events_csv", "turnout_csv", "pledges_csv"):
        assert outsider_client.get(url(org, name)).status_code == 404
    outsider_client.logout()
    from tests.conftest import member_client

    member_client(client, world.rosa)
    assert client.get(url(org, "events_csv")).status_code in {302, 404}
