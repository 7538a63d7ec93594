"""Rapid response's URLs. Each views module keeps its own list: intake (public report
pages, a member's report, a phone call typed in), inbound (SMS webhook), console (the
dispatcher's queue, map and incident pages), answers (from the link in an alert) and
record (the timeline export and photos)."""

from .views import answers, console, inbound, intake, record

app_name = "response"
urlpatterns = [
    *intake.urlpatterns,
    *inbound.urlpatterns,
    *console.urlpatterns,
    *answers.urlpatterns,
    *record.urlpatterns,
]
