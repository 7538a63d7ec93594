"""The demo's pledge: ATU Local 1005's bus operators "stay out on Jan 23 if 60% of our unit
commits", open until Jan 21, with some operators already signed (sealed, like any other).

Its roll is taken when the demo loads, so that those first signatures can be made; the
organizer still sends it (**Send to the members asked**), to that roll."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tocsin.accounts.models import Organization, Person, Site, Unit
from tocsin.pledges import progress
from tocsin.pledges.models import CoalitionPledge, Part, Pledge
from tocsin.pledges.services import checks as pledge_checks
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing

from . import world

ACTION = "We stay out on January 23"
DETAILS = (
    "Metro Transit does not run without us. We go out together or not at all: this pledge "
    "counts only if 60% of the bus operators sign by January 21. Until then nobody, not even "
    "the union's staff, can see who signed."
)
CHICAGO = ZoneInfo("America/Chicago")


def deadline() -> datetime:
    """Jan 21 at 11 pm in Minneapolis, in the coming January (world.action_year)."""
    return datetime(world.action_year(), 1, 21, 23, 0, tzinfo=CHICAGO)


ALREADY_SIGNED = 14  # of 40: between halfway and three quarters of the 24 needed


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create the ATU pledge once, with its first signatures."""
    atu = organizations[world.ATU_1005]
    if Pledge.objects.filter(organization=atu, action=ACTION).exists():
        return
    operators = units[(world.ATU_1005, "Metro Transit bus operators")]
    pledge = pledge_services.create_pledge(
        None,
        atu,
        pledge_checks.PledgeInput(
            action=ACTION,
            details=DETAILS,
            scope=Pledge.Scope.UNIT,
            units=[operators],
            threshold_kind=Pledge.ThresholdKind.PERCENT,
            threshold_value=60,
            deadline=deadline(),
        ),
    )
    pledge = pledge_services.take_roll(pledge)
    asked = Person.objects.filter(pk__in=progress.roll_people(pledge)).order_by("pk")
    for person in asked[:ALREADY_SIGNED]:
        pledge = signing.sign(person, pledge)
    load_january_23(organizations, units, pledge)


# January 23, four unions, one day: the coalition's pledge and where each union stands.
# (union, unit, threshold kind, value, signatures already made; None: not accepted yet).
COALITION_DETAILS = (
    "Four unions, one day. Each union's members sign under their own union, and it goes "
    "live for all four at once, only when every union has met its own threshold."
)
JANUARY_23_UNIONS = [
    (world.SEIU_26, "HCMC security officers", "percent", 50, 6),
    (world.UNITE_HERE_17, "HCMC food service workers", "count", 12, 12),
    (world.CWA_7250, "Minnesota telecom technicians", "percent", 60, None),
]


def load_january_23(
    organizations: dict[str, Organization],
    units: dict[tuple[str, str], Unit],
    atu_pledge: Pledge,
) -> None:
    """The Minneapolis Regional Labor Federation's January 23 pledge across SEIU Local 26,
    UNITE HERE Local 17, ATU Local 1005 and CWA Local 7250 (decision 0029). ATU's part is
    the ATU pledge above; SEIU is on its way, UNITE HERE has met its threshold and waits,
    and CWA has not accepted yet (its organizer accepts in the demo). As with the ATU
    pledge, the unions' rolls are taken at load and nobody is sent anything."""
    coalition = organizations[world.MRLF]
    found = CoalitionPledge.objects.create(
        organization=coalition, action=ACTION, details=COALITION_DETAILS, deadline=deadline()
    )
    Part.objects.create(
        coalition_pledge=found,
        organization=atu_pledge.organization,
        threshold_kind=atu_pledge.threshold_kind,
        threshold_value=atu_pledge.threshold_value,
        pledge=atu_pledge,
    )
    for slug, unit_name, kind, value, signed in JANUARY_23_UNIONS:
        part = Part.objects.create(
            coalition_pledge=found,
            organization=organizations[slug],
            threshold_kind=kind,
            threshold_value=value,
        )
        if signed is None:
            continue
        pledge = pledge_services.create_pledge(
            None,
            organizations[slug],
            pledge_checks.PledgeInput(
                action=ACTION,
                details=COALITION_DETAILS,
                scope=Pledge.Scope.UNIT,
                units=[units[(slug, unit_name)]],
                threshold_kind=kind,
                threshold_value=value,
                deadline=deadline(),
            ),
        )
        pledge = pledge_services.take_roll(pledge)
        part.pledge = pledge
        part.save(update_fields=["pledge"])
        asked = Person.objects.filter(pk__in=progress.roll_people(pledge)).order_by("pk")
        for person in asked[:signed]:
            pledge = signing.sign(person, pledge)
