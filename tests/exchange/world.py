"""A local with members, events, RSVPs, a hotline case, structure ratings and pledges, for
the exchange's tests: what may leave, and what must never."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from tests.conftest import make_person
from tests.factories import member_with
from tocsin.accounts.models import ContactPoint, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.campaigns.models import Campaign, Event, Rsvp
from tocsin.exchange.models import Withheld
from tocsin.hotline.models import Case, CaseEvent, Facility
from tocsin.pledges import sealing
from tocsin.pledges.models import AskedGroup, AskedMember, Pledge, Signature
from tocsin.structure.models import Assessment, Scale, StructureTest


@dataclass
class World:
    organizer: object
    rosa: object
    dawit: object
    withheld: object
    vigil: Event
    hidden: Event
    never: list[str] = field(default_factory=list)
    never_keys: set[str] = field(default_factory=set)
    # The pledges' codes and titles: an organizer's export names the pledge (not its signers).
    pledges: list[str] = field(default_factory=list)


def build(org, site) -> World:
    organizer = make_person(org, Role.ORGANIZER, email="olga@mna.test", name="Olga Organizer")
    rosa = member_with(
        org, "Rosa Reyes", ("email", "rosa.reyes@example.org"), ("sms", "+16125550101")
    )
    dawit = member_with(org, "Dawit Hassan", ("signal", "+16125550102"), language="so")
    stopped = add_contact(dawit, ContactPoint.Channel.SMS, "+16125550199", confirmed=True)
    ContactPoint.objects.filter(pk=stopped.pk).update(opted_out_at=timezone.now())
    add_contact(dawit, ContactPoint.Channel.EMAIL, "dawit.unconfirmed@example.org", confirmed=False)
    add_contact(
        dawit,
        ContactPoint.Channel.PUSH,
        '{"endpoint": "https://push.example.org/send/PUSHSECRET", '
        '"keys": {"p256dh": "BKey", "auth": "auth"}}',
        confirmed=True,
    )
    withheld = member_with(org, "Wanda Withheld", ("email", "wanda.withheld@example.org"))
    Withheld.objects.create(organization=org, person=withheld)

    start = timezone.now() + timedelta(days=7)
    campaign = Campaign.objects.create(
        organization=org,
        name="Week of action, Jan 26 - Feb 4",
        starts_on=start.date(),
        ends_on=(start + timedelta(days=9)).date(),
    )
    vigil = Event.objects.create(
        organization=org,
        campaign=campaign,
        kind=Event.Kind.VIGIL,
        title="Vigil at HCMC",
        site=site,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        visibility=Event.Visibility.PUBLIC,
    )
    hidden = Event.objects.create(
        organization=org,
        kind=Event.Kind.MEETING,
        title="Stewards' meeting",
        address="2 Secret Basement Way",
        lat="44.950000",
        lng="-93.250000",
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=1),
        address_hidden_until_rsvp=True,
    )
    Rsvp.objects.create(event=vigil, person=rosa, checked_in_at=timezone.now())
    Rsvp.objects.create(event=vigil, person=dawit, status=Rsvp.Status.WAITLISTED)
    Rsvp.objects.create(event=vigil, person=withheld)
    Rsvp.objects.create(event=hidden, person=rosa)

    # The hotline's case of a detained member.
    case = Case.objects.create(organization=org, name="Miguel Rivera", opened_via="call")
    CaseEvent.objects.create(case=case, kind="note", note="Held at the county jail, bail 5000")
    Facility.objects.create(organization=org, name="Sherburne County Jail")

    # Structure: a unit's ratings, in the organization's own words, and a test.
    unit = Unit.objects.create(organization=org, name="HCMC registered nurses")
    Scale.objects.create(organization=org, label_1="Pillar of the floor")
    Assessment.objects.create(unit=unit, person=rosa, score=1, rated_by=organizer)
    StructureTest.objects.create(
        unit=unit, name="Majority at 1-2 by Jan 16", target_percent=70, by_date="2026-01-16"
    )

    # Pledges: an open one whose signer is sealed, and one that is on, whose signer is open.
    never = [
        "Miguel Rivera",
        "county jail",
        "Sherburne",
        "Pillar of the floor",
        "Majority at 1-2",
        "Wanda Withheld",
        "wanda.withheld@example.org",
        "+16125550199",
        "dawit.unconfirmed@example.org",
        "PUSHSECRET",
        "Secret Basement",
        "44.95",
    ]
    pledges: list[str] = []
    for state, action in (
        (Pledge.State.OPEN, "Sick-out on Jan 23"),
        (Pledge.State.ACTIVE, "We stay out on Jan 23"),
    ):
        public_key, private_key = sealing.new_key_pair()
        pledge = Pledge.objects.create(
            organization=org,
            action=action,
            scope=Pledge.Scope.ORGANIZATION,
            threshold_kind=Pledge.ThresholdKind.COUNT,
            threshold_value=1,
            deadline=timezone.now() + timedelta(days=3),
            public_key=public_key,
            private_key=private_key,
            state=state,
            roll_taken_at=timezone.now(),
        )
        group = AskedGroup.objects.create(pledge=pledge, name=org.name)
        AskedMember.objects.create(pledge=pledge, group=group, person=rosa)
        signature = Signature.objects.create(
            pledge=pledge,
            group=group,
            signer_index=f"index-{state}-0123456789",
            sealed_signer=f"SEALED-{state}-0123456789" if state == Pledge.State.OPEN else "",
            person=rosa if state == Pledge.State.ACTIVE else None,
        )
        never += [pledge.code, action, signature.signer_index, str(signature.id)]
        pledges += [pledge.code, action]
        if signature.sealed_signer:
            never.append(signature.sealed_signer)
    return World(
        organizer=organizer,
        rosa=rosa,
        dawit=dawit,
        withheld=withheld,
        vigil=vigil,
        hidden=hidden,
        never=never,
        pledges=pledges,
        never_keys={"signatures", "osdi:signatures", "score", "rating", "case", "cases", "pledges"},
    )
