"""A hostile admin tries to learn who signed before the threshold, and cannot.

The admin (who organizes too) reads everything they can reach: every screen of Tocsin
with the organization's objects, every API operation that reads, the audit log and its
CSV, the messages sent, and the log lines written. The test builds two worlds that differ
only in who signed: Ana and Ben in one, Carla and Dev in the other, the same number of
signatures, made as members make them (Ana and Carla on their pledge page, Ben and Dev
through the API). If anything the admin sees told who signed, the two worlds would look
different. Then, as a check that the method can see a difference, the same reading after
the threshold does tell the worlds apart.
"""

import json
import logging

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import member_client, verified_client
from tests.factories import token_for
from tests.pledges.reading import api_reads, normalized, staff_screens
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert, Delivery
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing


@pytest.fixture
def admin_sees(
    client, atu_admin, organizer, atu, garage, operators_unit, operators, pledge, smtp_server, sent
):
    with sent():
        pledge_services.send_pledge(organizer, pledge)
    verified_client(client, atu_admin)
    token = token_for(atu_admin)
    objects = {
        "org": atu.slug,
        "pledge": pledge.code,
        "unit": operators_unit.code,
        "site": garage.code,
        "person": str(operators[0].public_id),
    }

    def look() -> dict[str, str]:
        seen = {}
        for url in staff_screens(objects):
            response = client.get(url)
            seen[url] = f"{response.status_code} {normalized(response.content.decode())}"
        for person in operators:
            url = reverse("staff:member", kwargs={"org": atu.slug, "person": person.public_id})
            response = client.get(url)
            seen[url] = f"{response.status_code} {normalized(response.content.decode())}"
        for path in api_reads(objects):
            response = client.get(
                f"/api/v1{path}",
                {"organization": atu.slug},
                headers={"Authorization": f"Bearer {token}"},
            )
            seen[f"api {path}"] = f"{response.status_code} {normalized(response.content.decode())}"
        seen["audit.csv"] = normalized(
            client.get(reverse("audit:log_csv", kwargs={"org": atu.slug})).content.decode()
        )
        seen["audit rows"] = json.dumps(
            sorted(
                AuditEntry.objects.values_list("action", "actor_label", "object_id", "detail"),
                key=str,
            )
        )
        seen["deliveries"] = json.dumps(
            sorted(Delivery.objects.values_list("alert__kind", "person_id", "status"))
        )
        seen["alerts"] = json.dumps(sorted(Alert.objects.values_list("kind", "audience"), key=str))
        seen["mail"] = json.dumps(
            [(m["subject"], normalized(m["body"])) for m in smtp_server.messages]
        )
        return seen

    return look


def services_sign(pledge):
    return lambda person: signing.sign(person, pledge)


@pytest.fixture
def sign_as(operators, pledge):
    """Sign as a member the way members do: the first through their own pledge page (their
    member link's session, made before anyone looks), the others through the API."""
    page = reverse("pledges:my_pledge", kwargs={"pledge": pledge.code})
    sessions = {person.pk: member_client(Client(), person) for person in operators[:4:2]}
    tokens = {person.pk: token_for(person) for person in operators[1:4:2]}

    def sign(person):
        if person.pk in sessions:
            response = sessions[person.pk].post(page, {"do": "sign"})
            assert response.status_code == 302, response.content
        elif person.pk in tokens:
            response = Client().post(
                f"/api/v1/pledges/{pledge.code}/signature",
                headers={"Authorization": f"Bearer {tokens[person.pk]}"},
            )
            assert response.status_code in (200, 201), response.content
        else:
            signing.sign(person, pledge)

    return sign


def world(signers, sign, look, caplog, sent):
    """Sign as `signers`, look at everything, and undo it all."""
    with transaction.atomic():
        caplog.clear()
        with caplog.at_level(logging.DEBUG), sent():
            for person in signers:
                sign(person)
        logged = "\n".join(record.getMessage() for record in caplog.records)
        seen = look()
        seen["log"] = logged
        transaction.set_rollback(True)
    return seen


def test_an_admin_cannot_tell_who_signed_before_the_threshold(
    admin_sees, sign_as, pledge, operators, caplog, sent
):
    # Ana and Carla sign on their pledge page, Ben and Dev through the API.
    ana_and_ben = world(operators[:2], sign_as, admin_sees, caplog, sent)
    carla_and_dev = world(operators[2:4], sign_as, admin_sees, caplog, sent)
    assert pledge.signatures.count() == 0  # each world was undone
    page = reverse(
        "pledges:pledge", kwargs={"org": pledge.organization.slug, "pledge": pledge.code}
    )
    assert len(ana_and_ben) > 40 and page in ana_and_ben, "the admin should have read much"
    assert len(json.loads(ana_and_ben["mail"])) == 12, "every operator got the pledge"
    readable = [key for key, text in ana_and_ben.items() if text.startswith("200 ")]
    assert len(readable) > 30, "the admin reads screens and API answers"
    different = [key for key in ana_and_ben if ana_and_ben[key] != carla_and_dev.get(key)]
    assert different == []


def test_after_the_threshold_the_same_reading_does_show_who_signed(
    admin_sees, pledge, operators, caplog, sent
):
    first = world(operators[:8], services_sign(pledge), admin_sees, caplog, sent)
    second = world(operators[4:12], services_sign(pledge), admin_sees, caplog, sent)
    different = {key for key in first if first[key] != second.get(key)}
    assert any("/pledges/" in key for key in different)
    page = reverse(
        "pledges:pledge", kwargs={"org": pledge.organization.slug, "pledge": pledge.code}
    )
    assert (
        operators[0].display_name in first[page] and operators[0].display_name not in second[page]
    )
