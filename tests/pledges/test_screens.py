"""The organizer's pledge screens and the member's own pledge page."""

from django.urls import reverse

from tests.conftest import make_person, member_client
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing

from .conftest import ACTION, form, pledge_input


def test_an_organizer_creates_a_pledge_for_the_unit(
    organizer_client, atu, operators_unit, operators
):
    response = organizer_client.post(
        reverse("pledges:pledge_new", kwargs={"org": atu.slug}), form(operators_unit)
    )
    pledge = Pledge.objects.get()
    assert response.status_code == 302 and pledge.code in response["Location"]
    assert pledge.action == ACTION and list(pledge.units.all()) == [operators_unit]
    assert pledge.threshold_value == 60 and pledge.state == Pledge.State.OPEN
    assert AuditEntry.objects.filter(action="pledges.pledge.created").count() == 1


def test_a_bad_pledge_names_each_field_and_stores_nothing(organizer_client, atu, operators_unit):
    response = organizer_client.post(
        reverse("pledges:pledge_new", kwargs={"org": atu.slug}),
        form(
            operators_unit,
            action="",
            threshold_value="160",
            deadline="2020-01-01T09:00",
            scope="units_each",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "action" in errors
    assert Pledge.objects.count() == 0
    response = organizer_client.post(
        reverse("pledges:pledge_new", kwargs={"org": atu.slug}),
        form(
            operators_unit, threshold_value="160", deadline="2020-01-01T09:00", scope="units_each"
        ),
    )
    errors = response.context["form"].errors
    assert errors["threshold_value"] == ["A percentage is at most 100."]
    assert errors["deadline"] == ["The deadline must be in the future."]
    assert errors["units"] == ["Choose two units or more."]
    assert Pledge.objects.count() == 0


def test_the_organizer_sees_a_bucket_never_a_count_or_a_name(
    organizer_client, atu, pledge, operators
):
    for person in operators[:5]:
        signing.sign(person, pledge)
    page = organizer_client.get(
        reverse("pledges:pledge", kwargs={"org": atu.slug, "pledge": pledge.code})
    ).content.decode()
    assert "halfway to three quarters" in page
    assert 'data-bucket="50_75"' in page
    for person in operators:
        assert person.display_name not in page
    assert "5 of" not in page and ">5<" not in page


def test_a_unit_smaller_than_the_minimum_shows_no_progress_at_all(
    organizer_client, organizer, atu, operators_unit, operators
):
    """The organizer asked for progress only in groups of 15 or more: twelve operators
    show nothing, not even a bucket."""
    pledge = pledge_services.take_roll(
        pledge_services.create_pledge(
            organizer, atu, pledge_input(operators_unit, min_group_size=15)
        )
    )
    signing.sign(operators[0], pledge)
    page = organizer_client.get(
        reverse("pledges:pledge", kwargs={"org": atu.slug, "pledge": pledge.code})
    ).content.decode()
    assert 'data-bucket="hidden"' in page and "<meter" not in page


def test_sending_the_pledge_reaches_every_member_asked_with_a_link_to_sign(
    organizer_client, client, atu, pledge, operators, django_capture_on_commit_callbacks
):
    outside = make_person(atu, name="Mo Mechanic")
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            reverse("pledges:pledge_send", kwargs={"org": atu.slug, "pledge": pledge.code}),
            {"confirm": "yes"},
        )
    alert = Alert.objects.get(kind=Alert.Kind.PLEDGE)
    assert alert.context["event"] == "invite"
    told = set(Delivery.objects.filter(alert=alert).values_list("person", flat=True))
    assert told == {person.pk for person in operators} and outside.pk not in told
    delivery = Delivery.objects.get(alert=alert, person=operators[1])
    client.logout()
    page = client.get(reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}))
    assert page.status_code == 200
    assert ACTION in page.content.decode() and "I pledge" in page.content.decode()


def test_a_member_signs_and_withdraws_from_their_page(client, pledge, operators):
    member_client(client, operators[1])
    url = reverse("pledges:my_pledge", kwargs={"pledge": pledge.code})
    assert client.post(url, {"do": "sign"}).status_code == 302
    assert signing.has_signed(operators[1], pledge)
    page = client.get(url).content.decode()
    assert "You signed." in page and "Withdraw my signature" in page
    response = client.post(url, {"do": "sign"})
    assert response.status_code == 400 and "You have already signed." in response.content.decode()
    client.post(url, {"do": "withdraw", "confirm": "yes"})
    assert not signing.has_signed(operators[1], pledge)


def test_a_member_the_pledge_does_not_ask_gets_404(client, atu, pledge):
    mechanic = make_person(atu, name="Mo Mechanic")
    member_client(client, mechanic)
    url = reverse("pledges:my_pledge", kwargs={"pledge": pledge.code})
    assert client.get(url).status_code == 404
    assert client.post(url, {"do": "sign"}).status_code == 404
    assert pledge.signatures.count() == 0
    assert ACTION not in client.get(reverse("pledges:my_pledges")).content.decode()


def test_the_member_page_speaks_spanish(client, pledge, operators):
    member_client(client, operators[0])
    page = client.get(reverse("pledges:my_pledge", kwargs={"pledge": pledge.code}))
    assert "Me comprometo" in page.content.decode()


def test_once_it_is_on_organizers_see_the_signers_and_the_reading_is_audited(
    organizer_client, organizer, atu, pledge, operators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for person in operators[:8]:
            signing.sign(person, pledge)
    page = organizer_client.get(
        reverse("pledges:pledge", kwargs={"org": atu.slug, "pledge": pledge.code})
    ).content.decode()
    assert "67% committed (8 of 12)" in page
    for person in operators[:8]:
        assert person.display_name in page
    assert operators[8].display_name not in page
    assert AuditEntry.objects.filter(action="pledges.signers.read", actor=organizer).count() == 1


def test_a_member_of_the_unit_without_the_organizer_role_cannot_see_the_staff_page(
    client, atu, pledge, operators
):
    from tests.conftest import verified_client

    steward = operators[2]
    verified_client(client, steward)
    url = reverse("pledges:pledge", kwargs={"org": atu.slug, "pledge": pledge.code})
    assert client.get(url).status_code == 404
