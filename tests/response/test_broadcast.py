"""Who hears of an incident: verifiers first, then the verified alert's audience, then the
all-clear or the correction to exactly the same people. No message says who reported."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import make_person, make_site
from tocsin.accounts.models import SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_area, follow_site
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services.broadcast import AlertFacts

from .conftest import file_report


def reachable(org, name, language="en", roles=Role.MEMBER, site=None):
    person = make_person(org, roles, name=name, language=language, site=site)
    add_contact(person, "email", f"{name.split()[0].lower()}@example.org", True)
    return person


def reached(alert):
    return sorted(d.person.display_name for d in alert.deliveries.select_related("person"))


@pytest.fixture
def hennepin(org, other_org, site, smtp_server):
    """The Hennepin morning's people: who should hear, and who should not."""
    site.organizations.add(other_org)
    va = make_site(org, name="Minneapolis VA Medical Center", lat="44.900600", lng="-93.203600")
    va.organizations.add(other_org)
    people = {
        "site_follower": reachable(org, "Sofia Site", "es"),
        "area_follower": reachable(org, "Andre Area"),
        "observer": reachable(org, "Lena Observer", roles=Role.LEGAL_OBSERVER),
        "seiu_area": reachable(other_org, "Sam Seiu", "es"),
        "seiu_site_only": reachable(other_org, "Sia Seiu"),
        "far_follower": reachable(org, "Fara Far"),
        "member_only": reachable(org, "Mo Member"),
        "verifier_near": reachable(org, "Vic Near", roles=Role.VERIFIER, site=site),
        "verifier_far": reachable(org, "Val Far", roles=Role.VERIFIER, site=va),
        "van": reachable(org, "Van Crew", roles=Role.LEGAL_VAN),
    }
    follow_site(people["site_follower"], org, site)
    follow_area(people["area_follower"], org, 44.9740, -93.2600, 500)
    follow_area(people["seiu_area"], other_org, 44.9730, -93.2630, 1000)
    follow_site(people["seiu_site_only"], other_org, va)
    follow_site(people["far_follower"], org, va)
    SharingAgreement.objects.create(organization=org, partner=other_org, alerts=True)
    return people


def incident_at(org, site):
    file_report(org, site=site, language="es")
    file_report(org, site=site, agents=6, vehicles=3)
    return Incident.objects.get()


def test_a_verify_request_goes_to_verifiers_near_the_incident_only(
    org, site, hennepin, dispatcher, sent
):
    incident = incident_at(org, site)
    with sent():
        alert = broadcast.request_verification(
            dispatcher, incident, 2000, "Agents at ambulance bay?"
        )
    assert reached(alert) == ["Vic Near"]
    incident.refresh_from_db()
    assert incident.state == Incident.State.VERIFYING


def test_verifiers_are_asked_nearest_first(org, site, hennepin, dispatcher, sent):
    incident = incident_at(org, site)
    with sent():
        alert = broadcast.request_verification(dispatcher, incident, 20000)
    near, far = hennepin["verifier_near"], hennepin["verifier_far"]
    assert alert.audience["person_ids"] == [near.pk, far.pk]


def test_with_no_verifier_in_range_the_radius_is_named(org, site, dispatcher):
    incident = incident_at(org, site)
    with pytest.raises(ValidationError) as refused:
        broadcast.request_verification(dispatcher, incident, 500)
    assert "radius_m" in refused.value.message_dict
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_the_verified_alert_reaches_followers_observers_and_sharing_locals(
    org, site, hennepin, dispatcher, sent
):
    incident = incident_at(org, site)
    assert broadcast.audience_size(incident, 1000) == 4
    with sent():
        alert = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(
                seen=["agents_on_foot"],
                notes={"en": "Agents in tactical vests at the ambulance bay"},
            ),
            1000,
        )
    assert reached(alert) == ["Andre Area", "Lena Observer", "Sam Seiu", "Sofia Site"]
    assert alert.audience_size == 4
    incident.refresh_from_db()
    assert incident.state == Incident.State.CONFIRMED


def test_each_person_gets_the_alert_in_their_language_without_the_reporter(
    org, site, hennepin, dispatcher, smtp_server, sent
):
    incident = incident_at(org, site)
    Incident.objects.filter(pk=incident.pk).update()
    report = incident.reports.first()
    report.callback = "+16125550199"
    report.save()
    with sent():
        broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(
                seen=["agents_on_foot"], notes={"es": "Agentes en la entrada de ambulancias"}
            ),
            1000,
        )
    by_recipient = {m["to"][0]: m for m in smtp_server.messages}
    spanish = by_recipient["sofia@example.org"]
    english = by_recipient["andre@example.org"]
    assert "VERIFICADO" in spanish["subject"]
    assert "VERIFIED" in english["subject"]
    for message in smtp_server.messages:
        assert "555" not in message["body"] and "0199" not in message["body"]


def test_a_revoked_sharing_agreement_shares_nothing(org, site, hennepin, dispatcher, sent):
    SharingAgreement.objects.update(state=SharingAgreement.State.ENDED)
    incident = incident_at(org, site)
    with sent():
        alert = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    assert "Sam Seiu" not in reached(alert)


def test_the_all_clear_goes_to_exactly_the_people_the_alarm_reached(
    org, site, hennepin, dispatcher, sent
):
    incident = incident_at(org, site)
    with sent():
        verified = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    # Someone who starts following the site afterwards did not hear the alarm.
    follow_site(hennepin["member_only"], org, site)
    with sent():
        cleared = broadcast.clear_incident(dispatcher, incident, "Agents left at 8:15")
    assert reached(cleared) == reached(verified)
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED and incident.closed_at


def test_a_retraction_goes_to_the_same_people_and_dismisses(org, site, hennepin, dispatcher, sent):
    incident = incident_at(org, site)
    with sent():
        verified = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    with sent():
        retraction = broadcast.retract_incident(dispatcher, incident, "It was a fire drill")
    assert reached(retraction) == reached(verified)
    assert retraction.kind == Alert.Kind.RETRACTION
    incident.refresh_from_db()
    assert incident.state == Incident.State.DISMISSED
    assert incident.dismiss_reason == Incident.DismissReason.FALSE_ALARM


def test_the_legal_van_gets_the_address(org, site, hennepin, dispatcher, smtp_server, sent):
    incident = incident_at(org, site)
    with sent():
        alert = broadcast.dispatch_legal_van(dispatcher, incident)
    assert reached(alert) == ["Van Crew"]
    (message,) = [m for m in smtp_server.messages if m["to"] == ["van@example.org"]]
    assert "701 Park Ave, Minneapolis" in message["body"]


def test_nothing_is_broadcast_twice(org, site, hennepin, dispatcher, sent):
    incident = incident_at(org, site)
    with sent():
        broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    with pytest.raises(ValidationError):
        broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    assert Alert.objects.filter(kind=Alert.Kind.VERIFIED).count() == 1


def test_an_unconfirmed_incident_gets_no_all_clear(org, site, dispatcher):
    incident = incident_at(org, site)
    with pytest.raises(ValidationError):
        broadcast.clear_incident(dispatcher, incident, "All clear")
    assert not Alert.objects.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_on_signal_the_people_who_answer_get_their_own_link(
    org, site, dispatcher, signal_server, sent
):
    vic = make_person(org, Role.VERIFIER, name="Vic", site=site)
    add_contact(vic, "signal", "+16125550131", True)
    lena = make_person(org, Role.LEGAL_OBSERVER, name="Lena")
    add_contact(lena, "signal", "+16125550132", True)
    for number in ("+16125550133", "+16125550134"):
        member = make_person(org, name=f"Member {number[-2:]}")
        add_contact(member, "signal", number, True)
        follow_site(member, org, site)
    incident = incident_at(org, site)
    with sent():
        broadcast.request_verification(dispatcher, incident, 2000)
    with sent():
        broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    texts = {}
    for message in signal_server.messages:
        texts.setdefault(message["to"], []).append(message["text"])
    assert "/a/" in texts["+16125550131"][0]  # the verifier answers from it
    assert "/a/" in texts["+16125550132"][0]  # the legal observer answers en route from it
    # Members share one text, so one request reaches them all: no personal link in it.
    assert texts["+16125550133"] == texts["+16125550134"]
    assert "/a/" not in texts["+16125550133"][0]
