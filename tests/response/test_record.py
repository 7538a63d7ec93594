"""The incident's record for the union's lawyers: what was reported, sent, answered and
done, printable and as CSV, with its photos; never who reported."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.conftest import make_person, make_site, verified_client
from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident, Photo, TimelineEntry
from tocsin.response.services.broadcast import AlertFacts, confirm_incident, request_verification
from tocsin.response.services.incidents import claim_incident, dismiss_incident
from tocsin.response.services.reports import ReportInput, submit_report
from tocsin.response.services.responses import raise_missed_check_ins, record_response

from .conftest import file_report

CALLBACK = "+16125550199"
REPORTER_NAME = "Rosalind Quietreporter"


def jpeg(colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def incident(org, site, dispatcher, verifier, smtp_server, django_capture_on_commit_callbacks):
    """The Hennepin morning: two reports (one from a member, one texted in, with a photo),
    a verify request and its answer, the verified alert and a responder on the way."""
    reporter = make_person(org, name=REPORTER_NAME)
    submit_report(
        org,
        ReportInput(
            site=site,
            agents=6,
            vehicles=3,
            activity="Agents in tactical vests at the ambulance bay",
            uniform="Vests marked POLICE ICE",
            callback=CALLBACK,
        ),
        "member",
        reporter=reporter,
    )
    texted = submit_report(
        org,
        ReportInput(
            site=site,
            raw_text="Migra en la entrada de emergencias, dos camionetas",
            callback=CALLBACK,
            photos=[jpeg()],
        ),
        "sms",
    )
    incident = texted.incident
    claim_incident(dispatcher, incident)
    responder = make_person(org, Role.RESPONDER, name="=1+2 Rafa Responder")
    add_contact(responder, "email", "rafa@mna.test", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        ask = request_verification(dispatcher, incident)
    record_response(verifier, ask, "confirmed", note="Two vans at the bay, I can see them")
    with django_capture_on_commit_callbacks(execute=True):
        alert = confirm_incident(
            dispatcher,
            incident,
            AlertFacts(
                seen=["agents_on_foot"], notes={"en": "ICE at the HCMC ambulance bay. Stay away."}
            ),
        )
    record_response(responder, alert, "en_route", note="Five minutes out")
    incident.refresh_from_db()
    return incident


def record_url(org, incident, name="response:incident_record"):
    return reverse(name, kwargs={"org": org.slug, "incident": incident.public_id})


def photo_url(org, photo):
    return reverse("response:photo", kwargs={"org": org.slug, "photo": photo.code})


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_record_shows_reports_alerts_answers_and_the_timeline(dispatcher_client, org, incident):
    response = dispatcher_client.get(record_url(org, incident))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(incident.public_id) in html
    assert "Hennepin County Medical Center" in html
    # The reports, as they were given.
    assert "Agents in tactical vests at the ambulance bay" in html
    assert "Vests marked POLICE ICE" in html
    assert "Migra en la entrada de emergencias, dos camionetas" in html
    assert "text message" in html and "member&#x27;s page" in html
    # The alerts, with their delivery counts.
    assert "verify request" in html and "verified alert" in html
    assert "ICE at the HCMC ambulance bay. Stay away." in html
    assert "sent: 1" in html
    # The answers.
    assert "Vera Verifier" in html and "Two vans at the bay, I can see them" in html
    assert "=1+2 Rafa Responder" in html and "en route" in html
    # The timeline, in sentences.
    assert "The incident was opened." in html
    assert "The first report came in (member&#x27;s page)." in html
    assert "Another report came in (text message). It came with 1 photo." in html
    assert "Claimed the incident." in html
    assert "Asked 1 verifier within" in html
    assert "Answered the verify request: confirmed." in html
    assert "Confirmed the incident and alerted" in html
    assert "Answered the alert: en route." in html
    assert "Dana Dispatcher" in html


def test_the_record_never_says_who_reported(dispatcher_client, org, incident):
    html = dispatcher_client.get(record_url(org, incident)).content.decode()
    exported = dispatcher_client.get(record_url(org, incident, "response:incident_record_csv"))
    text = exported.content.decode("utf-8-sig")

    for shown in (html, text):
        assert REPORTER_NAME not in shown
        assert CALLBACK not in shown and "555-0199" not in shown and "5550199" not in shown


def test_a_phone_call_shows_who_typed_it_in(dispatcher_client, org, site, dispatcher):
    report = submit_report(
        org,
        ReportInput(site=site, activity="Caller says agents at door 3", callback=CALLBACK),
        "phone",
        entered_by=dispatcher,
    )

    html = dispatcher_client.get(record_url(org, report.incident)).content.decode()

    assert "Typed in by" in html and "Dana Dispatcher" in html
    assert "phone call" in html and CALLBACK not in html


def test_the_record_links_its_photos_to_the_photo_view(dispatcher_client, org, incident):
    photo = Photo.objects.get(incident=incident)

    html = dispatcher_client.get(record_url(org, incident)).content.decode()

    assert f'<img src="{photo_url(org, photo)}"' in html


def test_the_record_is_for_printing(dispatcher_client, org, incident):
    html = dispatcher_client.get(record_url(org, incident)).content.decode()

    assert "response/record.css" in html
    assert 'class="org-nav"' in html  # hidden by the print style sheet


def test_reading_the_record_is_audited(dispatcher_client, org, incident, dispatcher):
    dispatcher_client.get(record_url(org, incident))

    entry = AuditEntry.objects.get(action="response.record.read")
    assert entry.actor == dispatcher
    assert entry.object_id == str(incident.public_id)
    assert entry.organization == org


def test_the_record_is_never_cached(dispatcher_client, org, incident):
    response = dispatcher_client.get(record_url(org, incident))

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_csv_has_one_row_per_event_and_opens_in_excel(dispatcher_client, org, incident):
    response = dispatcher_client.get(record_url(org, incident, "response:incident_record_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert f"incident-{incident.short_id}-record.csv" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == ["at", "kind", "actor", "what", "detail"]
    kinds = [row[1] for row in rows]
    assert kinds.count("report") == 2
    assert kinds.count("alert") == incident.alerts.count() == 3  # with the dispatchers' news
    assert kinds.count("response") == 2
    assert kinds.count("timeline") == incident.timeline.count()
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    details = " ".join(row[4] for row in rows)
    assert "Migra en la entrada de emergencias" in details
    whats = [row[3] for row in rows]
    assert "Claimed the incident." in whats and "verified alert" in whats


def test_the_csv_keeps_spanish_accents(dispatcher_client, org, site):
    report = file_report(org, site=site, activity="Agentes en la entrada, camión blanco")

    response = dispatcher_client.get(
        record_url(org, report.incident, "response:incident_record_csv")
    )

    assert "camión blanco".encode() in response.content


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_made_inert(
    dispatcher_client, org, incident
):
    response = dispatcher_client.get(record_url(org, incident, "response:incident_record_csv"))

    rows = csv_rows(response)[1:]
    actors = [row[2] for row in rows]
    assert "'=1+2 Rafa Responder" in actors
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_exporting_the_csv_is_audited(dispatcher_client, org, incident, dispatcher):
    dispatcher_client.get(record_url(org, incident, "response:incident_record_csv"))

    entry = AuditEntry.objects.get(action="response.record.exported")
    assert (entry.actor, entry.object_id) == (dispatcher, str(incident.public_id))


def test_the_photo_view_serves_the_photo_and_audits_it(
    dispatcher_client, org, incident, dispatcher
):
    photo = Photo.objects.get(incident=incident)

    response = dispatcher_client.get(photo_url(org, photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == photo.image and response.content.startswith(b"\xff\xd8")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="response.photo.viewed")
    assert (entry.actor, entry.object_id) == (dispatcher, photo.code)


def test_a_photo_of_another_organizations_incident_is_not_found(dispatcher_client, org, other_org):
    theirs = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    report = submit_report(
        other_org, ReportInput(site=theirs, activity="Agents", photos=[jpeg("blue")]), "web"
    )
    photo = Photo.objects.get(incident=report.incident)

    assert dispatcher_client.get(photo_url(org, photo)).status_code == 404
    assert not AuditEntry.objects.filter(action="response.photo.viewed").exists()


def all_urls(org, incident):
    photo = Photo.objects.get(incident=incident)
    return [
        record_url(org, incident),
        record_url(org, incident, "response:incident_record_csv"),
        photo_url(org, photo),
    ]


def test_an_outsider_gets_404_on_the_record_the_csv_and_the_photo(
    outsider_client, org, other_org, incident
):
    for target_org in (org, other_org):
        for url in all_urls(target_org, incident):
            assert outsider_client.get(url).status_code == 404, url


def test_a_dispatcher_of_another_organization_gets_404(client, org, other_org, incident):
    theirs = make_person(
        other_org, Role.DISPATCHER, email="dispatch@seiu.test", password="seiu horse 42"
    )
    verified_client(client, theirs)

    for url in all_urls(other_org, incident):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.filter(
        action__in=["response.record.read", "response.record.exported", "response.photo.viewed"]
    ).exists()


def test_a_member_without_the_dispatcher_role_gets_404(client, org, verifier, incident):
    verified_client(client, verifier)

    for url in all_urls(org, incident):
        assert client.get(url).status_code == 404, url


def test_an_unknown_incident_is_not_found(dispatcher_client, org):
    unknown = Incident(organization=org)

    assert dispatcher_client.get(record_url(org, unknown)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, org, incident):
    response = client.get(record_url(org, incident))

    assert response.status_code == 302 and "/staff/login" in response["Location"]


def test_an_alert_the_incident_never_sent_shows_as_not_sent(dispatcher_client, org, site):
    report = file_report(org, site=site)
    Alert.objects.create(organization=org, kind=Alert.Kind.VERIFY_REQUEST, incident=report.incident)

    html = dispatcher_client.get(record_url(org, report.incident)).content.decode()

    assert "not sent" in html


def test_a_dismissed_incident_says_why(dispatcher_client, org, site, dispatcher):
    report = file_report(org, site=site)
    dismiss_incident(dispatcher, report.incident, Incident.DismissReason.FALSE_ALARM)

    html = dispatcher_client.get(record_url(org, report.incident)).content.decode()

    assert "Why it was closed" in html and "dismissed" in html
    assert "Dismissed the incident: false alarm." in html


def test_a_missed_check_in_is_in_the_timeline(dispatcher_client, org, incident):
    responder = Person.objects.get(display_name="=1+2 Rafa Responder")
    verified = incident.alerts.get(kind=Alert.Kind.VERIFIED)
    on_scene = record_response(responder, verified, "on_scene")
    raise_missed_check_ins(now=timezone.now() + timedelta(hours=2))
    since = timezone.localtime(on_scene.at).strftime("%H:%M")

    html = dispatcher_client.get(record_url(org, incident)).content.decode()

    assert f"=1+2 Rafa Responder missed a check-in: on scene since {since}." in html


def test_a_timeline_line_the_record_cannot_say_shows_its_action_name(dispatcher_client, org, site):
    report = file_report(org, site=site)
    TimelineEntry.objects.create(incident=report.incident, action="response.incident.reopened")
    TimelineEntry.objects.create(incident=report.incident, action="response.incident.dismissed")

    html = dispatcher_client.get(record_url(org, report.incident)).content.decode()

    assert "response.incident.reopened" in html
    assert "response.incident.dismissed" in html
