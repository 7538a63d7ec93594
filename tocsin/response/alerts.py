"""The kinds of alert rapid response sends (decision 0007), registered with the delivery
engine (tocsin.delivery.kinds): its templates are under response/messages/, its links open
the answer page (views/answers.py), and its answer rules say who acts from the link."""

from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import AlertKinds, Membership
from tocsin.accounts.roles import Role, has_role
from tocsin.delivery.kinds import AlertKind, everyone, register
from tocsin.delivery.models import Alert

from .wording import what_was_seen

ANSWER_PAGE = "tocsin.response.views.answers.alert_page"
# Who answers a verified alert en route or on scene.
MOVERS = Role.RESPONDER | Role.LEGAL_OBSERVER | Role.LEGAL_VAN


def movers(alert: Alert, people: QuerySet) -> QuerySet:
    """Answer rule of a verified alert: the responders, legal observers and legal van crews
    among `people` (they answer en route, on scene); nobody when it names no incident."""
    if alert.incident_id is None:
        return Membership.objects.none().values_list("person_id", flat=True)
    return Membership.objects.filter(
        has_role(MOVERS),
        organization_id=alert.organization_id,
        active=True,
        person_id__in=people,
    ).values_list("person_id", flat=True)


def rapid_response_kind(name: str, label: Promise, priority: int, **rules: Any) -> AlertKind:
    """Register one of rapid response's kinds: its templates under response/messages/, its
    link opening the answer page, its `what` said from the codes of what was seen."""
    return register(
        AlertKind(
            name=name,
            label=label,
            priority=priority,
            templates=f"response/messages/{name}",
            link_view=ANSWER_PAGE,
            words=what_was_seen,
            **rules,
        )
    )


# In this order, so that a notice channel's kinds read verified, all-clear, retraction.
VERIFIED = rapid_response_kind(
    "verified",
    _("verified alert"),
    100,
    subscriptions=AlertKinds.RAIDS,
    answerers=movers,
    to_notice_channels=True,
    site_rights=True,
)
NEW_INCIDENT = rapid_response_kind("new_incident", _("new incident, to dispatchers"), 90)
VERIFY_REQUEST = rapid_response_kind("verify_request", _("verify request"), 90, answerers=everyone)
DISPATCH = rapid_response_kind("dispatch", _("dispatch"), 90, answerers=everyone)
ALL_CLEAR = rapid_response_kind(
    "all_clear",
    _("all-clear"),
    90,
    subscriptions=AlertKinds.RAIDS | AlertKinds.ALL_CLEAR,
    to_notice_channels=True,
)
RETRACTION = rapid_response_kind(
    "retraction",
    _("retraction"),
    100,
    subscriptions=AlertKinds.RAIDS | AlertKinds.ALL_CLEAR,
    to_notice_channels=True,
)
