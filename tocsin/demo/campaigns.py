"""The demo's week of action, loaded by tocsin.demo.services.load_demo.

National Nurses United's "Week of action, Jan 26 - Feb 4", with its Kaiser locals and NYSNA
taking part: vigils at Kaiser Oakland, San Jose, San Leandro and Vallejo (Jan 26), San
Francisco Geary (Jan 27), Roseville and Sacramento (Jan 28), Richmond (Jan 30), and NYSNA's
vigil at VA NY Harbor (Jan 29). All approved and public; Oakland and San Francisco have
shifts; a few nurses RSVPed and some checked in, so turnout has numbers.

The demo's dates are the articles' (in the coming January, world.action_year), and the rows
are written directly: the demo loads the same world, RSVPs and check-ins included, that the
services would refuse to check in ahead of time.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tocsin.accounts.models import Membership, Organization, Site, Unit
from tocsin.campaigns.models import Campaign, Event, Rsvp, Shift

from . import world

DESCRIPTION = (
    "Nurses stand together for our patients and our coworkers: no immigration enforcement in "
    "our hospitals without a judicial warrant. Bring a candle; wear red."
)
EVENT_DESCRIPTION = (
    "A candlelight vigil outside the main entrance at shift change. Stay on the sidewalk; "
    "stewards and legal observers will be there."
)
VIGIL_START = (18, 0)
VIGIL_LENGTH = timedelta(minutes=90)
# (site, [(label, minutes after the start, length in minutes, capacity)])
SHIFTS = {
    world.KAISER_OAKLAND: [("Set-up and signs", -30, 30, 4), ("Vigil line", 0, 90, 40)],
    world.KAISER_SF: [("Vigil line", 0, 90, 30)],
}
# (site, people going, of whom checked in)
RSVPS = {world.KAISER_OAKLAND: (8, 5), world.KAISER_SF: (4, 2), world.VA_NY_HARBOR: (3, 1)}


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create the week of action once (running it again changes nothing)."""
    nnu = organizations[world.NNU]
    if Campaign.objects.filter(organization=nnu, name=world.WEEK_OF_ACTION).exists():
        return
    year = world.action_year()
    first, last = (date(year, *day) for day in world.WEEK_OF_ACTION_DAYS)
    campaign = Campaign.objects.create(
        organization=nnu,
        name=world.WEEK_OF_ACTION,
        description=DESCRIPTION,
        starts_on=first,
        ends_on=last,
    )
    campaign.participants.set([organizations[slug] for slug in world.WEEK_OF_ACTION_PARTICIPANTS])
    for site_name, day, host, zone in world.VIGILS:
        site = sites[site_name]
        starts_at = datetime(year, 1, day, *VIGIL_START, tzinfo=ZoneInfo(zone))
        event = Event.objects.create(
            campaign=campaign,
            organization=organizations[host],
            kind=Event.Kind.VIGIL,
            title=f"Vigil at {site_name}",
            description=EVENT_DESCRIPTION,
            site=site,
            time_zone=zone,
            starts_at=starts_at,
            ends_at=starts_at + VIGIL_LENGTH,
            visibility=Event.Visibility.PUBLIC,
            state=Event.State.APPROVED,
        )
        shifts = [
            Shift.objects.create(
                event=event,
                label=label,
                starts_at=starts_at + timedelta(minutes=offset),
                ends_at=starts_at + timedelta(minutes=offset + length),
                capacity=capacity,
            )
            for label, offset, length, capacity in SHIFTS.get(site_name, [])
        ]
        add_rsvps(event, site, shifts, *RSVPS.get(site_name, (0, 0)))


def add_rsvps(event: Event, site: Site, shifts: list[Shift], going: int, checked_in: int) -> None:
    """RSVP the first members working at the site, filling the shifts in order; the last
    one who finds every shift full goes on the waitlist of the first."""
    people = [
        m.person
        for m in Membership.objects.filter(site=site, active=True)
        .select_related("person")
        .order_by("pk")[: going + (1 if shifts else 0)]
    ]
    places = [(shift, shift.capacity) for shift in shifts]
    for index, person in enumerate(people):
        shift, status = None, Rsvp.Status.GOING
        if shifts:
            free = [i for i, (s, left) in enumerate(places) if left > 0]
            if index >= going or not free:
                shift, status = shifts[0], Rsvp.Status.WAITLISTED
            else:
                shift, left = places[free[0]]
                places[free[0]] = (shift, left - 1)
        Rsvp.objects.create(
            event=event,
            person=person,
            shift=shift,
            status=status,
            checked_in_at=(
                event.starts_at + timedelta(minutes=5 + index)
                if index < checked_in and status == Rsvp.Status.GOING
                else None
            ),
        )
