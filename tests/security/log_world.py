"""What the log scan needs from the demo world it serves, made inside `tocsin shell` on that
world's own database (tests/security/test_log_scan.py runs these, one process each):

- `load_and_tell()`: load the demo world, then `facts()`: where to report, whose plan to
  open, the organizer's pledge;
- `dispatch()`: the dispatcher asks the verifiers and broadcasts the incident that the
  reports opened, and the Kaiser Oakland vigil's nurse is reminded of it.

Each prints one line of JSON.
"""

import json

from tocsin.accounts.models import ContactPoint, Organization, Person, Site
from tocsin.accounts.services.people import find_person_by_login
from tocsin.campaigns.models import Event, Rsvp
from tocsin.campaigns.services.messages import tell
from tocsin.demo import world
from tocsin.hotline.models import EmergencyPlan
from tocsin.pledges.models import Pledge
from tocsin.response.models import Incident
from tocsin.response.services.broadcast import AlertFacts, confirm_incident, request_verification


def email_of(person: Person) -> str:
    contact = person.contacts.filter(
        channel=ContactPoint.Channel.EMAIL, confirmed_at__isnull=False
    ).first()
    return contact.address if contact is not None else ""


def load_and_tell() -> None:
    """Load the demo world (what `tocsin load-demo` does), then print its facts."""
    from tocsin.demo.services import load_demo

    load_demo()
    facts()


def facts() -> None:
    mna = Organization.objects.get(slug=world.MNA)
    atu = Organization.objects.get(slug=world.ATU_1005)
    hcmc = Site.objects.get(name=world.HCMC)
    plan = EmergencyPlan.objects.select_related("person").get(organization=mna)
    print(
        json.dumps(
            {
                "site": hcmc.code,
                "mna": mna.slug,
                "report_number": mna.report_number,
                "report_token": mna.sms_inbound_token,
                "plan_owner": email_of(plan.person),
                "atu": atu.slug,
                "pledge": Pledge.objects.get(organization=atu).code,
            }
        )
    )


def dispatch() -> None:
    mna = Organization.objects.get(slug=world.MNA)
    dispatcher = find_person_by_login(f"dispatch@{world.EMAIL_DOMAIN}")
    incident = Incident.objects.filter(organization=mna, site__name=world.HCMC).latest("pk")
    request_verification(dispatcher, incident)
    confirm_incident(
        dispatcher,
        incident,
        AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the ambulance entrance"}),
        radius_m=200,
    )
    vigil = Event.objects.get(title="Vigil at Kaiser Oakland")
    rsvp = (
        Rsvp.objects.filter(event=vigil, checked_in_at__isnull=True)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    tell(vigil, "reminder", [rsvp.person.pk])
    print(
        json.dumps(
            {
                "vigil": vigil.code,
                "check_in_secret": vigil.check_in_secret,
                "nurse": email_of(rsvp.person),
            }
        )
    )
