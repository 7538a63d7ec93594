"""Rapid response's URLs: the public report pages, a member's report and a phone call typed
in (intake), the SMS webhooks (inbound), the dispatcher's console and incident pages
(console, stream, incident, actions, confirm), the answer from an alert's link (answers)
and the timeline export and photos (record)."""

from django.urls import path

from .views import actions, answers, confirm, console, inbound, incident, intake, record, stream

app_name = "response"

ORG = "staff/o/<slug:org>/"
INCIDENT = ORG + "incidents/<uuid:incident>/"

urlpatterns = [
    path("report/s/<str:site>/", intake.report_site, name="report_site"),
    path("report/s/<str:site>/thanks/", intake.report_site_thanks, name="report_site_thanks"),
    path("report/o/<slug:org>/", intake.report_org, name="report_org"),
    path("report/o/<slug:org>/thanks/", intake.report_org_thanks, name="report_org_thanks"),
    path("me/report/", intake.report_member, name="report_member"),
    path("me/report/thanks/", intake.report_member_thanks, name="report_member_thanks"),
    path(ORG + "reports/new/", intake.report_call, name="report_call"),
    path("inbound/sms/", inbound.inbound_sms, name="inbound_sms"),
    path("inbound/sms/status/", inbound.sms_status, name="inbound_sms_status"),
    path(ORG + "console/", console.console, name="console"),
    path("staff/dispatch/<slug:org>/", console.console_of, name="console_of"),
    path(ORG + "console/queue/", console.console_queue, name="console_queue"),
    path(ORG + "console/events/", stream.console_events, name="console_events"),
    path(INCIDENT, incident.incident_detail, name="incident"),
    path(INCIDENT + "live/", incident.incident_live, name="incident_live"),
    path(INCIDENT + "events/", stream.incident_events, name="incident_events"),
    path(INCIDENT + "confirm/", confirm.incident_confirm, name="incident_confirm"),
    path(
        INCIDENT + "reports/<uuid:report>/callback/",
        incident.report_callback,
        name="report_callback",
    ),
    *[
        path(
            INCIDENT + action.replace("_", "-") + "/",
            actions.incident_action,
            {"action": action},
            name=f"incident_{action}",
        )
        for action in actions.ACTIONS
    ],
    path("a/<str:token>/answer/", answers.answer, name="answer"),
    path(INCIDENT + "record/", record.incident_record, name="incident_record"),
    path(INCIDENT + "record.csv", record.incident_record_csv, name="incident_record_csv"),
    path(ORG + "photos/<str:photo>/", record.incident_photo, name="photo"),
]
