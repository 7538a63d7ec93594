"""The demo's sharing, made as admins make it (decision 0028): each agreement offered by
its owner's admin and accepted by the partner's, and the Regional Labor Federation's one
offer to its four unions, each of which accepted. Loading again adds nothing."""

from tocsin.accounts.models import Organization, Person, SharingAgreement
from tocsin.sharing import services

from . import world


def load_sharing(organizations: dict[str, Organization], admin: Person | None) -> None:
    """Make the demo's agreements, offered and accepted by the demo admin (`admin`)."""
    for owner, partner, dispatch in world.SHARING:
        giver, receiver = organizations[owner], organizations[partner]
        if SharingAgreement.objects.filter(
            organization=giver, partner=receiver, circle__isnull=True
        ).exists():
            continue
        what = ["alerts", "dispatch"] if dispatch else ["alerts"]
        agreement = services.offer(admin, giver, receiver, services.Terms(what=what))
        services.accept(admin, receiver, agreement)
    convener_slug, member_slugs, shared = world.SHARING_CIRCLE
    convener = organizations[convener_slug]
    if convener.sharing_circles.exists():
        return
    members = [organizations[slug] for slug in member_slugs]
    circle = services.offer_to_members(admin, convener, services.Terms(what=list(shared)), members)
    for agreement in circle.agreements.select_related("partner").order_by("pk"):
        services.accept(admin, agreement.partner, agreement)
