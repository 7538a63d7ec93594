"""Walk every URL pattern: anything not marked public must refuse visitors and outsiders.

A new view that is neither marked `@public` nor refuses people who should not see it makes
this test fail, so every later step is covered without anyone remembering to add a test.
The API's operations are walked the same way in tests/api/test_access.py.
"""

import pytest
from django.urls import reverse

from tests.campaigns.objects import campaign_objects
from tests.conftest import make_person, make_site, verified_client
from tests.routes import GUARDED
from tests.votes.conftest import make_vote
from tocsin.accounts.models import ContactPoint, Organization, SharingAgreement, SharingCircle, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.clauses.models import Clause
from tocsin.delivery.models import Alert, NoticeChannel
from tocsin.exchange.models import Webhook
from tocsin.hotline.models import Case, CaseTask, Facility
from tocsin.joining.links import member_link_token
from tocsin.pledges.models import CoalitionPledge, Pledge
from tocsin.response.models import Incident, Photo, Report
from tocsin.structure.models import StructureTest, UnitOrganizer

# A member's own pages, reached through a member link, not a staff sign-in.
MEMBER_PAGES = "me/"
REFUSED = {401, 403, 404, 405}


@pytest.fixture
def objects(org, site, member):
    """Real objects of the organization under test, by URL argument name."""
    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    alert = Alert.objects.create(organization=org, kind=Alert.Kind.NOTICE)
    notice_channel = NoticeChannel.objects.create(
        organization=org, name="Stewards", url="json://127.0.0.1:9/notices"
    )
    incident = Incident.objects.create(organization=org, site=site, lat=site.lat, lng=site.lng)
    report = Report.objects.create(organization=org, incident=incident, source="web")
    photo = Photo.objects.create(
        organization=org, incident=incident, image=b"not a real photo", width=1, height=1
    )
    case = Case.objects.create(organization=org, name="Miguel Rivera", opened_via="call")
    task = CaseTask.objects.create(case=case, title="Call the lawyer", due_at=case.opened_at)
    facility = Facility.objects.create(organization=org, name="Sherburne County Jail")
    pledge = Pledge.objects.create(
        organization=org,
        action="We stay out on January 23",
        scope=Pledge.Scope.ORGANIZATION,
        threshold_kind=Pledge.ThresholdKind.PERCENT,
        threshold_value=60,
        deadline=case.opened_at,
    )
    coalition_pledge = CoalitionPledge.objects.create(
        organization=org, action="We stay out on January 23", deadline=case.opened_at
    )
    webhook = Webhook.objects.create(
        organization=org, name="Union CRM", url="https://crm.example.org/hook", secret="s"
    )
    structure_test = StructureTest.objects.create(
        unit=unit, name="70% at 1-2 by Jan 16", target_percent=70, by_date="2026-01-16"
    )
    clause = Clause.objects.create(
        organization=org, title="No ICE entry without a judicial warrant", text_en="No entry."
    )
    # Sharing between the organization and a third one: the outsider is a side of neither.
    third = Organization.objects.create(name="CWA Local 7250", slug="cwa-7250", kind="local")
    agreement = SharingAgreement.objects.create(organization=org, partner=third)
    circle = SharingCircle.objects.create(convener=org)
    return {
        **campaign_objects(org, site),
        "clause": clause.code,
        "agreement": agreement.code,
        "circle": circle.code,
        "vote": make_vote(org, unit).code,
        "structure_test": structure_test.code,
        "case": case.code,
        "pledge": pledge.code,
        "coalition_pledge": coalition_pledge.code,
        "task": task.code,
        "facility": facility.code,
        "incident": str(incident.public_id),
        "report": str(report.public_id),
        "photo": photo.code,
        "alert": str(alert.public_id),
        "org": org.slug,
        "site": site.code,
        "unit": unit.code,
        "person": str(member.public_id),
        "token": "not-a-real-token",
        "notice_channel": notice_channel.code,
        "webhook": webhook.code,
    }


def url_for(name, arguments, objects):
    missing = [arg for arg in arguments if arg not in objects]
    assert not missing, (
        f"{name} takes {missing}: name URL arguments org, site, unit, person, alert or token "
        "(see CONTRIBUTING.md), or teach this test the new name"
    )
    return reverse(name, kwargs={arg: objects[arg] for arg in arguments})


def refused(response, signin_paths=("/staff/login", "/me/link")):
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302:
        return (
            response["Location"]
            .split("?")[0]
            .rstrip("/")
            .endswith(tuple(path.rstrip("/") for path in signin_paths))
            or "/staff/login" in response["Location"]
            or "/me/link" in response["Location"]
        )
    return False


def test_there_are_guarded_views_to_walk():
    assert len(GUARDED) >= 1


@pytest.mark.parametrize(("name", "arguments"), GUARDED)
def test_an_anonymous_visitor_is_refused(client, objects, name, arguments):
    url = url_for(name, arguments, objects)
    for method in (client.get, client.post):
        response = method(url)
        assert refused(response), f"{method.__name__.upper()} {url} answered {response.status_code}"


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        param
        for param in GUARDED
        if not param.id.startswith(MEMBER_PAGES)
        and set(param.values[1])
        & {
            "org",
            "site",
            "unit",
            "person",
            "alert",
            "incident",
            "photo",
            "report",
            "case",
            "pledge",
            "coalition_pledge",
            "campaign",
            "event",
            "agreement",
            "circle",
        }
    ],
)
def test_a_privileged_person_of_another_organization_gets_404(
    outsider_client, other_org, objects, name, arguments
):
    make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    url = url_for(name, arguments, objects)
    statuses = {outsider_client.get(url).status_code, outsider_client.post(url).status_code}
    assert 404 in statuses and statuses <= {404, 405}, f"{url} answered {statuses}"


@pytest.mark.parametrize(
    ("name", "arguments"),
    [param for param in GUARDED if param.id.startswith(MEMBER_PAGES) and param.values[1]],
)
def test_a_member_of_another_organization_gets_404(client, other_org, objects, name, arguments):
    """A member page that names an object (a pledge, an event) refuses a member it does not
    concern, signed in through their own member link."""
    stranger = make_person(other_org, name="Stranger Member")
    contact = add_contact(stranger, ContactPoint.Channel.EMAIL, "stranger@example.org", True)
    client.get(reverse("joining:member_link", kwargs={"token": member_link_token(contact)}))
    url = url_for(name, arguments, objects)
    statuses = {client.get(url).status_code, client.post(url).status_code}
    assert 404 in statuses and statuses <= {404, 405}, f"{url} answered {statuses}"


def test_a_short_name_with_a_nul_byte_is_not_found(admin):
    """PostgreSQL refuses NUL in a query; an organization named with one is simply not found."""
    from django.http import Http404

    from tocsin.accounts.access import get_membership_for

    with pytest.raises(Http404):
        get_membership_for(admin, "mna\x00")


def test_a_nul_in_a_query_parameter_is_refused_by_name(client, admin_client, org):
    """PostgreSQL cannot hold NUL; the parameter is named before any query runs."""
    response = client.get("/api/v1/organizations/mna/memberships", {"unit": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "unit"]
    page = admin_client.get(f"/staff/o/{org.slug}/audit/", {"object": "x\x00"})
    assert page.status_code == 400 and "object: This may not contain a NUL" in (
        page.content.decode()
    )


# The organization menu's links, by the role that shows them (staff/_org_links.html).
MENU_LINKS = {
    "Dispatch console": Role.DISPATCHER,
    "Hotline cases": Role.HOTLINE,
    "Structure": Role.ORGANIZER,
    "Clause library": Role.ORGANIZER,
    "Playbooks": Role.ORGANIZER,
    "Alerts": Role.DISPATCHER,
    "Members": Role.ADMIN,
    "Sharing": Role.ADMIN,
    "Audit log": Role.ADMIN,
}
# Screens whose guard hands the view the acting person's membership (org_view): each must
# show the menu of that person's roles, read from what the view passed, not the request.
SCREENS_WITH_THE_MENU = {
    "staff:members",
    "staff:member",
    "staff:sites",
    "staff:site",
    "staff:units",
    "staff:unit",
    "staff:organization",
    "audit:log",
    "hotline:cases",
    "hotline:case_new",
    "hotline:case",
    "hotline:case_close",
    "hotline:facilities",
    "structure:units",
    "structure:unit",
    "structure:member",
    "pledges:pledges",
    "pledges:pledge",
    "pledges:coalition_pledge",
    "votes:votes",
    "votes:vote",
    "delivery:alerts",
    "delivery:alert",
    "delivery:notice_channels",
    "campaigns:campaigns",
    "campaigns:campaign",
    "campaigns:event_new",
    "campaigns:event",
    "campaigns:turnout",
    "response:report_call",
    "response:console",
    "response:incident",
    "response:incident_record",
    "clauses:library",
    "clauses:clause",
    "clauses:clause_compare",
    "sharing:agreements",
    "sharing:offer",
    "exchange:exchange",
    "exchange:webhooks",
    "playbooks:playbooks",
    "playbooks:site_note",
}
MENU = 'class="org-nav org-bar"'


def menu_links(html: str) -> set[str]:
    menu = html.split(MENU, 1)[1].split("</nav>", 1)[0]
    return {label for label in MENU_LINKS if f">{label}</a>" in menu}


def test_every_organization_screen_shows_the_menu_of_the_person_who_opened_it(client, org, objects):
    """The guard hands the view the acting person's membership and the screen's menu shows
    the links of that person's roles: all of them for someone who holds every role, and
    only the dispatcher's for a dispatcher."""
    roles = Role.ADMIN | Role.DISPATCHER | Role.ORGANIZER | Role.HOTLINE
    everything = make_person(org, roles, email="rosa@mna.test", name="Rosa Roles")
    unit = Unit.objects.get(code=objects["unit"])
    UnitOrganizer.objects.create(unit=unit, person=everything)
    org.memberships.filter(person__public_id=objects["person"]).update(unit=unit)
    verified_client(client, everything)
    shown = set()
    for param in GUARDED:
        name, arguments = param.values
        if "org" not in arguments:
            continue
        response = client.get(url_for(name, arguments, objects))
        if response.status_code != 200 or response.streaming:
            continue
        html = response.content.decode()
        if MENU in html:
            assert menu_links(html) == set(MENU_LINKS), f"{name}: {menu_links(html)}"
            shown.add(name)
    assert shown >= SCREENS_WITH_THE_MENU, SCREENS_WITH_THE_MENU - shown

    client.logout()
    dispatcher = make_person(org, Role.DISPATCHER, email="dora@mna.test", name="Dora Dispatch")
    verified_client(client, dispatcher)
    html = client.get(reverse("delivery:alerts", kwargs={"org": org.slug})).content.decode()
    assert menu_links(html) == {"Dispatch console", "Alerts"}
