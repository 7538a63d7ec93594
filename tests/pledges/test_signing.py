"""Signing, withdrawing, going live at the threshold and ending at the deadline."""

from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import make_person
from tocsin.accounts.models import Membership, Unit
from tocsin.delivery.models import Alert, Delivery
from tocsin.pledges import progress, sealing
from tocsin.pledges.models import Pledge, Signature
from tocsin.pledges.services import outcome, signing
from tocsin.pledges.services import pledges as pledge_services

from .conftest import pledge_input


def sign_all(people, pledge):
    for person in people:
        pledge = signing.sign(person, pledge)
    return pledge


def test_a_signature_holds_no_readable_trace_of_its_signer(pledge, operators):
    signing.sign(operators[0], pledge)
    signature = Signature.objects.get(pledge=pledge)
    assert signature.person is None
    assert str(operators[0].public_id) not in signature.sealed_signer
    assert sealing.unseal(pledge.private_key, signature.sealed_signer) == str(
        operators[0].public_id
    )
    _other_public, other_private = sealing.new_key_pair()
    with pytest.raises(InvalidTag):
        sealing.unseal(other_private, signature.sealed_signer)


def test_a_member_signs_once_and_may_withdraw_before_the_deadline(pledge, operators):
    signing.sign(operators[0], pledge)
    assert signing.has_signed(operators[0], pledge)
    assert not signing.has_signed(operators[1], pledge)
    with pytest.raises(ValidationError) as refused:
        signing.sign(operators[0], pledge)
    assert refused.value.message_dict == {"pledge": ["You have already signed."]}
    signing.withdraw(operators[0], pledge)
    assert not signing.has_signed(operators[0], pledge)
    assert pledge.signatures.count() == 0
    with pytest.raises(ValidationError):
        signing.withdraw(operators[0], pledge)


def test_a_member_outside_the_unit_cannot_sign(pledge, atu):
    mechanic = make_person(atu, name="Mo Mechanic")
    with pytest.raises(ValidationError) as refused:
        signing.sign(mechanic, pledge)
    assert refused.value.message_dict == {"pledge": ["This pledge does not ask you."]}
    assert pledge.signatures.count() == 0


def test_nobody_signs_after_the_deadline(pledge, operators):
    Pledge.objects.filter(pk=pledge.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        signing.sign(operators[0], pledge)
    assert pledge.signatures.count() == 0


def test_seven_of_twelve_is_not_enough_and_nothing_is_revealed(pledge, operators, sent):
    with sent():
        pledge = sign_all(operators[:7], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OPEN
    assert not pledge.signatures.filter(person__isnull=False).exists()
    assert progress.overall_bucket(pledge) == progress.FROM_75
    assert not Alert.objects.filter(kind=Alert.Kind.PLEDGE).exists()


def test_the_eighth_signature_turns_it_on_and_tells_every_signer_at_once(
    pledge, operators, sent, smtp_server
):
    with sent():
        pledge = sign_all(operators[:8], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.ACTIVE and pledge.activated_at is not None
    assert pledge.private_key == ""
    signed = set(pledge.signatures.values_list("person", flat=True))
    assert signed == {person.pk for person in operators[:8]}
    assert not pledge.signatures.exclude(sealed_signer="").exists()
    alert = Alert.objects.get(kind=Alert.Kind.PLEDGE)
    assert alert.context["event"] == "on" and alert.context["percent"] == 67
    told = set(Delivery.objects.filter(alert=alert).values_list("person", flat=True))
    assert told == {person.pk for person in operators[:8]}
    subjects = sorted(message["subject"] for message in smtp_server.messages)
    assert len(subjects) == 8
    assert "En marcha: We stay out on January 23" in subjects
    assert "It's on: We stay out on January 23" in subjects
    bodies = " ".join(message["body"] for message in smtp_server.messages)
    assert "67% of Metro Transit bus operators committed" in bodies


def test_turning_on_twice_changes_nothing(pledge, operators, sent):
    with sent():
        pledge = sign_all(operators[:8], pledge)
    assert outcome.activate_if_met(pledge.pk) is False
    assert outcome.settle_pledges() == 0
    assert Alert.objects.filter(kind=Alert.Kind.PLEDGE).count() == 1


def test_a_late_signer_joins_openly(pledge, operators, sent):
    with sent():
        pledge = sign_all(operators[:8], pledge)
    pledge.refresh_from_db()
    signing.sign(operators[8], pledge)
    late = pledge.signatures.get(person=operators[8])
    assert late.signed_openly_at is not None and late.sealed_signer == ""


def test_at_the_deadline_every_signature_is_deleted_and_everyone_asked_is_told(
    pledge, operators, sent
):
    pledge = sign_all(operators[:5], pledge)
    Pledge.objects.filter(pk=pledge.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with sent():
        assert outcome.settle_pledges() == 1
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.EXPIRED and pledge.private_key == ""
    assert Signature.objects.filter(pledge=pledge).count() == 0
    alert = Alert.objects.get(kind=Alert.Kind.PLEDGE)
    assert alert.context["event"] == "expired"
    assert sorted(alert.audience["person_ids"]) == sorted(p.pk for p in operators)
    assert outcome.settle_pledges() == 0


def test_a_member_leaving_changes_no_count(pledge, operators, atu, sent):
    """8 of 12 are needed; with 7 signed and two others gone, the roll is still 12."""
    pledge = sign_all(operators[:7], pledge)
    Membership.objects.filter(organization=atu, person__in=operators[10:]).update(active=False)
    with sent():
        assert outcome.settle_pledges() == 0
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OPEN
    (group,) = progress.groups(pledge)
    assert (group.eligible, group.signed, group.required) == (12, 7, 8)


def taken(organizer, atu, unit, **changes):
    """Create a pledge and take its roll, as sending it does."""
    return pledge_services.take_roll(
        pledge_services.create_pledge(organizer, atu, pledge_input(unit, **changes))
    )


def test_each_unit_must_reach_its_own_threshold(organizer, atu, operators, operators_unit, sent):
    mechanics = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    fixers = [make_person(atu, name=f"Mechanic {n}") for n in range(10)]
    Membership.objects.filter(person__in=fixers).update(unit=mechanics)
    pledge = taken(
        organizer,
        atu,
        operators_unit,
        scope=Pledge.Scope.UNITS_EACH,
        units=[operators_unit, mechanics],
    )
    with sent():
        pledge = sign_all(operators[:8], pledge)
        pledge = sign_all(fixers[:5], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OPEN
    buckets = {group.name: group.bucket for group in progress.groups(pledge)}
    assert buckets == {"Metro Transit bus operators": "met", "Metro Transit mechanics": "over_75"}
    with sent():
        signing.sign(fixers[5], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.ACTIVE
    percents = {a.context["group"]: a.context["percent"] for a in Alert.objects.all()}
    assert percents == {"Metro Transit bus operators": 67, "Metro Transit mechanics": 60}


def test_all_units_together_count_as_one(organizer, atu, operators, operators_unit, sent):
    mechanics = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    fixers = [make_person(atu, name=f"Mechanic {n}") for n in range(8)]
    Membership.objects.filter(person__in=fixers).update(unit=mechanics)
    pledge = taken(
        organizer,
        atu,
        operators_unit,
        scope=Pledge.Scope.UNITS_ALL,
        units=[operators_unit, mechanics],
        threshold_kind=Pledge.ThresholdKind.COUNT,
        threshold_value=10,
    )
    with sent():
        pledge = sign_all(operators[:9] + fixers[:1], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.ACTIVE


def test_a_signer_who_leaves_still_counts_and_is_told(pledge, operators, atu, sent):
    """Of 12, 8 must sign. One of the first seven signers leaves the union: her signature
    still counts (she was asked), so the eighth turns it on, and she hears it with the rest.
    Leaving must not be a way to find out whether she had signed."""
    pledge = sign_all(operators[:7], pledge)
    gone = operators[0]
    Membership.objects.filter(organization=atu, person=gone).update(active=False)
    assert progress.groups(pledge)[0].signed == 7

    with sent():
        signing.sign(operators[7], pledge)
    pledge.refresh_from_db()

    assert pledge.state == Pledge.State.ACTIVE
    signed = set(pledge.signatures.values_list("person", flat=True))
    assert signed == {person.pk for person in operators[:8]}
    alert = Alert.objects.get(kind=Alert.Kind.PLEDGE)
    assert gone.pk in alert.audience["person_ids"] and alert.context["percent"] == 67


def test_a_signer_who_moves_to_another_unit_still_counts_in_the_first(pledge, operators, atu):
    pledge = sign_all(operators[:4], pledge)
    elsewhere = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    Membership.objects.filter(organization=atu, person=operators[0]).update(unit=elsewhere)

    (group,) = progress.groups(pledge)
    assert (group.eligible, group.signed) == (12, 4)


def test_a_member_who_joins_the_unit_after_the_send_is_not_asked_even_once_it_is_on(
    pledge, operators, atu, operators_unit, sent
):
    newcomer = make_person(atu, name="Nadia New")
    Membership.objects.filter(person=newcomer).update(unit=operators_unit)
    with pytest.raises(ValidationError) as refused:
        signing.sign(newcomer, pledge)
    assert refused.value.message_dict == {"pledge": ["This pledge does not ask you."]}
    assert progress.groups(pledge)[0].eligible == 12

    with sent():
        pledge = sign_all(operators[:8], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.ACTIVE
    with pytest.raises(ValidationError):
        signing.sign(newcomer, pledge)
    assert pledge.signatures.count() == 8


def test_nobody_signs_before_the_roll_is_taken(organizer, atu, operators, operators_unit):
    pledge = pledge_services.create_pledge(organizer, atu, pledge_input(operators_unit))
    with pytest.raises(ValidationError) as refused:
        signing.sign(operators[0], pledge)
    assert refused.value.message_dict == {"pledge": ["This pledge does not ask you."]}
    assert pledge.signatures.count() == 0


def test_an_erased_signer_keeps_counting_and_names_nobody(pledge, operators, organizer, sent):
    """Erasing a signer changes no count (so it cannot tell whether they had signed), and
    leaves nothing that leads back to them: their signature's index and box are new."""
    from tocsin.accounts.services.people import erase_person

    pledge = sign_all(operators[:7], pledge)
    ana = operators[0]
    index = sealing.signer_index(pledge.code, str(ana.public_id))
    erase_person(ana, organizer)
    assert not pledge.signatures.filter(signer_index=index).exists()
    boxes = [sealing.unseal(pledge.private_key, s.sealed_signer) for s in pledge.signatures.all()]
    assert len(boxes) == 7 and str(ana.public_id) not in boxes
    (group,) = progress.groups(pledge)
    assert (group.eligible, group.signed) == (12, 7)

    with sent():
        signing.sign(operators[7], pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.ACTIVE
    named = set(pledge.signatures.exclude(person=None).values_list("person", flat=True))
    assert named == {person.pk for person in operators[1:8]}
    assert pledge.signatures.filter(person=None).count() == 1
    alert = Alert.objects.get(kind=Alert.Kind.PLEDGE)
    assert alert.context["percent"] == 67 and len(alert.audience["person_ids"]) == 7


def test_a_site_pledge_asks_the_members_at_that_site_only(organizer, atu, garage, operators, sent):
    office = make_person(atu, name="Olivia Office")  # a member of ATU at no site
    pledge = taken(
        organizer, atu, None, scope=Pledge.Scope.SITE, units=[], site=garage, threshold_value=50
    )
    with pytest.raises(ValidationError):
        signing.sign(office, pledge)
    with sent():
        pledge = sign_all(operators[:6], pledge)
    pledge.refresh_from_db()

    assert pledge.state == Pledge.State.ACTIVE
    alert = Alert.objects.get(kind=Alert.Kind.PLEDGE)
    assert alert.context["group"] == "Metro Transit garage" and alert.context["percent"] == 50


def test_an_organization_pledge_asks_every_active_member(organizer, atu, operators, sent):
    office = make_person(atu, name="Olivia Office")
    pledge = taken(
        organizer,
        atu,
        None,
        scope=Pledge.Scope.ORGANIZATION,
        units=[],
        threshold_kind=Pledge.ThresholdKind.COUNT,
        threshold_value=5,
    )
    with sent():
        pledge = sign_all([office, *operators[:3]], pledge)
        pledge.refresh_from_db()
        assert pledge.state == Pledge.State.OPEN
        assert progress.groups(pledge)[0].eligible == 14  # twelve operators, Olivia, Olga
        signing.sign(operators[3], pledge)
    pledge.refresh_from_db()

    assert pledge.state == Pledge.State.ACTIVE
    signed = set(pledge.signatures.values_list("person", flat=True))
    assert signed == {office.pk, *(person.pk for person in operators[:4])}


def test_once_it_is_on_the_table_does_not_keep_the_order_of_signing(
    organizer, atu, operators, operators_unit, sent
):
    """Names go into the signatures at activation. The database keeps rows in the order
    they were written (SQLite's rowid, PostgreSQL's ctid), so the table is written anew in
    random order: read in its physical order, it does not list who signed first. (That all
    twelve come out in signing order by chance is one in 479 million.)"""
    from django.db import connection

    pledge = taken(organizer, atu, operators_unit, threshold_value=100)
    with sent():
        pledge = sign_all(operators, pledge)
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.ACTIVE
    place = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person_id FROM pledges_signature WHERE pledge_id = %s ORDER BY {place}",  # noqa: S608
            [pledge.pk],
        )
        physical = [row[0] for row in cursor.fetchall()]
    assert sorted(physical) == sorted(person.pk for person in operators)
    assert physical != [person.pk for person in operators]
