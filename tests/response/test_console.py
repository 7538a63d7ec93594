"""The dispatcher's console: the queue, each incident's page, and the actions on it."""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_person, verified_client
from tocsin.accounts.models import SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_site
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident, Response
from tocsin.response.services import broadcast
from tocsin.response.services.broadcast import AlertFacts
from tocsin.response.services.responses import raise_missed_check_ins, record_response

from .conftest import file_report


def page(org, incident, action=""):
    base = f"/staff/o/{org.slug}/incidents/{incident.public_id}/"
    return base + (f"{action}/" if action else "")


@pytest.fixture
def incident(org, site):
    file_report(org, site=site, activity="Unmarked SUVs at the ambulance bay")
    file_report(org, site=site, agents=6)
    return Incident.objects.get()


def test_the_queue_shows_open_incidents_with_their_report_counts(dispatcher_client, org, incident):
    response = dispatcher_client.get(f"/staff/o/{org.slug}/console/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hennepin County Medical Center" in html
    assert 'data-reports="2"' in html and "not claimed" in html


def test_the_queue_fragment_has_a_report_that_just_arrived(dispatcher_client, org, site):
    assert (
        'data-count="0"'
        in dispatcher_client.get(f"/staff/o/{org.slug}/console/queue/").content.decode()
    )
    file_report(org, site=site)
    assert (
        'data-count="1"'
        in dispatcher_client.get(f"/staff/o/{org.slug}/console/queue/").content.decode()
    )


def test_closed_incidents_leave_the_queue(dispatcher_client, org, incident):
    dispatcher_client.post(page(org, incident, "dismiss"), {"reason": "false_alarm"})
    html = dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    assert "No open incidents" in html


def test_a_member_without_the_dispatcher_role_gets_404(client, org, incident):
    verifier = make_person(org, Role.VERIFIER, email="v@mna.test", password="verifier horse 42")
    verified_client(client, verifier)
    assert client.get(f"/staff/o/{org.slug}/console/").status_code == 404
    assert client.get(page(org, incident)).status_code == 404


def test_an_organization_sharing_dispatch_shows_its_incidents_to_the_partner(
    client, org, other_org, incident
):
    partner = make_person(
        other_org, Role.DISPATCHER, email="d@seiu.test", password="partner horse 42"
    )
    verified_client(client, partner)
    assert client.get(page(other_org, incident)).status_code == 404
    SharingAgreement.objects.create(organization=org, partner=other_org, dispatch=True)
    assert client.get(page(other_org, incident)).status_code == 200
    assert "Hennepin" in client.get(f"/staff/o/{other_org.slug}/console/").content.decode()


def test_reading_an_incident_is_audited(dispatcher_client, dispatcher, org, incident):
    dispatcher_client.get(page(org, incident))
    assert dispatcher.audit_entries.filter(action="response.incident.read").exists()


def test_the_incident_page_never_shows_who_reported(dispatcher_client, org, site, member):
    file_report(org, site=site, reporter=member, callback="+16125550199")
    html = dispatcher_client.get(page(org, Incident.objects.get())).content.decode()
    assert "Marisol" not in html and "0199" not in html


def test_claiming_shows_who_has_it_to_the_other_dispatchers(
    dispatcher_client, client, org, incident
):
    response = dispatcher_client.post(page(org, incident, "claim"))
    assert response.status_code == 302
    other = make_person(org, Role.DISPATCHER, email="d2@mna.test", password="second horse 42")
    from django.test import Client

    second = verified_client(Client(), other)
    html = second.get(f"/staff/o/{org.slug}/console/").content.decode()
    assert "claimed by Dana Dispatcher" in html
    # The second dispatcher cannot claim it by accident...
    second.post(page(org, incident, "claim"))
    incident.refresh_from_db()
    assert incident.claimed_by.display_name == "Dana Dispatcher"
    # ...but can take it over on purpose.
    second.post(page(org, incident, "claim"), {"take_over": "1"})
    incident.refresh_from_db()
    assert incident.claimed_by == other
    assert incident.timeline.filter(action="response.incident.taken_over").exists()


def test_a_verify_request_names_the_radius_when_nobody_is_near(dispatcher_client, org, incident):
    response = dispatcher_client.post(page(org, incident, "verify"), {"radius_m": "500"})
    assert response.status_code == 400
    assert "No verifier is within 500 m" in response.content.decode()
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_a_verify_request_goes_out_and_the_incident_is_verifying(
    dispatcher_client, org, incident, verifier, sent
):
    with sent():
        response = dispatcher_client.post(page(org, incident, "verify"), {"radius_m": "2000"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == Incident.State.VERIFYING
    alert = Alert.objects.get(kind=Alert.Kind.VERIFY_REQUEST)
    assert [d.person for d in alert.deliveries.all()] == [verifier]


def hidden(html, name):
    """Return the value of a hidden input of the page, as a browser would send it back."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else ""


CONFIRM = {"seen": ["agents_on_foot"], "ask": "stay_away", "radius_m": "1000", "since": "06:40"}


def test_confirming_shows_the_audience_size_before_anything_is_sent(
    dispatcher_client, org, site, incident, sent
):
    for name in ("Ana", "Bo", "Cy"):
        person = make_person(org, name=name)
        add_contact(person, "email", f"{name.lower()}@example.org", True)
        follow_site(person, org, site)
    form = {**CONFIRM, "note_en": "At the ambulance bay"}
    preview = dispatcher_client.post(page(org, incident, "confirm"), form)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "This verified alert will reach 3 people." in html
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()
    seen = {"seen_size": hidden(html, "seen_size"), "seen_preview": hidden(html, "seen_preview")}
    assert seen["seen_size"] == "3"
    with sent():
        sent_response = dispatcher_client.post(page(org, incident, "confirm"), {**form, **seen})
    assert sent_response.status_code == 302
    alert = Alert.objects.get(kind=Alert.Kind.VERIFIED)
    assert alert.audience_size == 3 and alert.deliveries.count() == 3


def test_a_changed_audience_is_shown_again_instead_of_sent(dispatcher_client, org, site, incident):
    form = {**CONFIRM, "seen_size": "7"}
    response = dispatcher_client.post(page(org, incident, "confirm"), form)
    assert "will reach 0 people" in response.content.decode()
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_changed_words_are_shown_again_instead_of_sent(dispatcher_client, org, site, incident):
    first = dispatcher_client.post(page(org, incident, "confirm"), CONFIRM).content.decode()
    seen = {"seen_size": hidden(first, "seen_size"), "seen_preview": hidden(first, "seen_preview")}
    changed = {**CONFIRM, **seen, "note_es": "Palabras que nadie vio antes de enviar"}
    response = dispatcher_client.post(page(org, incident, "confirm"), changed)
    assert response.status_code == 200
    assert "Palabras que nadie vio antes de enviar" in response.content.decode()
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seen": []}, "seen"),
        ({"seen": ["a_parade"]}, "seen"),
        ({"since": "25:99"}, "since"),
        ({"until": "soon"}, "until"),
        ({"where": "nowhere"}, "where"),
        ({"note_es": "x" * 501}, "note_es"),
    ],
)
def test_a_bad_confirmation_names_the_field(dispatcher_client, org, incident, change, field):
    response = dispatcher_client.post(page(org, incident, "confirm"), {**CONFIRM, **change})
    assert response.status_code == 400
    assert f'id="confirm-{field}_error"' in response.content.decode()
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_dismissing_needs_a_reason(dispatcher_client, org, incident):
    response = dispatcher_client.post(page(org, incident, "dismiss"), {"reason": "bored"})
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.state == Incident.State.NEW


def test_all_clear_and_retract_are_offered_once_confirmed(
    dispatcher_client, dispatcher, org, incident, sent
):
    with sent():
        broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    html = dispatcher_client.get(page(org, incident)).content.decode()
    assert "Send the all-clear to the same people" in html
    assert "Confirm and broadcast" not in html
    with sent():
        dispatcher_client.post(page(org, incident, "all-clear"), {"message": "Agents left at 8:15"})
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED


def test_merging_moves_the_reports_and_closes_the_duplicate(dispatcher_client, org, site, incident):
    far = file_report(org, lat=44.9900, lng=-93.2622).incident
    response = dispatcher_client.post(page(org, far, "merge"), {"target": str(incident.public_id)})
    assert response.status_code == 302
    far.refresh_from_db()
    assert far.state == Incident.State.DISMISSED and far.merged_into == incident
    assert incident.reports.count() == 3


def test_splitting_moves_chosen_reports_to_a_new_incident(dispatcher_client, org, incident):
    moved = incident.reports.last()
    response = dispatcher_client.post(
        page(org, incident, "split"), {"reports": [str(moved.public_id)]}
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.incident != incident and incident.reports.count() == 1


def test_a_missed_check_in_raises_an_alarm_once(dispatcher_client, dispatcher, org, incident, sent):
    observer = make_person(org, Role.LEGAL_OBSERVER, name="Lena Observer")
    add_contact(observer, "email", "lena@example.org", True)
    with sent():
        alert = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    answer = record_response(observer, alert, Response.Status.ON_SCENE)
    assert "Call them" not in dispatcher_client.get(page(org, incident)).content.decode()
    Response.objects.filter(pk=answer.pk).update(at=timezone.now() - timedelta(minutes=25))
    assert (
        "missed a check-in. Call them."
        in dispatcher_client.get(page(org, incident)).content.decode()
    )
    assert (
        "1 missed check-in"
        in dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    )
    assert raise_missed_check_ins() == 1
    assert raise_missed_check_ins() == 0
    assert incident.timeline.filter(action="response.responder.check_in_missed").count() == 1
    # A check-in clears it.
    record_response(observer, alert, Response.Status.CHECKED_IN)
    assert "Call them" not in dispatcher_client.get(page(org, incident)).content.decode()


def test_the_console_stream_says_when_something_changed(dispatcher_client, org, site):
    response = dispatcher_client.get(f"/staff/o/{org.slug}/console/events/")
    assert response["Content-Type"] == "text/event-stream"
    # Comment lines (": …") only keep the connection alive; events are what the page hears.
    events = (chunk for chunk in response.streaming_content if not chunk.startswith(b":"))
    assert next(events).startswith(b"event: changed")
    file_report(org, site=site)
    newest = org.incidents.get().timeline.order_by("pk").last()
    assert next(events) == f'event: changed\ndata: {{"mark": {newest.pk}}}\n\n'.encode()
    response.close()


def test_a_callback_contact_shows_only_when_asked_and_the_read_is_audited(
    dispatcher_client, dispatcher, org, site
):
    report = file_report(org, site=site, callback="+16125550199")
    url = page(org, report.incident)
    assert "0199" not in dispatcher_client.get(url).content.decode()
    shown = dispatcher_client.post(url + f"reports/{report.public_id}/callback/")
    assert "+16125550199" in shown.content.decode()
    assert dispatcher.audit_entries.filter(action="response.report.callback_read").exists()


@pytest.mark.django_db(transaction=True)
def test_under_the_asgi_server_the_stream_sends_each_change_at_once(dispatcher_client, org, site):
    """`tocsin serve` runs Django under ASGI, where the stream is an asynchronous generator
    that hears of each committed change (tests/response/test_console_live.py times it)."""
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    client = AsyncClient()
    client.cookies = dispatcher_client.cookies

    async def first_two_events():
        response = await client.get(f"/staff/o/{org.slug}/console/events/")
        assert response["Content-Type"] == "text/event-stream"
        assert response.is_async  # no thread held while the dispatcher watches
        events = []
        async for chunk in response.streaming_content:
            if chunk.startswith(b":"):
                continue
            events.append(chunk)
            if len(events) == 1:
                await sync_to_async(file_report)(org, site=site)
            else:
                break
        return events

    # An event loop of its own, in a thread of its own, as a server process has: a browser
    # test earlier in this worker may have left Playwright's loop running in this thread.
    with ThreadPoolExecutor(max_workers=1) as thread:
        opening, after_report = thread.submit(asyncio.run, first_two_events()).result()
    newest = org.incidents.get().timeline.order_by("pk").last()
    assert opening.startswith(b"event: changed")
    assert after_report == f'event: changed\ndata: {{"mark": {newest.pk}}}\n\n'.encode()


def test_a_burst_of_new_incidents_is_one_line_in_the_dispatchers_language(client, org, settings):
    from tests.conftest import verified_client
    from tocsin.response.models import Burst

    spanish = make_person(
        org,
        Role.DISPATCHER,
        email="despacho@mna.test",
        password="dispatch horse 42",
        name="Dolores",
        language="es",
    )
    burst = Burst.objects.create(organization=org, flood=True)
    for n in range(3):
        report = file_report(org, lat=44.90 + 0.02 * n, lng=-93.26)
        Incident.objects.filter(pk=report.incident_id).update(burst=burst)
    # A report from a member, or one long after the last page, stands on its own line.
    alone = file_report(org, lat=44.99, lng=-93.20).incident
    Incident.objects.filter(pk=alone.pk).update(burst=None)

    html = verified_client(client, spanish).get(f"/staff/o/{org.slug}/console/").content.decode()

    assert html.count('class="burst flood"') == 1
    assert "3 incidentes nuevos desde las" in html and "avalancha" in html
    assert "4 incidentes abiertos" in html
    assert html.count('class="incident state-new') == 4
    assert str(alone.public_id) in html


def at_640() -> "timezone.datetime":
    """Return the last 6:40 a.m. in the server's time zone, for a report seen then."""
    now = timezone.localtime()
    moment = now.replace(hour=6, minute=40, second=0, microsecond=0)
    return moment if moment <= now else moment - timedelta(days=1)


def test_an_incident_is_named_by_its_site_and_its_first_reports_time(
    dispatcher_client, dispatcher, org, site
):
    file_report(org, site=site, seen_at=at_640())
    file_report(org, site=site, agents=6)
    incident = Incident.objects.get()
    title = "Hennepin County Medical Center, 6:40 a.m."
    console = dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    detail = dispatcher_client.get(page(org, incident)).content.decode()
    record = dispatcher_client.get(page(org, incident, "record")).content.decode()
    for html in (console, detail, record):
        assert title in html
        assert f"Incident {incident.short_id}" not in html
        assert f"incident {incident.short_id}" not in html
    assert f"<h1>{title}</h1>" in detail

    dispatcher.language = "es"
    dispatcher.save(update_fields=["language"])
    console = dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    assert "Hennepin County Medical Center, 06:40" in console


def test_a_pin_near_a_site_is_named_by_the_site_and_the_place_reported(
    dispatcher_client, org, site
):
    file_report(org, lat=44.9731, lng=-93.2617, location="ambulance bay", seen_at=at_640())
    html = dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    assert "Hennepin County Medical Center (ambulance bay), 6:40 a.m." in html
    file_report(org, lat=44.9000, lng=-93.1000, location="Lake Street & 3rd")
    html = dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    assert "Lake Street &amp; 3rd, " in html  # no site near: the place as reported


def test_the_dispatchers_page_names_the_incident_by_place_and_time(
    org, site, dispatcher, smtp_server, sent
):
    with sent():
        file_report(org, site=site, seen_at=at_640())
    (message,) = smtp_server.messages
    assert "Hennepin County Medical Center, 06:40" in message["body"]


def test_the_queue_shows_the_newest_reports_words_shortened(dispatcher_client, org, site):
    file_report(org, site=site, activity="Unmarked SUVs at the ambulance bay")
    file_report(org, site=site, activity="Now " + "six agents in vests " * 20)
    html = dispatcher_client.get(f"/staff/o/{org.slug}/console/").content.decode()
    assert "Unmarked SUVs" not in html
    words = html.split('<q class="words">')[1].split("</q>")[0]
    assert words.startswith("Now six agents in vests") and words.endswith("…")
    assert len(words) == 140


def test_opening_an_incident_reads_it_for_that_dispatcher_only(
    client, dispatcher_client, org, site, incident
):
    other = make_person(org, Role.DISPATCHER, email="ben@mna.test", password="dispatch horse 42")
    ben = verified_client(client.__class__(), other)
    queue = f"/staff/o/{org.slug}/console/queue/"
    assert "data-unread" in dispatcher_client.get(queue).content.decode()
    assert "data-unread" in ben.get(queue).content.decode()
    dispatcher_client.get(page(org, incident))
    assert "data-unread" not in dispatcher_client.get(queue).content.decode()
    assert "data-unread" in ben.get(queue).content.decode()
    file_report(org, site=site, agents=8)
    assert "data-unread" in dispatcher_client.get(queue).content.decode()


def test_the_audit_log_names_an_incident_by_its_site_and_time_never_the_reported_place(
    client, dispatcher_client, admin, org, site
):
    file_report(org, site=site, seen_at=at_640())
    file_report(org, lat=44.9, lng=-93.1, location="Behind the laundry", seen_at=at_640())
    at_site, elsewhere = Incident.objects.order_by("opened_at")
    for incident in (at_site, elsewhere):
        dispatcher_client.get(page(org, incident))

    admin_page = verified_client(client.__class__(), admin)
    html = admin_page.get(f"/staff/o/{org.slug}/audit/").content.decode()
    assert "Hennepin County Medical Center, 6:40 a.m." in html
    assert "Place not given, 6:40 a.m." in html
    assert "laundry" not in html
    assert str(at_site.public_id) in html  # the id stays, to filter by
