"""The test app's kind of alert: a coworker offers their shift, and each recipient may take
it from their own link."""

from tocsin.delivery.kinds import AlertKind, everyone, register


def shift_offered(context: dict) -> dict[str, str]:
    """What the staff screens and the messages say is happening, from the alert's facts."""
    return {"what": f"{context['offered_by']} offers the shift {context['shift']}"}


SHIFT_SWAP = register(
    AlertKind(
        name="shift_swap",
        label="shift swap",
        priority=30,
        templates="kindapp/messages/shift_swap",
        link_view="tests.kindapp.views.from_alert",
        answerers=everyone,
        words=shift_offered,
    )
)
