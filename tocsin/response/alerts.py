"""The kinds of alert rapid response sends (decision 0007), registered with the delivery
engine (tocsin.delivery.kinds): its templates are under response/messages/, its links open
the answer page (views/answers.py), and its answer rules say who acts from the link."""

from django.db.models import QuerySet
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


# In this order, so that a notice channel's kinds read verified, all-clear, retraction.
VERIFIED = register(
    AlertKind(
        name="verified",
        label=_("verified alert"),
        priority=100,
        templates="response/messages/verified",
        subscriptions=AlertKinds.RAIDS,
        link_view=ANSWER_PAGE,
        words=what_was_seen,
        answerers=movers,
        to_notice_channels=True,
    )
)
NEW_INCIDENT = register(
    AlertKind(
        name="new_incident",
        label=_("new incident, to dispatchers"),
        priority=90,
        templates="response/messages/new_incident",
        link_view=ANSWER_PAGE,
        words=what_was_seen,
    )
)
VERIFY_REQUEST = register(
    AlertKind(
        name="verify_request",
        label=_("verify request"),
        priority=90,
        templates="response/messages/verify_request",
        link_view=ANSWER_PAGE,
        words=what_was_seen,
        answerers=everyone,
    )
)
DISPATCH = register(
    AlertKind(
        name="dispatch",
        label=_("dispatch"),
        priority=90,
        templates="response/messages/dispatch",
        link_view=ANSWER_PAGE,
        words=what_was_seen,
        answerers=everyone,
    )
)
ALL_CLEAR = register(
    AlertKind(
        name="all_clear",
        label=_("all-clear"),
        priority=90,
        templates="response/messages/all_clear",
        subscriptions=AlertKinds.RAIDS | AlertKinds.ALL_CLEAR,
        link_view=ANSWER_PAGE,
        words=what_was_seen,
        to_notice_channels=True,
    )
)
RETRACTION = register(
    AlertKind(
        name="retraction",
        label=_("retraction"),
        priority=100,
        templates="response/messages/retraction",
        subscriptions=AlertKinds.RAIDS | AlertKinds.ALL_CLEAR,
        link_view=ANSWER_PAGE,
        words=what_was_seen,
        to_notice_channels=True,
    )
)
