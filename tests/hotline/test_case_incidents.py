"""A hotline volunteer opening a case is offered only incidents that dispatchers verified:
an unverified report is for dispatchers and verifiers alone. A dispatcher sees them all."""

import pytest

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.hotline.models import Case
from tocsin.response.models import Incident


@pytest.fixture
def raids(org, site):
    """A broadcast raid at Hennepin, one still being checked, and one nobody confirmed."""

    def incident(state, where):
        return Incident.objects.create(
            organization=org, site=site, lat=site.lat, lng=site.lng, where=where, state=state
        )

    return {
        "confirmed": incident(Incident.State.CONFIRMED, "Hennepin ambulance bay"),
        "new": incident(Incident.State.NEW, "Rumour at the laundry door"),
        "verifying": incident(Incident.State.VERIFYING, "Vans by the parking garage"),
        "retracted": incident(Incident.State.DISMISSED, "A delivery truck, not agents"),
    }


def test_a_hotline_volunteer_is_offered_only_verified_incidents(hotline_client, org, raids):
    page = hotline_client.get(f"/staff/o/{org.slug}/cases/new/").content.decode()

    assert str(raids["confirmed"].public_id) in page and "Hennepin ambulance bay" in page
    for unverified in ("new", "verifying", "retracted"):
        assert str(raids[unverified].public_id) not in page
        assert raids[unverified].where not in page


def test_a_hotline_volunteer_cannot_name_an_unverified_incident(hotline_client, org, raids):
    response = hotline_client.post(
        f"/staff/o/{org.slug}/cases/new/",
        {
            "who": "other",
            "name": "Miguel",
            "agency": "ice",
            "incident": str(raids["new"].public_id),
        },
    )

    assert response.status_code == 400
    assert "incident" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_dispatcher_is_offered_the_unverified_ones_too(client, org, raids):
    dispatcher = make_person(
        org, Role.DISPATCHER, email="d@mna.test", password="dispatch horse 42", name="Dana"
    )
    page = verified_client(client, dispatcher).get(f"/staff/o/{org.slug}/cases/new/")

    html = page.content.decode()
    assert str(raids["new"].public_id) in html and str(raids["confirmed"].public_id) in html
