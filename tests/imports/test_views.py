import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import arabic_indic, full_width
from tests.factories import csv_bytes, nurses
from tocsin.accounts.models import Membership, Person
from tocsin.imports import pending
from tocsin.imports.views import PENDING_KEY


def import_url(org):
    return reverse("imports:members_import", kwargs={"org": org.slug})


def upload(client, org, data, name="members.csv"):
    return client.post(import_url(org), {"file": SimpleUploadedFile(name, data, "text/csv")})


def confirm(client, org):
    """Confirm the upload checked last, as its page's button does."""
    return client.post(
        reverse("imports:members_import_confirm", kwargs={"org": org.slug}),
        {"token": client.session[PENDING_KEY][org.slug]},
        follow=True,
    )


def members_page(client, org) -> str:
    return client.get(f"/staff/o/{org.slug}/members/").content.decode()


def test_it_shows_the_upload_form_to_an_admin(admin_client, org):
    response = admin_client.get(import_url(org))

    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b"name, email, phone, signal, language, site, unit, roles" in response.content


def test_it_sends_an_anonymous_visitor_to_sign_in(client, org):
    response = client.get(import_url(org))

    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]


def test_it_hides_the_import_from_an_admin_of_another_organization(outsider_client, org):
    assert outsider_client.get(import_url(org)).status_code == 404
    data = csv_bytes(nurses(1))
    assert upload(outsider_client, org, data).status_code == 404
    template = reverse("imports:members_import_template", kwargs={"org": org.slug})
    assert outsider_client.get(template).status_code == 404
    confirm = reverse("imports:members_import_confirm", kwargs={"org": org.slug})
    assert outsider_client.post(confirm).status_code == 404
    assert Person.objects.filter(display_name__startswith="Nurse").count() == 0


def test_it_hides_the_import_from_a_member_without_the_admin_role(client, org, member):
    client.force_login(member)

    assert client.get(import_url(org)).status_code == 404


def test_it_offers_a_template_with_the_header_row(admin_client, org):
    response = admin_client.get(
        reverse("imports:members_import_template", kwargs={"org": org.slug})
    )

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig") == (
        "name,email,phone,signal,language,site,unit,roles\r\n"
    )


def test_it_previews_then_imports_on_confirmation(admin_client, org, site):
    response = upload(admin_client, org, csv_bytes(nurses(3)))

    assert response.status_code == 200
    assert b"Import 3 people" in response.content
    assert Person.objects.filter(display_name__startswith="Nurse").count() == 0
    token = admin_client.session[PENDING_KEY][org.slug]
    assert b"rowan" not in (pending._folder() / f"{token}.csv.enc").read_bytes()

    confirm = reverse("imports:members_import_confirm", kwargs={"org": org.slug})
    response = admin_client.post(confirm, {"token": token}, follow=True)

    assert response.redirect_chain[-1][0].endswith("/members/import/done/")
    assert b"3 new, 0 updated, 0 unchanged" in response.content
    assert Membership.objects.filter(organization=org).count() == 4  # with the admin
    assert pending.load(token) is None
    assert org.slug not in admin_client.session[PENDING_KEY]


def test_it_refuses_a_confirmation_without_the_checked_upload(admin_client, org, site):
    upload(admin_client, org, csv_bytes(nurses(1)))
    confirm = reverse("imports:members_import_confirm", kwargs={"org": org.slug})

    response = admin_client.post(confirm, {"token": "someone-elses-token-xyz"}, follow=True)

    assert b"upload the file again" in response.content
    assert not Person.objects.filter(display_name__startswith="Nurse").exists()


def test_it_shows_each_bad_row_and_imports_nothing(admin_client, org, site):
    rows = nurses(3)
    rows[1]["site"] = "Kaiser Oakland"

    response = upload(admin_client, org, csv_bytes(rows))

    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "<td>3</td><td><code>site</code></td>" in content
    assert "“Kaiser Oakland” is not a site of Minnesota Nurses Association." in content
    assert PENDING_KEY not in admin_client.session
    assert not Person.objects.filter(display_name__startswith="Nurse").exists()


def test_it_shows_the_reasons_in_spanish(admin_client, org, admin, site):
    admin.language = "es"
    admin.save()
    rows = nurses(2)
    rows[1]["language"] = "fr"

    response = upload(admin_client, org, csv_bytes(rows), name="miembros.csv")

    content = response.content.decode()
    assert "No se importó nada" in content
    assert "escriba uno de estos: en, es, so" in content


def test_it_explains_a_file_that_is_not_utf8(admin_client, org):
    data = csv_bytes([{"name": "Nurse Peña", "email": "pena@nurses.test"}], encoding="cp1252")

    response = upload(admin_client, org, data)

    assert response.status_code == 200
    assert "The file is not UTF-8; save it as “CSV UTF-8”" in response.content.decode()


def test_it_names_wrong_columns(admin_client, org):
    response = upload(admin_client, org, csv_bytes([], header=["nombre", "correo"]))

    assert "Unknown columns: nombre, correo" in response.content.decode()


def test_it_refuses_an_oversized_upload_without_keeping_it(admin_client, org, settings):
    settings.TOCSIN_MAX_CSV_BYTES = 2000

    response = upload(admin_client, org, csv_bytes(nurses(200)))

    assert response.status_code == 200
    assert "The file is larger than" in response.content.decode()
    assert not Person.objects.filter(display_name__startswith="Nurse").exists()


def test_it_asks_for_a_file_when_none_is_sent(admin_client, org):
    response = admin_client.post(import_url(org), {})

    assert "Choose a CSV file to import." in response.content.decode()


def test_it_refuses_an_upload_without_the_csrf_token(admin, org, site):
    from django.test import Client

    from tests.conftest import verified_client

    client = verified_client(Client(enforce_csrf_checks=True), admin)

    response = upload(client, org, csv_bytes(nurses(1)))

    assert response.status_code == 403


def test_it_names_the_row_and_column_of_a_nul_and_imports_nothing(admin_client, org, site):
    rows = nurses(3)
    rows[1]["name"] = "Nurse\x00Rowan"

    response = upload(admin_client, org, csv_bytes(rows))
    confirmed = admin_client.post(
        reverse("imports:members_import_confirm", kwargs={"org": org.slug}), follow=True
    )

    content = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in content
    assert "<td>3</td><td><code>name</code></td>" in content
    assert "This cell holds a NUL character; remove it and try again." in content
    assert PENDING_KEY not in admin_client.session
    assert b"upload the file again" in confirmed.content
    assert "Nurse Rowan" not in members_page(admin_client, org)


def test_it_refuses_a_file_of_column_names_only(admin_client, org, site):
    response = upload(admin_client, org, csv_bytes([]))

    content = response.content.decode()
    assert response.status_code == 200
    assert (
        "The file has only its column names and no members; add a row for each member." in content
    )
    assert PENDING_KEY not in admin_client.session


def test_it_says_in_spanish_that_a_file_has_no_members(admin_client, org, admin):
    admin.language = "es"
    admin.save()

    response = upload(admin_client, org, csv_bytes([["", "", ""]]), name="miembros.csv")

    assert "El archivo solo tiene los nombres de las columnas" in response.content.decode()


@pytest.mark.parametrize("typed", [full_width("+1 612 555 0100"), arabic_indic("+1 612 555 0100")])
def test_a_number_in_other_digits_finds_the_member_imported_before(admin_client, org, typed):
    header = ["name", "phone"]
    upload(admin_client, org, csv_bytes([["Nurse Rowan", "+1 612 555 0100"]], header=header))
    assert b"1 new, 0 updated, 0 unchanged" in confirm(admin_client, org).content

    response = upload(admin_client, org, csv_bytes([["Nurse Rowan", typed]], header=header))

    assert "Everyone in this file is already up to date" in response.content.decode()
    assert members_page(admin_client, org).count("Nurse Rowan") == 1


def test_a_nine_digit_number_is_refused_naming_row_and_column(admin_client, org):
    data = csv_bytes([["Nurse Rowan", "612 555 010"]], header=["name", "phone"])

    content = upload(admin_client, org, data).content.decode()

    assert "<td>2</td><td><code>phone</code></td>" in content
    assert "“612 555 010” has too few digits to be a phone number." in content
    assert "Nurse Rowan" not in members_page(admin_client, org)
