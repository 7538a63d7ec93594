"""The hotline's kind of alert, registered with the delivery engine (tocsin.delivery.kinds):
a notice to the hotline volunteers of a new case, a locked trigger or a task due."""

from django.utils.translation import gettext_lazy as _

from tocsin.delivery.kinds import AlertKind, register

HOTLINE = register(
    AlertKind(
        name="hotline",
        label=_("hotline notice"),
        priority=100,
        templates="hotline/messages/hotline",
    )
)
