import time

import pytest
from django.db import connection
from django.utils import translation

from tests.conftest import make_org, make_person, make_site
from tests.factories import csv_bytes, nurses
from tocsin.accounts.models import ContactPoint, Membership, Person
from tocsin.accounts.roles import ROLE_LABELS, Role
from tocsin.accounts.services.people import find_contact, find_person_by_login
from tocsin.audit.models import AuditEntry
from tocsin.imports.services.files import CsvFileError
from tocsin.imports.services.members import check_members_csv, import_members


def errors_of(report):
    return [(error.row, error.column) for error in report.errors]


def test_it_imports_every_row_with_contacts_encrypted_and_unconfirmed(org, site, unit, admin):
    rows = nurses(3, unit="HCMC registered nurses", roles="member; responder", language="es")
    rows[0]["signal"] = "+1 (612) 555-9000"

    report = import_members(org, csv_bytes(rows), actor=admin)

    assert report.imported
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    person = find_contact("email", "ROWAN0@nurses.test").person
    assert person.display_name == "Nurse Rowan 00000"
    assert person.language == "es"
    membership = Membership.objects.get(person=person, organization=org)
    assert Role(membership.roles) == Role.MEMBER | Role.RESPONDER
    assert (membership.site, membership.unit) == (site, unit)
    contacts = list(person.contacts.order_by("preference"))
    assert [c.channel for c in contacts] == ["signal", "sms", "email"]
    assert [c.address for c in contacts] == ["+16125559000", "+16125550000", "rowan0@nurses.test"]
    assert not any(c.confirmed for c in contacts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM accounts_contactpoint")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "rowan" not in stored
    assert "555" not in stored


def test_it_records_one_audit_entry_with_counts_only(org, site, admin):
    import_members(org, csv_bytes(nurses(2)), actor=admin)

    entry = AuditEntry.objects.get(action="imports.members.imported")
    assert entry.organization == org
    assert entry.actor == admin
    assert entry.detail == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert "rowan" not in str(entry.detail).lower()


def test_it_changes_nothing_when_the_same_file_is_imported_again(org, site):
    data = csv_bytes(nurses(4, roles="responder"))
    import_members(org, data)
    counts = (Person.objects.count(), ContactPoint.objects.count(), Membership.objects.count())

    report = import_members(org, data)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert report.summary() == "0 new, 0 updated, 4 unchanged"
    assert (
        Person.objects.count(),
        ContactPoint.objects.count(),
        Membership.objects.count(),
    ) == counts


def test_it_updates_a_changed_row_and_finds_the_person_by_any_contact(org, site, unit):
    import_members(org, csv_bytes(nurses(2)))
    changed = nurses(2)
    changed[0].update(email="", name="Rowan Renamed", unit="HCMC registered nurses")
    changed[1].update(phone="", signal="+1 612 555 7777", roles="organizer")

    report = import_members(org, csv_bytes(changed))

    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    first = find_contact("sms", "+16125550000").person
    assert first.display_name == "Rowan Renamed"
    assert Membership.objects.get(person=first).unit == unit
    second = find_contact("email", "rowan1@nurses.test").person
    assert find_contact("signal", "+16125557777").person == second
    assert Membership.objects.get(person=second).has(Role.ORGANIZER)
    assert Person.objects.count() == 2


def test_it_keeps_what_a_blank_cell_does_not_say(org, site):
    import_members(org, csv_bytes(nurses(1, roles="dispatcher", language="es")))

    report = import_members(org, csv_bytes(nurses(1, site="")))

    assert report.unchanged == 1
    membership = Membership.objects.get()
    assert membership.has(Role.DISPATCHER)
    assert membership.site == site
    assert membership.person.language == "es"


def test_it_gives_blank_language_the_organizations_default(org, site):
    org.default_language = "es"
    org.save()

    import_members(org, csv_bytes(nurses(1)))

    assert Person.objects.get().language == "es"


@pytest.mark.parametrize(
    ("written", "language"),
    [("so", "so"), ("Somali", "so"), ("Soomaali", "so"), ("Español", "es"), ("inglés", "en")],
)
def test_it_reads_a_language_by_its_code_or_its_name(org, site, written, language):
    import_members(org, csv_bytes(nurses(1, language=written)))

    assert Person.objects.get().language == language


def test_it_adds_a_member_of_another_organization_without_renaming_them(org, other_org, site):
    elsewhere = make_person(other_org, name="Otto Elsewhere", email="otto@seiu.test")

    report = import_members(
        org, csv_bytes([{"name": "Renamed By MNA", "email": "otto@seiu.test", "language": "es"}])
    )

    assert report.created == 1
    elsewhere.refresh_from_db()
    assert elsewhere.display_name == "Otto Elsewhere"
    assert elsewhere.language == "en"
    assert Membership.objects.filter(person=elsewhere, organization=org).exists()


def test_it_writes_nothing_when_one_row_is_bad_and_names_row_column_and_reason(org, site):
    rows = nurses(3)
    rows[1]["email"] = "not-an-email"

    report = import_members(org, csv_bytes(rows))

    assert not report.imported
    assert errors_of(report) == [(3, "email")]
    assert "not-an-email" in report.errors[0].reason
    assert "is not an email address" in report.errors[0].reason
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action="imports.members.imported").exists()


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"phone": "12"}, "phone", "has too few digits to be a phone number"),
        ({"phone": "612555010"}, "phone", "has too few digits to be a phone number"),
        ({"signal": "call me"}, "signal", "is not a phone number"),
        ({"site": "Minneapolis VA Medical Center"}, "site", "is not a site of"),
        ({"unit": "Night shift"}, "unit", "is not a unit of"),
        ({"roles": "member; overlord"}, "roles", "Unknown role: overlord"),
        ({"language": "fr"}, "language", "write one of en, es, so"),
        ({"name": ""}, "name", "A name or alias is required"),
        ({"name": "x" * 121}, "name", "longer than 120"),
        ({"email": "", "phone": ""}, "email / phone / signal", "needs an email, a phone"),
    ],
)
def test_it_refuses_a_bad_cell(org, site, cells, column, reason):
    make_site(make_org(slug="other", name="Other"), name="Minneapolis VA Medical Center")
    rows = nurses(2)
    rows[1].update(cells)

    report = import_members(org, csv_bytes(rows))

    assert errors_of(report) == [(3, column)]
    assert reason in report.errors[0].reason
    assert Person.objects.count() == 0


def test_it_finds_sites_by_name_or_code_and_roles_in_either_language(org, site):
    with translation.override("es"):
        spanish = str(ROLE_LABELS[Role.LEGAL_OBSERVER]).upper()
    rows = nurses(2, roles=f"{spanish} | dispatcher")
    rows[0]["site"] = site.code
    rows[1]["site"] = "hennepin county  medical center"

    report = import_members(org, csv_bytes(rows))

    assert report.imported
    for membership in Membership.objects.all():
        assert membership.site == site
        assert Role(membership.roles) == Role.MEMBER | Role.LEGAL_OBSERVER | Role.DISPATCHER


def test_it_refuses_a_contact_that_appears_twice_in_the_file(org, site):
    rows = nurses(3)
    rows[2]["phone"] = "(612) 555-0000"

    report = import_members(org, csv_bytes(rows))

    assert errors_of(report) == [(4, "phone")]
    assert "row 2" in report.errors[0].reason


def test_it_refuses_a_contact_owned_by_someone_outside_the_file(org, site):
    make_person(org, name="Already Here", email="here@nurses.test")
    rows = nurses(1)
    rows[0]["email"] = "here@nurses.test"
    rows[0]["signal"] = "+1 612 555 0100"
    make_person(org, name="Signal Owner").contacts.create(
        channel="signal", address="+16125550100", address_index=_index("signal", "+16125550100")
    )

    report = import_members(org, csv_bytes(rows))

    assert errors_of(report) == [(2, "signal")]
    assert "already belongs to another person" in report.errors[0].reason
    assert Person.objects.count() == 2


def test_it_refuses_two_rows_that_are_one_person_already_in_tocsin(org, site):
    import_members(org, csv_bytes(nurses(1)))
    rows = [
        {"name": "By email", "email": "rowan0@nurses.test"},
        {"name": "By phone", "phone": "+16125550000"},
    ]

    report = import_members(org, csv_bytes(rows))

    assert errors_of(report) == [(3, "phone")]
    assert "same person as row 2" in report.errors[0].reason


def test_it_refuses_to_remove_the_acting_admins_own_admin_role(org, site, admin):
    rows = [{"name": "Ada Admin", "email": "admin@mna.test", "roles": "organizer"}]

    report = import_members(org, csv_bytes(rows), actor=admin)

    assert errors_of(report) == [(2, "roles")]
    assert Membership.objects.get(person=admin).has(Role.ADMIN)


def test_it_lists_every_bad_row_in_order(org, site):
    rows = nurses(5)
    rows[0]["email"] = "bad"
    rows[3]["site"] = "Nowhere"
    rows[3]["roles"] = "boss"

    report = check_members_csv(org, csv_bytes(rows))

    assert errors_of(report) == [(2, "email"), (5, "site"), (5, "roles")]


def test_it_accepts_any_column_order_and_only_the_needed_columns(org, site):
    data = csv_bytes([["+16125550001", "Nurse Ines"]], header=["phone", "Name"])

    report = import_members(org, data)

    assert report.created == 1
    assert find_contact("sms", "+16125550001").person.display_name == "Nurse Ines"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["name", "email", "birthday"], "Unknown columns: birthday"),
        (["email", "phone"], "Missing columns: name"),
        (["name", "site"], "Missing columns: at least one of email, phone, signal"),
        (["name", "email", "email"], "Columns named more than once: email"),
    ],
)
def test_it_refuses_wrong_columns_naming_them(org, header, message):
    with pytest.raises(CsvFileError) as refused:
        import_members(org, csv_bytes([], header=header))

    assert message in str(refused.value)


def test_it_refuses_an_empty_file(org):
    with pytest.raises(CsvFileError, match="The file is empty"):
        import_members(org, b"")


def test_it_refuses_a_file_that_is_not_utf8(org, site):
    data = csv_bytes([{"name": "Nurse Peña", "email": "pena@nurses.test"}], encoding="cp1252")

    with pytest.raises(CsvFileError, match="not UTF-8; save it as “CSV UTF-8”"):
        import_members(org, data)
    assert Person.objects.count() == 0


def test_it_reads_utf8_with_a_byte_order_mark_and_semicolons(org, site):
    data = "\ufeff".encode() + csv_bytes(
        [{"name": "Nurse Peña", "email": "pena@nurses.test"}], delimiter=";"
    )

    report = import_members(org, data)

    assert report.created == 1
    assert Person.objects.get().display_name == "Nurse Peña"


def test_it_refuses_a_file_over_the_size_limit(org, settings):
    settings.TOCSIN_MAX_CSV_BYTES = 1000

    with pytest.raises(CsvFileError, match="larger than"):
        import_members(org, csv_bytes(nurses(30)))


def test_it_refuses_100000_rows_quickly(org, site):
    data = csv_bytes([[f"N{n}", f"n{n}@x.test"] for n in range(100_000)], header=["name", "email"])
    assert len(data) < 5 * 1024 * 1024

    started = time.monotonic()
    with pytest.raises(CsvFileError, match="more than 20000 rows"):
        import_members(org, data)

    assert time.monotonic() - started < 2
    assert Person.objects.count() == 0


def test_it_reports_a_row_with_cells_past_the_header(org, site):
    data = csv_bytes([["Nurse Ines", "ines@nurses.test", "surprise"]], header=["name", "email"])

    report = import_members(org, data)

    assert errors_of(report) == [(2, "name")]


def test_it_checks_without_writing_on_a_dry_run(org, site):
    report = import_members(org, csv_bytes(nurses(3)), dry_run=True)

    assert (report.created, report.imported) == (3, False)
    assert Person.objects.count() == 0


def test_it_lets_an_imported_dispatcher_sign_in_with_their_email(org, site):
    import_members(org, csv_bytes(nurses(3)))

    import_members(org, csv_bytes(nurses(1, roles="dispatcher") + nurses(2, start=1)))
    import_members(org, csv_bytes(nurses(1, start=3, roles="organizer")))

    assert find_person_by_login("rowan0@nurses.test").display_name == "Nurse Rowan 00000"
    assert find_person_by_login("rowan1@nurses.test") is None
    assert find_person_by_login("rowan3@nurses.test").display_name == "Nurse Rowan 00003"


def test_it_imports_a_large_list_once_and_recognises_it_again(org, site):
    data = csv_bytes(nurses(1000, roles="member"))

    report = import_members(org, data)
    again = import_members(org, data)

    assert report.created == 1000
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1000)
    assert ContactPoint.objects.count() == 2000


def _index(channel, address):
    from tocsin.accounts.services.people import contact_index_for

    return contact_index_for(channel, address)[1]
