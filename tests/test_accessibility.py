"""Every main page passes axe-core's WCAG 2 A and AA rules, in every language Tocsin speaks.

The demo world is loaded once (tocsin.demo.services.load_demo, as `tocsin demo` does), with
an incident, its alert and a hotline case added through their services, and every page is
visited in every language of settings.LANGUAGES by one browser: member pages on a phone,
staff pages on a desk, each as the person whose page it is. One test, so the world is
loaded once; it fails with every broken rule of every page and language at once.
"""

import json
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.a11y import assert_accessible, axe_violations, describe
from tests.conftest import verified_client
from tocsin.accounts.models import Organization, Person, Site, Unit
from tocsin.accounts.services.people import find_person_by_login
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token
from tocsin.delivery.services import send_alert
from tocsin.demo import world
from tocsin.demo.accounts import DEMO_ACCOUNTS
from tocsin.demo.services import load_demo
from tocsin.joining.links import member_link_token

pytestmark = [pytest.mark.browser, pytest.mark.long]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}}


@dataclass(frozen=True)
class Screen:
    name: str
    # "visitor"; "member" or "nurse" (a member with a hotline plan), on a phone; or the demo
    # account of a staff page ("admin", "dispatcher", "hotline", "organizer"), on a desk.
    who: str


MEMBER_SCREENS = [
    Screen("join", "visitor"),
    Screen("report", "visitor"),
    Screen("report thanks", "visitor"),
    Screen("sign-in", "visitor"),
    Screen("staff sign-in", "visitor"),
    Screen("alert", "nurse"),
    Screen("hotline plan", "nurse"),
    Screen("member home", "member"),
    Screen("pledge", "member"),
    Screen("ballot", "member"),
    Screen("event", "visitor"),
    Screen("member event", "member"),
    Screen("rights", "visitor"),
    Screen("role playbook", "visitor"),
    Screen("site playbook", "visitor"),
    Screen("site playbook sheet", "visitor"),
]
# Each staff page as the demo account whose work it is.
STAFF_SCREENS = [
    Screen("staff home", "admin"),
    Screen("console", "dispatcher"),
    Screen("incident", "dispatcher"),
    Screen("staff alert", "dispatcher"),
    Screen("hotline cases", "hotline"),
    Screen("hotline case", "hotline"),
    Screen("hotline case handed over", "hotline"),
    Screen("structure", "organizer"),
    Screen("structure unit", "organizer"),
    Screen("structure member", "organizer"),
    Screen("campaigns", "organizer"),
    Screen("campaign", "organizer"),
    Screen("staff event", "organizer"),
    Screen("pledges", "organizer"),
    Screen("staff pledge", "organizer"),
    Screen("coalition view", "admin"),
    Screen("coalition pledge", "admin"),
    Screen("votes", "organizer"),
    Screen("staff vote", "organizer"),
    Screen("imports", "admin"),
    Screen("audit log", "admin"),
    Screen("clause library", "admin"),
    Screen("clause", "admin"),
    Screen("clause compare", "admin"),
    Screen("sharing", "admin"),
    Screen("playbooks", "admin"),
    Screen("site playbook note", "admin"),
    Screen("demo outbox", "admin"),
    Screen("exchange", "admin"),
    Screen("webhooks", "admin"),
]
SCREENS = MEMBER_SCREENS + STAFF_SCREENS


def staff_session(person: Person) -> str:
    return verified_client(Client(), person).cookies[settings.SESSION_COOKIE_NAME].value


def member_session(person: Person) -> str:
    client = Client()
    contact = person.contacts.filter(confirmed_at__isnull=False).first()
    client.get(reverse("joining:member_link", kwargs={"token": member_link_token(contact)}))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_world(var_dir) -> tuple[dict[str, str], dict[str, str]]:
    """Load the demo, add what it lacks (an incident, its alert, a case); return the paths
    of the screens and the session cookie of each kind of visitor."""
    from tests.factories import share
    from tocsin.campaigns.models import Campaign, Event
    from tocsin.hotline.models import Case, EmergencyPlan
    from tocsin.hotline.services import cases, handovers
    from tocsin.pledges import progress
    from tocsin.pledges.models import CoalitionPledge, Pledge
    from tocsin.response.services.broadcast import incident_alert
    from tocsin.response.services.incidents import claim_incident
    from tocsin.response.services.reports import ReportInput, submit_report
    from tocsin.structure.models import StructureTest
    from tocsin.votes.models import Vote
    from tocsin.votes.services import links as ballot_links

    load_demo()
    mna = Organization.objects.get(slug=world.MNA)
    atu = Organization.objects.get(slug=world.ATU_1005)
    nnu = Organization.objects.get(slug=world.NNU)
    hcmc = Site.objects.get(name=world.HCMC)
    staff = {
        account.email.split("@")[0]: find_person_by_login(account.email)
        for account in DEMO_ACCOUNTS
    }
    dispatcher, hotline = staff["dispatch"], staff["hotline"]

    # A report at the hospital, claimed by the dispatcher, and an alert to one nurse.
    report = submit_report(
        mna,
        ReportInput(
            site=hcmc,
            location="Ambulance bay",
            agents=4,
            vehicles=2,
            activity="Agents in tactical vests by the ambulance bay",
            uniform="Tactical vests",
            language="es",
        ),
        "web",
    )
    incident = claim_incident(dispatcher, report.incident)
    nurse = EmergencyPlan.objects.filter(organization=mna).get().person
    alert = incident_alert(
        incident,
        Alert.Kind.VERIFIED,
        {"what": "Agents at the ambulance bay", "where": "HCMC", "since": "", "ask": "stay_away"},
        {"person_ids": [nurse.pk]},
        dispatcher,
    )
    send_alert(alert, actor=dispatcher)
    delivery = Delivery.objects.filter(alert=alert, person=nurse).order_by("pk").first()
    case = cases.open_case(hotline, mna, cases.CaseInput(name="Marisol Vega"), Case.OpenedVia.CALL)
    handed = cases.open_case(hotline, mna, cases.CaseInput(name="Hodan Ali"), Case.OpenedVia.CALL)
    handovers.hand_over(hotline, handed, share(mna, atu, "hotline").partner)

    vote = Vote.objects.get(question=world.OPEN_VOTE_QUESTION)
    pledge = Pledge.objects.get(organization=atu)
    on_pledge_roll = set(progress.roll_people(pledge))
    electors = Person.objects.filter(pk__in=vote.electors.values("person_id"))
    operator = electors.filter(pk__in=on_pledge_roll).order_by("pk").first()
    campaign = Campaign.objects.get(organization=nnu)
    event = Event.objects.filter(campaign=campaign).order_by("starts_at").first()
    structure_unit = Unit.objects.get(organization=atu, name=world.STRUCTURE_UNIT[1])
    rated = structure_unit.structure_assessments.filter(score=2).first().person
    assert StructureTest.objects.filter(unit=structure_unit).exists()

    # What the demo's channel servers received, for the outbox page.
    outbox = var_dir / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "sms.jsonl").write_text(
        json.dumps(
            {
                "at": "2026-01-23T14:06:00+00:00",
                "to": "+16125550104",
                "text": "VERIFIED: agents at HCMC. Details: http://localhost/a/abc/",
            }
        )
        + "\n"
    )

    site, org = hcmc.code, mna.slug
    paths = {
        "join": reverse("joining:join_site", kwargs={"site": site}),
        "report": reverse("response:report_site", kwargs={"site": site}),
        "report thanks": reverse("response:report_site_thanks", kwargs={"site": site}),
        "sign-in": reverse("joining:member_link_request"),
        "staff sign-in": reverse("staff:login"),
        "alert": reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}),
        "hotline plan": reverse("hotline:plan"),
        "member home": reverse("joining:me"),
        "pledge": reverse("pledges:my_pledge", kwargs={"pledge": pledge.code}),
        "ballot": reverse(
            "votes:ballot", kwargs={"token": ballot_links.ballot_token(vote, operator)}
        ),
        "event": reverse("campaigns:event_public", kwargs={"event": event.code}),
        "member event": reverse("campaigns:my_event", kwargs={"event": event.code}),
        "rights": reverse("playbooks:rights"),
        "role playbook": reverse("playbooks:role_front-desk"),
        "site playbook": reverse("playbooks:site", kwargs={"site": site}),
        "site playbook sheet": reverse("playbooks:site_print", kwargs={"site": site}),
        "playbooks": reverse("playbooks:playbooks", kwargs={"org": org}),
        "site playbook note": reverse("playbooks:site_note", kwargs={"org": org, "site": site}),
        "staff home": reverse("staff:home"),
        "sharing": reverse("sharing:agreements", kwargs={"org": world.MRLF}),
        "console": reverse("response:console", kwargs={"org": org}),
        "incident": reverse(
            "response:incident", kwargs={"org": org, "incident": incident.public_id}
        ),
        "staff alert": reverse("delivery:alert", kwargs={"org": org, "alert": alert.public_id}),
        "hotline cases": reverse("hotline:cases", kwargs={"org": org}),
        "hotline case": reverse("hotline:case", kwargs={"org": org, "case": case.code}),
        "hotline case handed over": reverse(
            "hotline:case", kwargs={"org": org, "case": handed.code}
        ),
        "structure": reverse("structure:units", kwargs={"org": atu.slug}),
        "structure unit": reverse(
            "structure:unit", kwargs={"org": atu.slug, "unit": structure_unit.code}
        ),
        "structure member": reverse(
            "structure:member",
            kwargs={"org": atu.slug, "unit": structure_unit.code, "person": rated.public_id},
        ),
        "campaigns": reverse("campaigns:campaigns", kwargs={"org": nnu.slug}),
        "campaign": reverse(
            "campaigns:campaign", kwargs={"org": nnu.slug, "campaign": campaign.code}
        ),
        "staff event": reverse("campaigns:event", kwargs={"org": nnu.slug, "event": event.code}),
        "pledges": reverse("pledges:pledges", kwargs={"org": atu.slug}),
        "staff pledge": reverse("pledges:pledge", kwargs={"org": atu.slug, "pledge": pledge.code}),
        "coalition view": reverse("coalition:coalition", kwargs={"org": world.MRLF}),
        "coalition pledge": reverse(
            "pledges:coalition_pledge",
            kwargs={"org": world.MRLF, "coalition_pledge": CoalitionPledge.objects.get().code},
        ),
        "votes": reverse("votes:votes", kwargs={"org": atu.slug}),
        "staff vote": reverse("votes:vote", kwargs={"org": atu.slug, "vote": vote.code}),
        "imports": reverse("imports:members_import", kwargs={"org": org}),
        "audit log": reverse("audit:log", kwargs={"org": org}),
        "demo outbox": reverse("demo:outbox"),
        **clause_paths(),
        "exchange": reverse("exchange:exchange", kwargs={"org": org}),
        "webhooks": reverse("exchange:webhooks", kwargs={"org": org}),
    }
    cookies = {
        "admin": staff_session(staff["admin"]),
        "dispatcher": staff_session(dispatcher),
        "hotline": staff_session(hotline),
        "organizer": staff_session(staff["organizer"]),
        "member": member_session(operator),
        "nurse": member_session(nurse),
    }
    return paths, cookies


def clause_paths() -> dict[str, str]:
    """The clause library of United Educators of San Francisco, the Minneapolis warrant
    clause in it, and that clause compared with NYSNA's demand."""
    from tocsin.clauses.models import Clause
    from tocsin.demo.clauses import EXCLUSION_TITLE, WARRANT_TITLE

    warrant, exclusion = (
        Clause.objects.get(title=WARRANT_TITLE),
        Clause.objects.get(title=EXCLUSION_TITLE),
    )
    here = {"org": world.UESF, "clause": warrant.code}
    compare = reverse("clauses:clause_compare", kwargs=here) + f"?with={exclusion.code}"
    return {
        "clause library": reverse("clauses:library", kwargs={"org": world.UESF}),
        "clause": reverse("clauses:clause", kwargs=here),
        "clause compare": compare,
    }


def problems_of(chromium, url: str, path: str, who: str, cookie: str | None, language: str) -> str:
    """Open `path` as `who` in a browser asking for `language`; describe what is wrong."""
    context = chromium.new_context(
        **(PHONE if who in ("visitor", "member", "nurse") else DESK),
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(15_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}]
    if cookie:
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": url})
    context.add_cookies(cookies)
    try:
        page = context.new_page()
        response = page.goto(url + path)
        if response is None or response.status != 200:
            return f"{path} answered {response and response.status}"
        lang = page.locator("html").get_attribute("lang")
        if lang != language:
            return f'<html lang="{lang}">, not "{language}"'
        return describe(axe_violations(page))
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_every_main_page_passes_the_wcag_2_aa_rules_in_every_language(
    chromium, live_server, settings, tmp_path, smtp_server, signal_server, sms_gateway
):
    settings.TOCSIN_DEMO = True
    settings.VAR_DIR = tmp_path
    settings.TOCSIN_DEMO_PUSH_URL = ""
    paths, cookies = build_world(tmp_path)

    broken = []
    for language, _name in settings.LANGUAGES:
        for screen in SCREENS:
            cookie = cookies.get(screen.who)
            path = paths[screen.name]
            problems = problems_of(chromium, live_server.url, path, screen.who, cookie, language)
            if problems:
                broken.append(f"== {screen.name} ({language}, as {screen.who})\n{problems}")
    time.sleep(1.0)  # let the live pages' event streams notice their closed pages
    assert not broken, "\n".join(broken)


def test_the_check_names_each_broken_rule_the_elements_and_why(chromium):
    page = chromium.new_page()
    try:
        page.set_content(
            '<html lang="en"><head><title>Unit</title></head><body><main><h1>Unit</h1>'
            '<span class="badge" style="color:#fff;background:#6fae7f">2 · leaning</span>'
            '<label>Name</label><input id="name"></main></body></html>'
        )
        with pytest.raises(pytest.fail.Exception) as failed:
            assert_accessible(page, "a unit")
    finally:
        page.close()
    message = str(failed.value)
    assert message.startswith("a unit: 2 accessibility rule(s) broken")
    assert "color-contrast:" in message and "insufficient color contrast of 2.61" in message
    assert "label: Form elements must have labels" in message and "#name" in message
