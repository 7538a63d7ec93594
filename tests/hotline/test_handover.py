"""A member of the Minnesota Nurses Association is detained in New York, and the MNA
hotline hands her case over to NYSNA's, with which it shares hotline cases (decision 0033).

NYSNA's volunteer works it from NYSNA's own case screens, plan included (each read in
both logs); MNA's sees to whom it went and its state, not NYSNA's notes. The moment the
agreement ends, NYSNA's volunteer gets 404 and the case is MNA's again, and nothing new
can be handed over; the plan's messages to the family went once, at the opening.
"""

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_org, make_person, verified_client
from tests.factories import share
from tocsin.accounts.roles import Role
from tocsin.hotline.models import Case
from tocsin.hotline.services.cases import CaseInput, open_case
from tocsin.hotline.tasks import return_lapsed_handovers_every_minute
from tocsin.sharing import services as sharing

from .conftest import LAWYER_EMAIL, SISTER_PHONE, case_url

NOTE = "Visited at the Elizabeth Detention Center; she asked for her inhaler."


@pytest.fixture
def nysna(db):
    return make_org(slug="nysna", name="New York State Nurses Association")


@pytest.fixture
def agreement(org, nysna):
    return share(org, nysna, "hotline")


@pytest.fixture
def nysna_hotline(nysna):
    return make_person(
        nysna, Role.HOTLINE, email="hotline@nysna.test", password="ny horse 42", name="Nadia"
    )


@pytest.fixture
def ours(hotline):
    return verified_client(Client(), hotline)


@pytest.fixture
def theirs(nysna_hotline):
    return verified_client(Client(), nysna_hotline)


@pytest.fixture
def case(org, hotline, nurse, plan, sent, sms_gateway, smtp_server):
    """Rosa was taken in New York; her plan told her sister and the lawyer at once."""
    with sent():
        return open_case(
            hotline,
            org,
            CaseInput(taken_where="Outside Mount Sinai, New York"),
            Case.OpenedVia.CALL,
            person=nurse,
            plan=plan,
        )


def hand_over(ours, org, case, partner, sent):
    with sent():
        return ours.post(case_url(org, case, "handover"), {"partner": partner.slug})


def page(client, org, case=None):
    return client.get(case_url(org, case)).content.decode()


def plan_messages(sms_gateway, smtp_server):
    texts = [m for m in sms_gateway.messages if m["to"] == SISTER_PHONE]
    mails = [m for m in smtp_server.messages if m["to"] == [LAWYER_EMAIL]]
    return len(texts), len(mails)


def audit(org, case):
    admin = make_person(org, Role.ADMIN, email=f"admin@{org.slug}.test", password="x horse 42")
    client = verified_client(Client(), admin)
    return client.get(f"/staff/o/{org.slug}/audit/", {"object": case.code}).content.decode()


def test_the_receiving_hotline_works_the_case_and_loses_it_when_the_agreement_ends(
    org, nysna, agreement, case, ours, theirs, sent, sms_gateway, smtp_server
):
    assert plan_messages(sms_gateway, smtp_server) == (1, 1)

    answer = hand_over(ours, org, case, nysna, sent)

    assert answer.status_code == 302
    [notice] = [m for m in smtp_server.messages if m["to"] == ["hotline@nysna.test"]]
    assert f"/staff/o/nysna/cases/{case.code}/" in notice["body"]
    listed = page(theirs, nysna)
    assert case.code in listed and "from Minnesota Nurses Association" in listed
    theirs_page = page(theirs, nysna, case)
    assert "Lucía Rivera o la abuela Carmen" in theirs_page  # the plan: who picks up
    assert "handed this case over to your hotline" in theirs_page
    with sent():
        assert (
            theirs.post(
                case_url(nysna, case, "events"), {"kind": "visit", "note": NOTE}
            ).status_code
            == 302
        )
        assert theirs.post(case_url(nysna, case, "state"), {"state": "located"}).status_code == 302

    mine = page(ours, org, case)
    assert "Handed over to New York State Nurses Association" in mine
    assert "located" in mine
    assert NOTE not in mine and "abuela Carmen" not in mine
    refused = ours.post(case_url(org, case, "events"), {"kind": "note", "note": "ours"})
    assert refused.status_code == 302
    assert "ours" not in page(theirs, nysna, case).split("Timeline")[1]
    # Each read of the plan is in both logs.
    assert "read an emergency plan" in audit(nysna, case)
    assert "read an emergency plan" in audit(org, case)

    sharing.end(None, nysna, agreement)  # the receiving side ends it

    assert theirs.get(case_url(nysna, case)).status_code == 404
    assert (
        theirs.post(case_url(nysna, case, "events"), {"kind": "note", "note": "x"}).status_code
        == 404
    )
    assert theirs.get(case_url(nysna, case, "record")).status_code == 404
    assert case.code not in page(theirs, nysna)
    back = page(ours, org, case)
    assert "Move the case on" in back and NOTE in back  # the case and its record are MNA's
    assert "Back with its organization" in back
    assert "Hand over to another organization" not in back  # nobody to hand it to now
    again = hand_over(ours, org, case, nysna, sent)
    assert again.status_code == 400
    assert "Choose an organization yours shares hotline cases with." in again.content.decode()
    assert theirs.get(case_url(nysna, case)).status_code == 404
    assert plan_messages(sms_gateway, smtp_server) == (1, 1)  # once each, at the opening


def test_the_receiving_hotline_hands_the_case_back(
    org, nysna, agreement, case, ours, theirs, sent, smtp_server
):
    hand_over(ours, org, case, nysna, sent)
    smtp_server.clear()

    with sent():
        answer = theirs.post(case_url(nysna, case, "hand-back"))

    assert answer.status_code == 302 and answer["Location"] == case_url(nysna)
    assert theirs.get(case_url(nysna, case)).status_code == 404
    [notice] = [m for m in smtp_server.messages if m["to"] == ["hotline@mna.test"]]
    assert f"/staff/o/{org.slug}/cases/{case.code}/" in notice["body"]
    with sent():
        ours.post(case_url(org, case, "events"), {"kind": "call", "note": "Called her sister."})
    assert "Called her sister." in page(ours, org, case)


def test_its_own_hotline_takes_the_case_back(org, nysna, agreement, case, ours, theirs, sent):
    hand_over(ours, org, case, nysna, sent)

    with sent():
        ours.post(case_url(org, case, "hand-back"))

    assert theirs.get(case_url(nysna, case)).status_code == 404
    assert "Move the case on" in page(ours, org, case)


def test_a_case_closed_where_it_was_worked_comes_back_closed(
    org, nysna, agreement, case, ours, theirs, sent
):
    hand_over(ours, org, case, nysna, sent)

    with sent():
        answer = theirs.post(case_url(nysna, case, "close"), {"confirm": "on"})

    assert answer.status_code == 302
    assert theirs.get(case_url(nysna, case)).status_code == 404
    mine = page(ours, org, case)
    assert 'data-testid="case-closed"' in mine and "Reopen the case" in mine


def test_a_case_goes_only_to_an_organization_that_shares_hotline_cases(
    org, nysna, case, ours, theirs, sent, other_org
):
    share(org, other_org, "alerts", "events")  # shares other things, not hotline cases

    for partner in (nysna, other_org):
        answer = hand_over(ours, org, case, partner, sent)
        assert answer.status_code == 400
        assert "Choose an organization yours shares hotline cases with." in answer.content.decode()
    assert theirs.get(case_url(nysna, case)).status_code == 404
    assert "Hand over to another organization" not in page(ours, org, case)


def test_only_the_hotline_of_the_case_hands_it_over(
    org, nysna, agreement, case, theirs, sent, admin, client
):
    admin_client = verified_client(client, admin)

    assert (
        admin_client.post(case_url(org, case, "handover"), {"partner": "nysna"}).status_code == 404
    )
    assert theirs.post(case_url(nysna, case, "handover"), {"partner": "nysna"}).status_code == 404
    assert theirs.get(case_url(nysna, case)).status_code == 404


def test_a_legal_partner_named_by_the_receiving_hotline_loses_the_case_with_it(
    org, nysna, agreement, case, ours, theirs, sent, nysna_hotline
):
    lawyer = make_person(
        nysna, Role.LEGAL_OBSERVER, email="lawyer@nysna.test", password="law horse 42"
    )
    hand_over(ours, org, case, nysna, sent)
    with sent():
        theirs.post(
            case_url(nysna, case, "assign"),
            {"case_worker": str(nysna_hotline.public_id), "legal_partner": str(lawyer.public_id)},
        )
    counsel = verified_client(Client(), lawyer)
    assert counsel.get(case_url(nysna, case)).status_code == 200

    sharing.end(None, org, agreement)

    assert counsel.get(case_url(nysna, case)).status_code == 404


def test_an_agreement_ended_and_renewed_does_not_bring_an_old_handover_back(
    org, nysna, agreement, case, ours, theirs, sent
):
    hand_over(ours, org, case, nysna, sent)
    with sent():
        sharing.end(None, org, agreement)
        share(org, nysna, "hotline")  # offered and accepted again: a new agreement

    assert theirs.get(case_url(nysna, case)).status_code == 404
    assert "Back with its organization" in page(ours, org, case)


def test_an_agreement_that_stops_sharing_hotline_cases_gives_the_case_back(
    org, nysna, agreement, case, ours, theirs, sent
):
    hand_over(ours, org, case, nysna, sent)
    with sent():
        agreement.hotline = False
        agreement.save()
        agreement.hotline = True
        agreement.save()

    assert theirs.get(case_url(nysna, case)).status_code == 404
    assert "Move the case on" in page(ours, org, case)


def test_an_agreement_ended_without_a_save_is_caught_by_the_minute_job(
    org, nysna, agreement, case, ours, theirs, sent, smtp_server
):
    hand_over(ours, org, case, nysna, sent)
    smtp_server.clear()
    # Its planned end comes by the clock: no save of the agreement marks it.
    type(agreement).objects.filter(pk=agreement.pk).update(ends_at=timezone.now())

    assert theirs.get(case_url(nysna, case)).status_code == 404  # at once, before the job
    with sent():
        return_lapsed_handovers_every_minute()

    [notice] = [m for m in smtp_server.messages if m["to"] == ["hotline@mna.test"]]
    assert f"Case {case.code} is back with your hotline." in notice["body"]
    assert "Back with its organization" in page(ours, org, case)


def test_a_both_ways_agreement_the_partner_offered_lets_a_case_be_handed_over_to_it(
    org, nysna, case, ours, theirs, sent
):
    # NYSNA offered to share hotline cases both ways, and the MNA accepted: MNA's hotline may
    # hand its cases to NYSNA as if it had made the agreement itself.
    share(nysna, org, "hotline", direction="both_ways")

    assert nysna.name in page(ours, org, case)  # offered in the handover's choices
    assert hand_over(ours, org, case, nysna, sent).status_code == 302

    assert theirs.get(case_url(nysna, case)).status_code == 200
    assert "Handed over to New York State Nurses Association" in page(ours, org, case)
