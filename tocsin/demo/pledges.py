"""The demo's pledge: ATU Local 1005's bus operators "stay out on Jan 23 if 60% of our unit
commits", open until Jan 21, with some operators already signed (sealed, like any other).

Its roll is taken when the demo loads, so that those first signatures can be made; the
organizer still sends it (**Send to the members asked**), to that roll."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tocsin.accounts.models import Organization, Person, Site, Unit
from tocsin.pledges import progress
from tocsin.pledges.models import Pledge
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
