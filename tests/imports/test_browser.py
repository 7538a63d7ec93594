import pytest

from tests.conftest import sign_in_browser
from tests.factories import csv_bytes
from tocsin.accounts.models import Membership

MEMBERS = [
    {
        "name": "Ximena Arroyo",
        "email": "ximena@nurses.test",
        "site": "Hennepin County Medical Center",
    },
    {"name": "Tomasz Wren", "phone": "612-555-0142", "site": "Hennepin County Medical Centre"},
    {"name": "Odalys Fenn", "signal": "+1 612 555 0177", "language": "es", "roles": "responder"},
]


def as_upload(rows):
    return {"name": "members.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_the_bad_row_then_imports_the_fixed_file(phone, live_server, org, site, admin):
    sign_in_browser(phone, live_server, admin)
    phone.goto(f"{live_server.url}/staff/o/{org.slug}/members/import/")

    phone.set_input_files("input[type=file]", as_upload(MEMBERS))
    phone.get_by_role("button", name="Check the file").click()

    phone.get_by_role("heading", name="Nothing was imported").wait_for()
    cells = phone.locator("table.import-errors tbody tr").first.locator("td").all_inner_texts()
    assert cells[:2] == ["3", "site"]
    assert "is not a site of Minnesota Nurses Association" in cells[2]
    assert Membership.objects.filter(organization=org).count() == 1

    fixed = [dict(row) for row in MEMBERS]
    fixed[1]["site"] = "Hennepin County Medical Center"
    phone.set_input_files("input[type=file]", as_upload(fixed))
    phone.get_by_role("button", name="Check the file").click()
    phone.get_by_role("button", name="Import 3 people").click()

    phone.get_by_role("heading", name="Members imported").wait_for()
    assert "3 new, 0 updated, 0 unchanged." in phone.get_by_role("status").last.inner_text()
    assert Membership.objects.filter(organization=org, site=site).count() == 2
