# ruff: noqa: F811 (the pledge fixtures are imported, then asked for by name)
"""A hostile admin moves members in and out of a sealed pledge's unit to learn who signed.

The attack of issue 13, item 1, with the API only: the admin pads the unit with members the
pledge never asked (who cannot have signed), reads `progress_bucket` after each move to
learn how many signed, then swaps one operator at a time for one more padding member, so
that the bucket drops exactly when the operator taken out had signed. Deactivating,
erasing, and moving members between the units of an "each of them" pledge are tried too.

Every test plays two worlds that differ only in who signed (the same number of signatures)
and compares everything the admin read, response by response, and what the attacker
concludes. A pledge counts the roll taken when it was sent, so the worlds read the same.
"""

import math
import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person, verified_client
from tests.factories import Api, token_for
from tests.pledges.conftest import (  # noqa: F401 (fixtures)
    atu,
    atu_admin,
    garage,
    operators,
    operators_unit,
    organizer,
    pledge_input,
)
from tocsin.accounts.models import Membership, Unit
from tocsin.delivery.models import Alert
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import pledges as pledge_services

TIMES = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")
VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "CSRF"),
    (re.compile(r'nonce="[^"]+"'), "NONCE"),
    (TIMES, "TIME"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "TIME"),
]
QUARTERS = ["under_25", "25_50", "50_75", "over_75"]


def normalized(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


class Attacker:
    """An admin of ATU Local 1005 with an API token and a browser session, who writes down
    every answer they get."""

    def __init__(self, admin, pledge, unit, parking):
        self.api = Api(token_for(admin))
        self.browser = verified_client(Client(), admin)
        self.org = pledge.organization.slug
        self.pledge = pledge.code
        self.unit, self.parking = unit.code, parking.code
        self.seen: list[str] = []

    def note(self, what: str, response) -> dict:
        self.seen.append(f"{what} {response.status_code} {normalized(response.content.decode())}")
        json_answer = response.get("Content-Type", "").startswith("application/json")
        return response.json() if json_answer and response.content else {}

    def bucket(self) -> str | None:
        return self.note("pledge", self.api.get(f"/pledges/{self.pledge}")).get("progress_bucket")

    def move(self, person: str, unit: str | None) -> None:
        path = f"/organizations/{self.org}/memberships/{person}"
        self.note(f"move {person}", self.api.patch(path, {"unit": unit}))

    def set_active(self, person: str, active: bool) -> None:
        path = f"/organizations/{self.org}/memberships/{person}"
        self.note(f"active {person}", self.api.patch(path, {"active": active}))

    def members_of(self, unit: str) -> list[str]:
        answer = self.api.get(f"/organizations/{self.org}/memberships", unit=unit, limit=500)
        return [m["person"] for m in self.note(f"list {unit}", answer)["items"]]

    def screens(self) -> None:
        """Read the pledge's pages, the pledge list and the audit log as a person would."""
        for name, kwargs in [
            ("pledges:pledge", {"org": self.org, "pledge": self.pledge}),
            ("pledges:pledges", {"org": self.org}),
            ("audit:log", {"org": self.org}),
            ("audit:log_csv", {"org": self.org}),
        ]:
            response = self.browser.get(reverse(name, kwargs=kwargs))
            self.seen.append(
                f"{name} {response.status_code} {normalized(response.content.decode())}"
            )


def live_bucket(members: int, signed: int, percent: int = 60) -> str | None:
    """The bucket the attacker expects from a pledge that counts the unit as it is now
    (decision 0009 publishes the rule): hidden below 10 members, a quarter at a time."""
    if members < 10:
        return None
    required = math.ceil(members * percent / 100)
    if signed >= required:
        return "met"
    return QUARTERS[min(4 * signed // required, 3)]


def find_signers(attacker: Attacker, padding: list[str]) -> set[str]:
    """The attack: learn the count by padding the unit, then test each operator by swapping
    them for one more padding member where one signature moves the bucket."""
    asked = attacker.members_of(attacker.unit)
    attacker.bucket()
    observed = {}
    for added, person in enumerate(padding, start=1):
        attacker.move(person, attacker.unit)
        observed[len(asked) + added] = attacker.bucket()
    for person in padding:
        attacker.move(person, attacker.parking)
    counts = [
        signed
        for signed in range(len(asked) + 1)
        if all(live_bucket(size, signed) == bucket for size, bucket in observed.items())
    ]
    if len(counts) != 1:
        return set()
    (signed,) = counts
    sizes = [
        size
        for size in range(len(asked), len(asked) + len(padding))
        if live_bucket(size, signed) != live_bucket(size, signed - 1)
    ]
    if not sizes or not signed:
        return set()
    extra = sizes[0] - len(asked)
    for person in padding[:extra]:
        attacker.move(person, attacker.unit)
    named = set()
    spare = padding[extra]
    for person in asked:
        attacker.move(person, attacker.parking)
        attacker.move(spare, attacker.unit)
        if attacker.bucket() == live_bucket(sizes[0], signed - 1):
            named.add(person)
        attacker.move(spare, attacker.parking)
        attacker.move(person, attacker.unit)
    for person in padding[:extra]:
        attacker.move(person, attacker.parking)
    return named


@pytest.fixture
def mechanics(atu):
    """Twenty members of ATU outside the operators' unit, whom the pledge never asked."""
    unit = Unit.objects.create(organization=atu, name="Metro Transit mechanics")
    people = [make_person(atu, name=f"Mechanic {n:02}") for n in range(20)]
    Membership.objects.filter(person__in=people).update(unit=unit)
    return unit, people


@pytest.fixture
def sent_pledge(organizer, atu, operators_unit, operators, sent):
    pledge = pledge_services.create_pledge(organizer, atu, pledge_input(operators_unit))
    with sent():
        pledge_services.send_pledge(organizer, pledge)
    return pledge


@pytest.fixture
def signing(operators, sent_pledge):
    """Sign as each operator does, through the API with their own token (made up front)."""
    clients = {person.pk: Api(token_for(person)) for person in operators}

    def sign(people):
        for person in people:
            response = clients[person.pk].post(f"/pledges/{sent_pledge.code}/signature")
            assert response.status_code == 201, response.content

    return sign


def play(world_signers, signing, attack, sent):
    """Sign as `world_signers`, let the attacker work, record what they saw; undo it all."""
    with transaction.atomic():
        with sent():
            signing(world_signers)
            outcome = attack()
        transaction.set_rollback(True)
    return outcome


def test_moving_members_in_and_out_of_the_unit_names_nobody(
    atu_admin, sent_pledge, operators_unit, operators, mechanics, signing, sent
):
    parking, padding = mechanics

    def attack():
        attacker = Attacker(atu_admin, sent_pledge, operators_unit, parking)
        named = find_signers(attacker, [str(person.public_id) for person in padding])
        attacker.screens()
        return named, attacker.seen

    # Seven of twelve sign in each world: the first seven operators, or the last seven.
    first_named, first_seen = play(operators[:7], signing, attack, sent)
    last_named, last_seen = play(operators[5:], signing, attack, sent)

    assert sent_pledge.signatures.count() == 0  # each world was undone
    assert len(first_seen) > 60, "the attacker should have moved and read much"
    assert len(first_seen) < 200
    assert first_named == last_named == set()
    different = [n for n, (a, b) in enumerate(zip(first_seen, last_seen, strict=True)) if a != b]
    assert different == [], first_seen[different[0]] if different else ""


def test_deactivating_or_erasing_a_member_tells_nothing_about_their_signature(
    atu_admin, sent_pledge, operators_unit, operators, mechanics, signing, sent
):
    """Ana signed in one world and not in the other (six signed in each). The admin
    deactivates her, reads, reactivates her, reads, then erases her and reads again."""
    parking, _padding = mechanics
    ana = operators[0]

    def attack():
        attacker = Attacker(atu_admin, sent_pledge, operators_unit, parking)
        who = str(ana.public_id)
        attacker.bucket()
        attacker.set_active(who, False)
        attacker.bucket()
        attacker.screens()
        attacker.set_active(who, True)
        attacker.bucket()
        erase = reverse("staff:member_erase", kwargs={"org": attacker.org, "person": who})
        response = attacker.browser.post(erase, {"confirmation": ana.display_name})
        assert response.status_code == 302, response.content
        attacker.bucket()
        attacker.screens()
        return attacker.seen

    with_ana = play(operators[:6], signing, attack, sent)
    without_ana = play(operators[1:7], signing, attack, sent)

    different = [n for n, (a, b) in enumerate(zip(with_ana, without_ana, strict=True)) if a != b]
    assert different == [], with_ana[different[0]] if different else ""


def test_moving_members_between_the_units_of_an_each_of_them_pledge_tells_nothing(
    organizer, atu_admin, atu, operators_unit, operators, sent
):
    """Two units must each reach 60%. The admin moves one operator at a time into the other
    unit and reads both units' progress on the pledge's page and the overall bucket."""
    drivers = Unit.objects.create(organization=atu, name="Metro Transit light rail")
    rail = [make_person(atu, name=f"Rail operator {n:02}") for n in range(10)]
    Membership.objects.filter(person__in=rail).update(unit=drivers)
    pledge = pledge_services.create_pledge(
        organizer,
        atu,
        pledge_input(
            operators_unit, scope=Pledge.Scope.UNITS_EACH, units=[operators_unit, drivers]
        ),
    )
    with sent():
        pledge_services.send_pledge(organizer, pledge)
    tokens = {person.pk: Api(token_for(person)) for person in operators}

    def world(signers):
        with transaction.atomic():
            for person in signers:
                tokens[person.pk].post(f"/pledges/{pledge.code}/signature")
            attacker = Attacker(atu_admin, pledge, operators_unit, drivers)
            for person in operators:
                attacker.move(str(person.public_id), drivers.code)
                attacker.bucket()
                attacker.screens()
                attacker.move(str(person.public_id), operators_unit.code)
            transaction.set_rollback(True)
        return attacker.seen

    first = world(operators[:6])
    last = world(operators[6:])

    assert "\n".join(first).count('"progress_bucket"') == len(operators)
    different = [n for n, (a, b) in enumerate(zip(first, last, strict=True)) if a != b]
    assert different == [], first[different[0]] if different else ""


def test_renaming_or_deleting_the_unit_and_making_other_pledges_tells_nothing(
    atu_admin, atu, garage, sent_pledge, operators_unit, operators, mechanics, signing, sent
):
    """The admin renames the unit, sends a second pledge over the garage, and deletes the
    unit, reading everything after each step, in two worlds of six signatures each."""
    parking, _padding = mechanics

    def attack():
        attacker = Attacker(atu_admin, sent_pledge, operators_unit, parking)
        units = f"/organizations/{atu.slug}/units/{operators_unit.code}"
        attacker.note("rename", attacker.api.patch(units, {"name": "Bus operators (north)"}))
        attacker.bucket()
        attacker.screens()
        created = attacker.api.post(
            "/pledges",
            {
                "organization": atu.slug,
                "action": "We wear red on Friday",
                "scope": "site",
                "site": garage.code,
                "threshold": {"kind": "percent", "value": 50},
                "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
            },
        )
        assert created.status_code == 201, created.content
        second = created.json()["id"]
        send = reverse("pledges:pledge_send", kwargs={"org": atu.slug, "pledge": second})
        assert attacker.browser.post(send, {"confirm": "yes"}).status_code == 302
        attacker.bucket()
        attacker.screens()
        attacker.note("delete", attacker.api.delete(units))
        attacker.bucket()
        attacker.screens()
        # The second pledge's code and its alert's id are random in each world.
        alerts = Alert.objects.matching_context(code=second).values_list("public_id", flat=True)
        names = {second: "SECOND", **{str(alert): "ALERT" for alert in alerts}}
        seen = attacker.seen
        for random_id, name in names.items():
            seen = [text.replace(random_id, name) for text in seen]
        return seen

    first = play(operators[:6], signing, attack, sent)
    last = play(operators[6:], signing, attack, sent)

    assert '"progress_bucket": "over_75"' in first[-5]  # 6 of 8 needed, unit or no unit
    different = [n for n, (a, b) in enumerate(zip(first, last, strict=True)) if a != b]
    assert different == [], first[different[0]] if different else ""


def test_an_admin_cannot_become_a_signer_by_importing_their_own_phone_for_them(
    atu_admin, atu, sent_pledge, operators, signing, http_gateway, settings, sent
):
    """Ana signed. The admin reads her email (audited, but allowed), imports a row with
    that email and the admin's own phone, asks for a member link for that phone, and types
    the code it gets: if that signed them in as Ana, her pledge page would say she signed."""
    from urllib.parse import parse_qs

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import csv_bytes
    from tests.joining.conftest import CODE
    from tocsin.imports.views import PENDING_KEY

    settings.TOCSIN_SMS_URL = http_gateway.url
    ana = operators[0]
    signing([ana])
    admin = verified_client(Client(), atu_admin)
    shown = admin.post(
        reverse("staff:member_contacts", kwargs={"org": atu.slug, "person": ana.public_id})
    )
    assert "operator0@atu.test" in shown.content.decode()
    row = {"name": ana.display_name, "email": "operator0@atu.test", "phone": "+1 612 555 0199"}
    upload = reverse("imports:members_import", kwargs={"org": atu.slug})
    admin.post(upload, {"file": SimpleUploadedFile("m.csv", csv_bytes([row]), "text/csv")})
    confirm = reverse("imports:members_import_confirm", kwargs={"org": atu.slug})
    admin.post(confirm, {"token": admin.session[PENDING_KEY][atu.slug]})

    thief = Client()
    with sent():
        thief.post(reverse("joining:member_link_request"), {"address": "+1 612 555 0199"})
    texts = [parse_qs(request["body"].decode())["Body"][0] for request in http_gateway.requests]
    codes = [CODE.search(text).group(1) for text in texts if CODE.search(text)]
    if codes:
        thief.post(reverse("joining:member_code"), {"contact": "0", "code": codes[0]})
    page = thief.get(reverse("pledges:my_pledges"))
    assert page.status_code == 302, "the admin is signed in as Ana and sees that she signed"
