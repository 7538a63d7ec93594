"""The campaigns' kind of alert, registered with the delivery engine
(tocsin.delivery.kinds): news of an event (an invitation, a reminder, a place off the
waitlist), whose link opens the event for its recipient to answer (views/member.py)."""

from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import AlertKinds
from tocsin.delivery.kinds import AlertKind, everyone, register

EVENT = register(
    AlertKind(
        name="event",
        label=_("event"),
        priority=40,
        templates="campaigns/messages/event",
        subscriptions=AlertKinds.EVENTS,
        link_view="tocsin.campaigns.views.member.from_alert",
        answerers=everyone,
    )
)
