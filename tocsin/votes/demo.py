"""The demo world's part in tocsin.votes, loaded by tocsin.demo.services.load_demo."""

from tocsin.accounts.models import Organization, Site, Unit


def load(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """Create what the demo needs here, once (running it again changes nothing)."""
