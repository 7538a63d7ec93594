"""Read an alert's delivery counts: by state, and by channel and state, in one query; and
its failures, grouped by channel and reason, with how their fallback fared."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import ContactPoint

from .models import Alert, Delivery

STATES = [status.value for status in Delivery.Status]
# "delivered" counts the sent deliveries a gateway has since said reached the phone (SMS
# status callbacks); it is shown after "sent", of which it is a part.
COUNTS = ["queued", "sent", "delivered", "failed", "skipped"]
LABELS = {**{status.value: status.label for status in Delivery.Status}, "delivered": _("delivered")}


def alert_status(alert: Alert) -> dict:
    """Return {"id", "kind", "state", "audience_size", "deliveries": {...}, "by_channel": {...}}."""
    totals = dict.fromkeys(COUNTS, 0)
    by_channel: dict[str, dict[str, int]] = {}
    rows = (
        Delivery.objects.filter(alert=alert)
        .values("channel", "status")
        .annotate(count=Count("id"), delivered=Count("id", filter=Q(delivered_at__isnull=False)))
        .order_by()
    )
    for row in rows:
        counts = by_channel.setdefault(row["channel"], dict.fromkeys(COUNTS, 0))
        counts[row["status"]] = row["count"]
        totals[row["status"]] += row["count"]
        if row["status"] == Delivery.Status.SENT:
            counts["delivered"] = row["delivered"]
            totals["delivered"] += row["delivered"]
    alert.refresh_from_db(fields=["state", "audience_size", "fanned_out_at"])
    state = alert.state
    # The engine settles an alert (fanout.settle) as its last job ends; a screen may ask a
    # moment earlier, once its deliveries are recorded and none is queued.
    recorded = alert.fanned_out_at is not None or any(totals.values())
    if state == Alert.State.SENDING and totals["queued"] == 0 and recorded:
        state = Alert.State.DONE
    return {
        "id": str(alert.public_id),
        "kind": alert.kind,
        "state": state,
        "audience_size": alert.audience_size,
        "deliveries": totals,
        "by_channel": dict(sorted(by_channel.items())),
    }


def alert_failures(alert: Alert) -> list[dict]:
    """Return the alert's failed deliveries grouped by channel and reason, most first.

    Each group: {"channel", "reason" (as stored), "count", "fallback"}; "fallback" counts
    how the people of the group fared on their next channel: {"reached": sent there,
    "trying": still queued there, "unreached": no other channel, or it failed too}. Web
    push goes in addition to a channel and hands over to nothing: its "fallback" is None.
    """
    elsewhere = Delivery.objects.filter(alert=alert, person=OuterRef("person")).exclude(
        channel=ContactPoint.Channel.PUSH
    )
    rows = (
        Delivery.objects.filter(alert=alert, status=Delivery.Status.FAILED)
        .annotate(
            reached=Exists(elsewhere.filter(status=Delivery.Status.SENT)),
            trying=Exists(elsewhere.filter(status=Delivery.Status.QUEUED)),
        )
        .values("channel", "reason", "reached", "trying")
        .annotate(count=Count("id"))
        .order_by()
    )
    groups: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["channel"], row["reason"])
        group = groups.setdefault(
            key,
            {
                "channel": row["channel"],
                "reason": row["reason"],
                "count": 0,
                "fallback": None
                if row["channel"] == ContactPoint.Channel.PUSH
                else {"reached": 0, "trying": 0, "unreached": 0},
            },
        )
        group["count"] += row["count"]
        if group["fallback"] is not None:
            fared = "reached" if row["reached"] else "trying" if row["trying"] else "unreached"
            group["fallback"][fared] += row["count"]
    return sorted(groups.values(), key=lambda group: (-group["count"], group["channel"]))
