"""Create and send alerts. Sending records every delivery, then workers send them in chunks."""

from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import Organization, Person, Subscription
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit

from .kinds import check_kind
from .models import Alert
from .notices import alert_wanted_by_channels, notify_channels
from .tasks import fan_out


def create_alert(
    organization: Organization,
    kind: str,
    context: dict,
    audience: dict,
    actor: Person | None = None,
    incident=None,
) -> Alert:
    """Return a new draft alert for an organization (nothing is sent yet), about an
    incident if one is given. A kind no installed app registers raises ValidationError on
    `kind` (kinds.py)."""
    check_kind(kind)
    alert = Alert.objects.create(
        organization=organization,
        kind=kind,
        context=context,
        audience=audience,
        created_by=actor,
        incident=incident,
    )
    record(actor, "delivery.alert.created", alert, kind=kind)
    return alert


@transaction.atomic
def send_alert(alert: Alert, actor: Person | None = None) -> Alert:
    """Start sending a draft alert: its deliveries are recorded and sent by the workers.

    Sending an alert that is already on its way changes nothing (a second click, a retry).
    """

    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state != Alert.State.DRAFT:
        return alert
    alert.state = Alert.State.SENDING
    alert.sent_at = timezone.now()
    alert.save(update_fields=["state", "sent_at"])
    record(actor, "delivery.alert.sent", alert, kind=alert.kind)
    # A queue that is down now delays the fan-out; it does not lose it: the sweeper
    # (fanout.resume_stalled) fans out an alert sending whose fanned_out_at is not set.
    enqueue_on_commit(fan_out, alert.pk, priority=alert.priority)
    if alert_wanted_by_channels(alert):
        enqueue_on_commit(notify_channels, alert.pk, priority=alert.priority)
    return alert


@transaction.atomic
def stop_following(person: Person, organization: Organization) -> int:
    """Remove the person's follows in the organization (an email's unsubscribe); return how
    many. Their follows in other organizations and everything else about them stay."""
    removed, _kinds = Subscription.objects.filter(person=person, organization=organization).delete()
    record(
        person,
        "delivery.subscriptions.stopped",
        person,
        organization=organization,
        removed=removed,
    )
    return removed
