"""The test app's kind of alert: a coworker offers their shift, and each recipient may take
it from their own link."""

from tocsin.delivery.kinds import AlertKind, everyone, register

SHIFT_SWAP = register(
    AlertKind(
        name="shift_swap",
        label="shift swap",
        priority=30,
        templates="kindapp/messages/shift_swap",
        link_view="tests.kindapp.views.from_alert",
        answerers=everyone,
    )
)
