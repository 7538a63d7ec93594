"""A coalition pledge: four unions, one day (January 23). Each union takes part when its own
organizer accepts; each union's members sign under their union, sealed, against its own
threshold; all of it goes live at once when the last union meets its threshold, and every
union's signers hear it then, once, at the local channel servers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.coalition import world as january_23
from tests.conftest import make_org, make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.pledges.models import CoalitionPledge, Part, Pledge, Signature
from tocsin.pledges.services import coalition as coalition_services
from tocsin.pledges.services import outcome, signing

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return january_23.minneapolis()


def on_messages(servers):
    """Return the addresses that were told "It's on" (in any language), by channel."""
    on = ("It's on", "En marcha", "Waa socotaa")
    email = [m["to"][0] for m in servers["email"].messages if m["subject"].startswith(on)]
    signal = [m["to"] for m in servers["signal"].messages if any(word in m["text"] for word in on)]
    return sorted(email + signal)


def sign(union, count, pledge, start=0):
    for person in union.members[start : start + count]:
        signing.sign(person, pledge)
    return union.members[start : start + count]


def test_it_goes_live_only_when_the_last_union_meets_its_own_threshold(world, servers, sent):
    with sent():
        found = january_23.coalition_pledge(world)
        pledges = january_23.accept_all(world, found)
    asked = sum(len(u.members) for u in world.unions)
    assert len(servers["email"].messages) + len(servers["signal"].messages) == asked
    signers = []
    last = world.unions[-1]
    with sent():
        for union in world.unions[:-1]:
            signers += sign(union, union.required, pledges[union.organization.slug])
        signers += sign(last, last.required - 1, pledges[last.organization.slug])
    assert outcome.settle_pledges() == 0
    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.OPEN
    assert set(Pledge.objects.values_list("state", flat=True)) == {Pledge.State.OPEN}
    assert not Signature.objects.filter(person__isnull=False).exists()
    assert on_messages(servers) == []

    with sent():  # the last union's last signature it needs
        signers += sign(last, 1, pledges[last.organization.slug], start=last.required - 1)

    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.ACTIVE
    assert set(Pledge.objects.values_list("state", flat=True)) == {Pledge.State.ACTIVE}
    told = on_messages(servers)
    assert told == sorted(january_23.address_of(person) for person in signers)
    assert len(told) == len(set(told)) == sum(u.required for u in world.unions)
    with sent():
        assert outcome.settle_pledges() == 0  # once
    assert on_messages(servers) == told


def test_a_union_that_met_its_threshold_waits_and_a_withdrawal_holds(world, servers, sent):
    with sent():
        found = january_23.coalition_pledge(world)
        pledges = january_23.accept_all(world, found)
    seiu, others = world.unions[0], world.unions[1:]
    seiu_pledge = pledges[seiu.organization.slug]
    with sent():
        first = sign(seiu, seiu.required, seiu_pledge)
        for union in others[:-1]:
            sign(union, union.required, pledges[union.organization.slug])
    states = {union.name: union.state for union in coalition_services.union_states(found)}
    assert states == {
        "SEIU Local 26": "met",
        "UNITE HERE Local 17": "met",
        "ATU Local 1005": "met",
        "CWA Local 7250": "collecting",
    }
    # One of SEIU's signers withdraws before it is live: SEIU is below again.
    with sent():
        signing.withdraw(first[0], seiu_pledge)
        last = others[-1]
        sign(last, last.required, pledges[last.organization.slug])
    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.OPEN
    assert on_messages(servers) == []
    with sent():
        sign(seiu, 1, seiu_pledge, start=seiu.required)
    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.ACTIVE


def test_at_the_deadline_every_union_ends_and_nobody_is_named(world, servers, sent):
    with sent():
        found = january_23.coalition_pledge(world)
        pledges = january_23.accept_all(world, found)
        for union in world.unions[:-1]:
            sign(union, union.required, pledges[union.organization.slug])
    with sent():
        CoalitionPledge.objects.update(deadline=timezone.now() - timedelta(minutes=1))
        Pledge.objects.update(deadline=timezone.now() - timedelta(minutes=1))
        outcome.settle_pledges()
    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.EXPIRED
    assert set(Pledge.objects.values_list("state", flat=True)) == {Pledge.State.EXPIRED}
    assert Signature.objects.count() == 0
    assert on_messages(servers) == []


def test_nobody_in_a_union_is_asked_until_its_organizer_accepts(world, servers, sent):
    with sent():
        found = january_23.coalition_pledge(world)
    assert servers["email"].messages == [] and servers["signal"].messages == []
    assert not Pledge.objects.exists()
    with sent():
        january_23.accept(world.unions[2], found)
    atu = world.unions[2]
    told = sorted(m["to"][0] for m in servers["email"].messages) + sorted(
        m["to"] for m in servers["signal"].messages
    )
    assert sorted(told) == sorted(january_23.address_of(p) for p in atu.members)
    # Three unions have not accepted: even with ATU over its threshold, nothing is live.
    with sent():
        sign(atu, len(atu.members), Pledge.objects.get())
    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.OPEN


def test_a_union_organizer_accepts_on_the_page_choosing_whom_it_asks(client, world, servers, sent):
    found = january_23.coalition_pledge(world)
    atu = world.union("atu-local-1005")
    verified_client(client, atu.organizer)
    page = reverse(
        "pledges:coalition_pledge",
        kwargs={"org": atu.organization.slug, "coalition_pledge": found.code},
    )
    shown = client.get(page)
    assert shown.status_code == 200 and "60% of the members it asks" in shown.content.decode()
    accept = reverse(
        "pledges:coalition_accept",
        kwargs={"org": atu.organization.slug, "coalition_pledge": found.code},
    )
    form = {"scope": "unit", "units": [atu.unit.code], "min_group_size": "10", "confirm": "yes"}
    unticked = client.post(accept, {**form, "confirm": ""})
    assert unticked.status_code == 400 and not Pledge.objects.exists()
    with sent():
        answered = client.post(accept, form)
    pledge = Pledge.objects.get()
    assert answered.status_code == 302 and pledge.code in answered["Location"]
    assert pledge.organization == atu.organization and pledge.threshold_value == 60
    assert pledge.roll.count() == len(atu.members) and pledge.invited_at is not None
    again = client.post(accept, form)
    assert again.status_code == 400 and Pledge.objects.count() == 1


def test_a_union_too_small_for_its_threshold_is_refused_by_name(client, world):
    found = january_23.coalition_pledge(world)
    seiu = world.union("seiu-local-26")
    Part.objects.filter(organization=seiu.organization).update(threshold_value=30)  # 3 of 10
    verified_client(client, seiu.organizer)
    accept = reverse(
        "pledges:coalition_accept",
        kwargs={"org": seiu.organization.slug, "coalition_pledge": found.code},
    )
    form = {"scope": "unit", "units": [seiu.unit.code], "min_group_size": "10", "confirm": "yes"}
    refused = client.post(accept, form)
    assert refused.status_code == 400
    assert "30% of the 10 members of HCMC janitors is 3 signatures" in refused.content.decode()
    assert not Pledge.objects.exists()
    assert not AuditEntry.objects.filter(action="pledges.coalition.accepted").exists()


def test_the_coalition_names_only_its_own_unions_each_with_a_threshold(client, world):
    elsewhere = make_org(slug="uesf", name="United Educators of San Francisco")
    verified_client(client, world.organizer)
    url = reverse("pledges:coalition_new", kwargs={"org": world.coalition.slug})
    assert "UNITE HERE Local 17" in client.get(url).content.decode()
    assert "United Educators" not in client.get(url).content.decode()
    data = {
        "action": january_23.ACTION,
        "deadline": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "take-seiu-local-26": "on",
        "kind-seiu-local-26": "count",
        "threshold-seiu-local-26": "2",
        "take-atu-local-1005": "on",
        "kind-atu-local-1005": "percent",
        "threshold-atu-local-1005": "60",
        f"take-{elsewhere.slug}": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Ask for at least 5 signatures" in refused.content.decode()
    assert not CoalitionPledge.objects.exists()
    data["threshold-seiu-local-26"] = "5"
    made = client.post(url, data)
    found = CoalitionPledge.objects.get()
    assert made.status_code == 302 and found.code in made["Location"]
    assert sorted(found.parts.values_list("organization__slug", flat=True)) == [
        "atu-local-1005",
        "seiu-local-26",
    ]


def test_a_union_not_named_and_an_outsider_get_404(client, world):
    found = january_23.coalition_pledge(
        world,
        parts=[
            coalition_services.PartInput(u.organization, "percent", 60) for u in world.unions[:3]
        ],
    )
    cwa = world.union("cwa-local-7250")
    outsider_org = make_org(slug="nysna", name="NYSNA")
    outsider = make_person(outsider_org, Role.ADMIN | Role.ORGANIZER, email="a@nysna.test")
    for person, org in ((cwa.organizer, cwa.organization), (outsider, outsider_org)):
        verified_client(client, person)
        for name in ("pledges:coalition_pledge", "pledges:coalition_accept"):
            url = reverse(name, kwargs={"org": org.slug, "coalition_pledge": found.code})
            assert client.get(url).status_code in (404, 405)
            assert client.post(url).status_code == 404
    url = reverse("pledges:coalition_new", kwargs={"org": outsider_org.slug})
    assert client.get(url).status_code == 404
