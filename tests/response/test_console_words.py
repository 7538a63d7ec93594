"""What the dispatcher's screens say: the split form names each report by its time and
words, and no label points at nothing (for="")."""

from django.urls import reverse

from tocsin.response.models import Incident

from .conftest import file_report


def test_each_report_to_split_off_is_named_by_its_time_and_words(org, site, dispatcher_client):
    file_report(org, site=site, activity="Two agents at the ambulance bay")
    file_report(org, site=site, activity="A white van parked by the ER doors")
    incident = Incident.objects.get()

    page = dispatcher_client.get(
        reverse("response:incident", kwargs={"org": org.slug, "incident": incident.public_id})
    ).content.decode()

    split = page.split("Reports to move to a new incident", 1)[1].split("</fieldset>", 1)[0]
    assert "report page: Two agents at the ambulance bay" in split
    assert "report page: A white van parked by the ER doors" in split


def test_no_label_on_the_call_form_points_at_nothing(org, dispatcher_client):
    page = dispatcher_client.get(reverse("response:report_call", kwargs={"org": org.slug}))

    assert page.status_code == 200
    assert 'for=""' not in page.content.decode()
    assert "<legend>Language of the caller</legend>" in page.content.decode()
