"""A hostile admin tries to become a member by importing their own phone for them.

A contact confirms by a code sent to it, so whoever holds the contact becomes its person.
An admin of any organization can name anyone already in Tocsin in a CSV row (by an email
they read on the members screen, or simply know): if the row could add the admin's own phone
to that person, the admin would ask for a member link on that phone, type the code, and
read the member's pages and act as them.
"""

from urllib.parse import parse_qs

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person
from tests.factories import csv_bytes
from tests.joining.conftest import CODE
from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import find_contact
from tocsin.imports.services.members import import_members
from tocsin.imports.views import PENDING_KEY

ATTACKERS_PHONE = "+1 612 555 0199"


def import_through_the_screen(client, org, rows):
    upload = reverse("imports:members_import", kwargs={"org": org.slug})
    preview = client.post(
        upload, {"file": SimpleUploadedFile("members.csv", csv_bytes(rows), "text/csv")}
    )
    confirm = reverse("imports:members_import_confirm", kwargs={"org": org.slug})
    client.post(confirm, {"token": client.session[PENDING_KEY][org.slug]})
    return preview


def ask_for_a_member_link_and_type_its_code(http_gateway, sent):
    thief = Client()
    with sent():
        thief.post(reverse("joining:member_link_request"), {"address": ATTACKERS_PHONE})
    texts = [parse_qs(request["body"].decode())["Body"][0] for request in http_gateway.requests]
    codes = [CODE.search(text).group(1) for text in texts if CODE.search(text)]
    for code in codes:
        thief.post(reverse("joining:member_code"), {"contact": "0", "code": code})
    return thief, codes


def test_an_admin_of_another_organization_cannot_import_their_phone_onto_a_member(
    org, other_org, site, outsider_client, http_gateway, settings, sent
):
    """Otto, admin of SEIU Local 26, knows a nurse's email; she confirmed it long ago."""
    settings.TOCSIN_SMS_URL = http_gateway.url
    nurse = make_person(org, name="Nadia Nurse", email="nadia@mna.test")

    preview = import_through_the_screen(
        outsider_client,
        other_org,
        [{"name": "Nadia Nurse", "email": "nadia@mna.test", "phone": ATTACKERS_PHONE}],
    )
    thief, codes = ask_for_a_member_link_and_type_its_code(http_gateway, sent)

    assert "Not added" in preview.content.decode()
    assert find_contact("sms", ATTACKERS_PHONE) is None
    assert list(nurse.contacts.values_list("channel", flat=True)) == ["email"]
    assert codes == []
    assert thief.get(reverse("joining:me")).status_code == 302


def test_the_command_line_import_says_which_contacts_it_left_out(org, other_org, capsys):
    make_person(org, name="Nadia Nurse", email="nadia@mna.test")
    from django.core.management import call_command

    path = f"{__import__('tempfile').mkdtemp()}/members.csv"
    with open(path, "wb") as file:
        file.write(csv_bytes([{"name": "N", "email": "nadia@mna.test", "phone": ATTACKERS_PHONE}]))

    call_command("import-members", path, org=other_org.slug)

    assert "row 2, phone: Not added" in capsys.readouterr().out
    assert find_contact("sms", ATTACKERS_PHONE) is None


def test_the_list_still_adds_a_phone_to_someone_only_this_organization_has_and_who_confirmed_nothing(
    org, site
):
    import_members(org, csv_bytes([{"name": "Rowan", "email": "rowan@mna.test"}]))

    report = import_members(
        org, csv_bytes([{"name": "Rowan", "email": "rowan@mna.test", "phone": "+16125550123"}])
    )

    assert (report.updated, report.kept) == (1, [])
    contact = find_contact("sms", "+16125550123")
    assert contact.person == find_contact("email", "rowan@mna.test").person
    assert not contact.confirmed
    assert ContactPoint.objects.count() == 2
