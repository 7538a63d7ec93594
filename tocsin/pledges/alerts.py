"""The pledge's kind of alert, registered with the delivery engine (tocsin.delivery.kinds):
its link opens the pledge for its recipient to sign (views/member.py)."""

from django.utils.translation import gettext_lazy as _

from tocsin.delivery.kinds import AlertKind, everyone, register

PLEDGE = register(
    AlertKind(
        name="pledge",
        label=_("pledge"),
        priority=60,
        templates="pledges/messages/pledge",
        link_view="tocsin.pledges.views.member.from_alert",
        answerers=everyone,
    )
)
