"""Reports come in from a site's or an organization's public page, a member's own page, or a
phone call typed in by a dispatcher; each lands with the right organization, or is refused
with the field named and nothing stored."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from tests.conftest import make_org, make_person, make_site, verified_client
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import ContactPoint, Site
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.joining.links import member_link_token
from tocsin.response.models import Incident, Photo, Report
from tocsin.response.services.reports import rate_key

from .conftest import LOCAL, file_report

WHAT = "Unmarked vans and agents in tactical vests at the ambulance bay"


def site_page(site, **query):
    url = reverse("response:report_site", kwargs={"site": site.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def report_data(**changes):
    data = {
        "activity": WHAT,
        "agents": "4",
        "vehicles": "2",
        "uniform": "",
        "equipment": "",
        "location": "",
        "lat": "",
        "lng": "",
        "seen": "0",
        "callback": "",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def jpeg_with_gps(size=(3000, 2000)) -> bytes:
    """A phone-sized JPEG whose EXIF says where it was taken and by which phone."""
    image = Image.new("RGB", size, (180, 40, 40))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Model] = "Nurse's phone 12"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (44.0, 58.0, 21.7)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (93.0, 15.0, 43.9)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def member_client(client, member):
    """Marisol, a member at Hennepin, signed in through her member link (she speaks Spanish)."""
    contact = add_contact(member, ContactPoint.Channel.EMAIL, "marisol@example.org", True)
    client.get(reverse("joining:member_link", kwargs={"token": member_link_token(contact)}))
    assert client.session[MEMBER_SESSION_KEY] == member.pk
    return client


# The public page of a site


def test_it_shows_the_site_report_page_with_what_do_you_see_first(client, site):
    response = client.get(site_page(site))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Hennepin County Medical Center" in text
    assert text.index('name="activity"') < text.index('name="agents"')
    assert 'type="file" name="photo" accept="image/*" capture' in text
    assert 'aria-hidden="true"' in text and 'tabindex="-1"' in text


def test_it_stores_a_report_from_the_site_page_with_its_site_and_no_hash_of_the_address(
    client, site
):
    response = client.post(site_page(site), report_data(callback="+1 612 555 0111"))

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.source == Report.Source.WEB
    assert report.organization == site.organizations.get()
    assert report.site == site
    assert (report.activity, report.agents, report.vehicles) == (WHAT, 4, 2)
    assert report.callback == "+1 612 555 0111"
    # The rate limit counts the address; the report keeps nothing that names it.
    assert rate_key(LOCAL) not in repr(Report.objects.filter(pk=report.pk).values().get())
    assert report.language == "en"
    assert report.incident.site == site


def test_it_thanks_the_reporter_without_showing_the_incident(client, site):
    file_report(site.organizations.get(), site=site, activity="Six agents at the north door")

    response = client.post(site_page(site), report_data(), follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "A dispatcher will check it" in text
    assert "Nothing is sent to members until it is verified" in text
    assert "Six agents at the north door" not in text
    assert WHAT not in text
    assert Report.objects.count() == 2


def test_it_takes_the_report_in_the_language_of_the_browser(client, site):
    client.post(site_page(site), report_data(), HTTP_ACCEPT_LANGUAGE="es")
    assert Report.objects.get().language == "es"


def test_it_dates_the_report_by_the_minutes_ago_chosen(client, site):
    client.post(site_page(site), report_data(seen="30"))
    report = Report.objects.get()
    minutes = (report.received_at - report.seen_at).total_seconds() / 60
    assert 29.9 < minutes < 30.1


def test_it_refuses_a_report_that_says_nothing_naming_what_do_you_see(client, site):
    response = client.post(site_page(site), report_data(activity="", agents="", vehicles=""))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["activity"]
    assert "Say what you see" in response.content.decode()
    assert not Report.objects.exists() and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"agents": "lots"}, "agents", "How many agents:"),
        ({"vehicles": "-1"}, "vehicles", "How many vehicles:"),
        ({"agents": "5000"}, "agents", "How many agents:"),
        ({"activity": "x" * 1001}, "activity", "What do you see?:"),
        ({"callback": "5" * 121}, "callback", "call you back"),
        ({"seen": "9999"}, "seen", "When did you see it?:"),
    ],
)
def test_it_names_a_bad_field_and_stores_nothing(client, site, changes, field, words):
    response = client.post(site_page(site), report_data(**changes))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert words in errors[field][0]
    assert not Report.objects.exists()


def test_it_refuses_a_file_that_is_not_a_photo_naming_the_photo(client, site):
    upload = SimpleUploadedFile("raid.jpg", b"this is not a picture", content_type="image/jpeg")

    response = client.post(site_page(site), {**report_data(), "photo": upload})

    assert response.status_code == 400
    assert "not a photo we can read" in response.context["form"].errors["photo"][0]
    assert not Report.objects.exists() and not Photo.objects.exists()


def test_it_refuses_a_photo_larger_than_the_limit(client, site, settings):
    photo = jpeg_with_gps()
    settings.TOCSIN_MAX_PHOTO_BYTES = len(photo) - 1
    upload = SimpleUploadedFile("raid.jpg", photo, content_type="image/jpeg")

    response = client.post(site_page(site), {**report_data(), "photo": upload})

    assert response.status_code == 400
    assert "The photo is too large" in response.context["form"].errors["photo"][0]
    assert not Report.objects.exists()


def test_it_stores_the_photo_re_encoded_without_where_it_was_taken(client, site):
    sent = jpeg_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    upload = SimpleUploadedFile("raid.jpg", sent, content_type="image/jpeg")

    response = client.post(site_page(site), {**report_data(), "photo": upload})

    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.report == Report.objects.get()
    stored = bytes(photo.image)
    assert b"Exif" not in stored and b"TestPhone" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert max(image.size) <= settings.TOCSIN_PHOTO_MAX_SIDE
        assert image.size == (photo.width, photo.height)


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_stored(client, site):
    response = client.post(site_page(site), report_data(website="http://cheap-pills.example"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "response:report_site_thanks", kwargs={"site": site.code}
    )
    assert not Report.objects.exists() and not Incident.objects.exists()


def test_too_many_reports_from_one_address_answer_429_and_keep_what_was_typed(
    client, site, settings
):
    settings.TOCSIN_REPORT_BURST = 1
    assert client.post(site_page(site), report_data()).status_code == 302

    response = client.post(site_page(site), report_data(activity="Second report: agents left"))

    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many reports from here in a short time" in text
    assert "Second report: agents left" in text
    assert Report.objects.count() == 1


def test_an_unknown_site_has_no_report_page(client, db):
    assert client.get(reverse("response:report_site", kwargs={"site": "nope"})).status_code == 404


def test_a_site_no_organization_is_present_at_has_no_report_page(client, db):
    lonely = Site.objects.create(kind=Site.Kind.CLINIC, name="Closed clinic", lat=44.9, lng=-93.2)
    assert client.get(site_page(lonely)).status_code == 404


# Which organization a shared site's report goes to (docs/decisions/0005-report-routing.md)


@pytest.fixture
def shared_site(site, other_org):
    """Hennepin, where the Minnesota Nurses Association and SEIU Local 26 both organize."""
    site.organizations.add(other_org)
    return site


def test_a_shared_site_report_goes_to_the_organization_the_link_names(
    client, shared_site, other_org
):
    response = client.post(site_page(shared_site, o=other_org.slug), report_data())

    assert response["Location"].endswith(f"?o={other_org.slug}")
    assert Report.objects.get().organization == other_org


def test_a_link_naming_an_organization_not_at_the_site_is_ignored(client, shared_site, org):
    make_org(slug="uaw", name="AAA UAW Local 879")

    client.post(site_page(shared_site, o="uaw"), report_data())

    assert Report.objects.get().organization == org


def test_a_shared_site_report_goes_to_the_first_organization_with_a_dispatcher(
    client, shared_site, other_org
):
    make_person(other_org, Role.DISPATCHER, email="dispatch@seiu.test", password="x horse 42")

    client.post(site_page(shared_site), report_data())

    assert Report.objects.get().organization == other_org


def test_with_no_dispatcher_anywhere_it_goes_to_the_first_organization_by_name(
    client, shared_site, org
):
    client.post(site_page(shared_site), report_data())
    assert Report.objects.get().organization == org  # Minnesota… before SEIU…


def test_a_former_dispatcher_does_not_draw_the_reports(client, shared_site, org, other_org):
    gone = make_person(other_org, Role.DISPATCHER, email="gone@seiu.test", password="x horse 42")
    gone.memberships.update(active=False)

    client.post(site_page(shared_site), report_data())

    assert Report.objects.get().organization == org


# The public page of an organization


def org_page(org):
    return reverse("response:report_org", kwargs={"org": org.slug})


def test_an_organization_page_offers_its_sites_and_a_map(client, org, site):
    text = client.get(org_page(org)).content.decode()
    assert f'<option value="{site.code}">Hennepin County Medical Center</option>' in text
    assert "data-pin" in text and 'name="lat"' in text and "response/report.js" in text


def test_an_organization_page_report_names_the_chosen_site(client, org, site):
    make_site(org, name="Abbott Northwestern", lat="44.952000", lng="-93.262000")

    client.post(org_page(org), report_data(site=site.code))

    report = Report.objects.get()
    assert (report.organization, report.site) == (org, site)


def test_an_organization_page_report_can_be_a_pin_on_the_map(client, org, site):
    client.post(org_page(org), report_data(site="", lat="44.980100", lng="-93.270200"))

    report = Report.objects.get()
    assert report.site is None
    assert (str(report.lat), str(report.lng)) == ("44.980100", "-93.270200")
    assert report.incident.located


def test_an_organization_page_report_can_say_where_in_words(client, org, site):
    client.post(org_page(org), report_data(site="", location="Lake Street Target, loading dock"))

    report = Report.objects.get()
    assert report.location == "Lake Street Target, loading dock"
    assert report.incident.where == "Lake Street Target, loading dock"


def test_a_pin_off_the_map_is_named_and_nothing_is_stored(client, org, site):
    response = client.post(org_page(org), report_data(lat="123", lng="-93.2"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["lat"]
    assert not Report.objects.exists()


def test_a_site_that_is_not_the_organizations_is_refused(client, org, site, other_org):
    theirs = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    response = client.post(org_page(org), report_data(site=theirs.code))

    assert response.status_code == 400
    assert "site" in response.context["form"].errors
    assert not Report.objects.exists()


# A member's report from their own page


def test_my_page_links_to_my_report(member_client):
    text = member_client.get(reverse("joining:me")).content.decode()
    assert reverse("response:report_member") in text


def test_my_report_page_has_my_site_chosen(member_client, site):
    text = member_client.get(reverse("response:report_member")).content.decode()
    assert f'<option value="{site.code}" selected>' in text


def test_a_member_report_carries_the_reporter_and_their_site(member_client, member, site):
    response = member_client.post(reverse("response:report_member"), report_data(site=site.code))

    assert response.status_code == 302
    assert response["Location"] == reverse("response:report_member_thanks")
    report = Report.objects.get()
    assert report.source == Report.Source.MEMBER
    assert (report.reporter, report.site) == (member, site)
    assert rate_key(str(member.public_id)) not in repr(
        Report.objects.filter(pk=report.pk).values().get()
    )
    assert report.language == "es"  # Marisol's own language


def test_a_member_sending_too_many_reports_is_held_back(member_client, site, settings):
    settings.TOCSIN_REPORT_BURST = 1
    url = reverse("response:report_member")
    member_client.post(url, report_data(site=site.code))

    response = member_client.post(url, report_data(site=site.code))

    assert response.status_code == 429
    assert Report.objects.count() == 1


def test_without_a_member_link_the_member_report_asks_for_one(client, db):
    response = client.get(reverse("response:report_member"))
    assert response.status_code == 302
    assert response["Location"] == reverse("joining:member_link_request")


# A phone call typed in by a dispatcher or a hotline volunteer


def call_page(org):
    return reverse("response:report_call", kwargs={"org": org.slug})


def test_a_dispatcher_types_in_a_call_and_lands_on_the_incident(
    dispatcher_client, dispatcher, org, site
):
    response = dispatcher_client.post(
        call_page(org),
        report_data(site=site.code, language="es", callback="+1 612 555 0142"),
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (f"/staff/o/{org.slug}/incidents/{report.incident.public_id}/")
    assert report.source == Report.Source.PHONE
    assert (report.entered_by, report.reporter) == (dispatcher, None)
    assert (report.site, report.language) == (site, "es")
    assert report.callback == "+1 612 555 0142"


def test_the_call_page_uses_the_staff_layout_and_asks_the_callers_language(dispatcher_client, org):
    response = dispatcher_client.get(call_page(org))

    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="org-nav"' in text
    assert 'name="language"' in text
    assert 'name="website"' not in text


def test_a_hotline_volunteer_types_in_calls_without_a_rate_limit(client, org, site, settings):
    settings.TOCSIN_REPORT_BURST = 1
    hotline = make_person(org, Role.HOTLINE, email="hotline@mna.test", password="hot horse 42")
    staff = verified_client(client, hotline)

    for _ in range(3):
        response = staff.post(call_page(org), report_data(site=site.code, language="en"))
        assert response.status_code == 302

    assert Report.objects.filter(entered_by=hotline).count() == 3
    # The volunteer sees no incidents: they come back to the call page, told it is saved.
    assert response["Location"] == call_page(org)
    assert "The dispatchers see it now" in staff.get(call_page(org)).content.decode()


def test_a_call_that_says_nothing_is_refused_naming_the_field(dispatcher_client, org):
    response = dispatcher_client.post(
        call_page(org), report_data(activity="", agents="", vehicles="", language="en")
    )

    assert response.status_code == 400
    assert "activity" in response.context["form"].errors
    assert not Report.objects.exists()


def test_an_outsider_gets_404_on_the_call_page(outsider_client, org):
    assert outsider_client.get(call_page(org)).status_code == 404
    assert outsider_client.post(call_page(org), report_data(language="en")).status_code == 404
    assert not Report.objects.exists()


def test_a_verifier_of_the_organization_gets_404_on_the_call_page(client, org):
    verifier = make_person(org, Role.VERIFIER, email="v@mna.test", password="ver horse 42")
    assert verified_client(client, verifier).get(call_page(org)).status_code == 404


# The poster


def test_the_site_poster_gives_the_report_page_address(client, site):
    response = client.get(reverse("joining:site_poster", kwargs={"site": site.code}))
    assert settings.TOCSIN_BASE_URL + site_page(site) in response.content.decode()
