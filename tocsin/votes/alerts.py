"""The vote's kind of alert, registered with the delivery engine (tocsin.delivery.kinds):
its link opens its recipient's own ballot (views/ballot.py)."""

from django.utils.translation import gettext_lazy as _

from tocsin.delivery.kinds import AlertKind, everyone, register

BALLOT = register(
    AlertKind(
        name="ballot",
        label=_("ballot"),
        priority=60,
        templates="votes/messages/ballot",
        link_view="tocsin.votes.views.ballot.from_alert",
        answerers=everyone,
    )
)
