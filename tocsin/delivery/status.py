"""Read an alert's delivery counts: by state, and by channel and state, in one query."""

from django.db.models import Count

from .models import Alert, Delivery

STATES = [status.value for status in Delivery.Status]


def alert_status(alert: Alert) -> dict:
    """Return {"id", "kind", "state", "audience_size", "deliveries": {...}, "by_channel": {...}}."""
    totals = dict.fromkeys(STATES, 0)
    by_channel: dict[str, dict[str, int]] = {}
    rows = (
        Delivery.objects.filter(alert=alert)
        .values("channel", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        totals[row["status"]] += row["count"]
        by_channel.setdefault(row["channel"], dict.fromkeys(STATES, 0))[row["status"]] = row[
            "count"
        ]
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
