"""A member's event pages: who sees which event, the address kept until they RSVP, the
waitlist, a proposal, the QR's check-in page, and the link in an event message."""

import pytest
from django.urls import reverse

from tests.conftest import YEAR, make_person, member_client
from tocsin.accounts.roles import Role
from tocsin.campaigns.models import Event, Rsvp
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import rsvps

from .conftest import doors_open, vigil_input

ADDRESS = "Kaiser Oakland, 3600 Broadway, Oakland, CA"


def event_page(vigil):
    return reverse("campaigns:my_event", kwargs={"event": vigil.code})


def test_the_address_appears_once_she_rsvps(client, vigil, shift, nurse):
    member_client(client, nurse)

    before = client.get(event_page(vigil)).content.decode()
    client.post(event_page(vigil), {"do": "rsvp", "shift": shift.code})
    after = client.get(event_page(vigil)).content.decode()

    assert ADDRESS not in before and "La dirección se muestra" in before
    assert ADDRESS in after and "Vas a ir." in after


def test_a_full_shift_says_so_and_offers_the_waitlist(client, vigil, shift, nurse, nnu, oakland):
    for name in ("Ana", "Bea"):
        rsvps.answer(make_person(nnu, name=name, site=oakland), vigil, shift)
    member_client(client, nurse)

    page = client.get(event_page(vigil)).content.decode()
    response = client.post(event_page(vigil), {"do": "rsvp", "shift": shift.code}, follow=True)

    assert "Lleno: puedes apuntarte a la lista de espera" in page
    assert "Estás en la lista de espera" in response.content.decode()
    assert Rsvp.objects.get(person=nurse).status == "waitlisted"


def test_she_can_cancel_her_rsvp(client, vigil, nurse):
    rsvps.answer(nurse, vigil)
    member_client(client, nurse)

    client.post(event_page(vigil), {"do": "cancel"})

    assert Rsvp.objects.get(person=nurse).status == "cancelled"
    assert "Voy a ir" in client.get(event_page(vigil)).content.decode()


def test_a_shift_code_of_nothing_is_named_and_stores_nothing(client, vigil, nurse):
    member_client(client, nurse)

    response = client.post(event_page(vigil), {"do": "rsvp", "shift": "nosuchshift"})

    assert response.status_code == 400
    assert "Elige uno de los turnos de este evento." in response.content.decode()
    assert not Rsvp.objects.exists()


def test_her_list_shows_the_events_of_her_organizations_only(
    client, vigil, nurse, org, organizer, oakland, nnu
):
    from tocsin.accounts.models import Site

    hcmc = Site.objects.create(kind="hospital", name="HCMC", lat="44.9727", lng="-93.2622")
    hcmc.organizations.add(org)
    theirs = event_services.create_event(
        None, org, vigil_input(hcmc, title="MNA vigil", visibility="public")
    )
    member_client(client, nurse)

    listed = client.get(reverse("campaigns:my_events")).content.decode()

    assert "Vigil at Kaiser Oakland" in listed and "MNA vigil" not in listed
    # A public event of another organization still opens from its link.
    assert client.get(event_page(theirs)).status_code == 200


@pytest.mark.parametrize("visibility", ["members", "organization"])
def test_a_member_of_another_organization_gets_404(client, vigil, org, visibility):
    Event.objects.filter(pk=vigil.pk).update(visibility=visibility)
    member_client(client, make_person(org, name="Marta"))

    assert client.get(event_page(vigil)).status_code == 404


def test_members_of_a_promoting_organization_see_a_members_event(client, vigil, org, nnu):
    from tocsin.campaigns.models import Campaign

    campaign = Campaign.objects.create(
        organization=nnu, name="Week", starts_on=f"{YEAR}-01-26", ends_on=f"{YEAR}-02-04"
    )
    campaign.participants.add(org)
    Event.objects.filter(pk=vigil.pk).update(campaign=campaign)
    org_organizer = make_person(org, Role.ORGANIZER, email="o@mna.test", password="x horse 42")
    event_services.promote_event(org_organizer, org, vigil)
    Event.objects.filter(pk=vigil.pk).update(campaign=None)
    member_client(client, make_person(org, name="Marta"))

    assert client.get(event_page(vigil)).status_code == 200


def test_an_organization_only_event_is_not_for_the_campaigns_other_members(client, vigil, org, nnu):
    from tocsin.campaigns.models import Campaign

    campaign = Campaign.objects.create(
        organization=nnu, name="Week", starts_on=f"{YEAR}-01-26", ends_on=f"{YEAR}-02-04"
    )
    campaign.participants.add(org)
    Event.objects.filter(pk=vigil.pk).update(campaign=campaign, visibility="organization")
    member_client(client, make_person(org, name="Marta"))

    assert client.get(event_page(vigil)).status_code == 404


def test_the_qr_checks_her_in_with_one_tap(client, vigil, nurse):
    member_client(client, nurse)
    doors_open(vigil)
    url = reverse(
        "campaigns:check_in", kwargs={"event": vigil.code, "secret": vigil.check_in_secret}
    )

    shown = client.get(url)
    done = client.post(url)

    assert "Ya llegué: registrar mi llegada" in shown.content.decode()
    assert "Tu llegada está registrada." in done.content.decode()
    rsvp = Rsvp.objects.get(person=nurse)
    assert rsvp.checked_in_at is not None and rsvp.walk_in


def test_a_wrong_check_in_code_is_a_clear_404(client, vigil, nurse):
    member_client(client, nurse)
    url = reverse("campaigns:check_in", kwargs={"event": vigil.code, "secret": "not-it"})

    response = client.post(url)

    assert response.status_code == 404
    assert "Este código de llegada no funciona" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_a_member_proposes_an_event_and_only_she_sees_it(client, nurse, nnu, oakland, organizer):
    member_client(client, nurse)

    response = client.post(
        reverse("campaigns:propose"),
        {
            "organization": nnu.slug,
            "kind": "picket",
            "title": "Informational picket",
            "site": oakland.code,
            "starts_at": f"{YEAR}-01-27T07:00",
            "ends_at": f"{YEAR}-01-27T09:00",
            "time_zone": "America/Los_Angeles",
            "visibility": "members",
        },
    )

    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.state, event.proposed_by) == ("proposed", nurse)
    assert client.get(event_page(event)).status_code == 200
    other = make_person(nnu, name="Ana", site=oakland)
    client.logout()
    member_client(client, other)
    assert client.get(event_page(event)).status_code == 404


def test_a_proposal_with_bad_times_names_the_fields_and_stores_nothing(client, nurse, nnu):
    member_client(client, nurse)

    response = client.post(
        reverse("campaigns:propose"),
        {
            "organization": nnu.slug,
            "kind": "rally",
            "title": "Rally",
            "address": "Frank Ogawa Plaza, Oakland",
            "starts_at": f"{YEAR}-01-27T09:00",
            "ends_at": f"{YEAR}-01-27T07:00",
            "time_zone": "America/Los_Angeles",
            "visibility": "public",
        },
    )

    assert response.status_code == 400
    assert "Tiene que terminar después de empezar." in response.content.decode()
    assert not Event.objects.exists()


def test_the_public_page_shows_no_one_and_keeps_the_address(client, vigil, nurse):
    Event.objects.filter(pk=vigil.pk).update(visibility="public")
    rsvps.answer(nurse, vigil)

    page = client.get(reverse("campaigns:event_public", kwargs={"event": vigil.code}))

    text = page.content.decode()
    assert page.status_code == 200 and "Vigil at Kaiser Oakland" in text
    assert "Rosa" not in text and "3600 Broadway" not in text


def test_a_members_event_has_no_public_page(client, vigil):
    assert (
        client.get(reverse("campaigns:event_public", kwargs={"event": vigil.code})).status_code
        == 404
    )
