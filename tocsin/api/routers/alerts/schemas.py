"""What the alerts router answers: an alert's delivery counts."""

from ninja import Schema


class Counts(Schema):
    queued: int
    sent: int
    delivered: int  # of those sent, how many the gateway says reached the phone (SMS)
    failed: int
    skipped: int


class AlertStatusOut(Schema):
    id: str
    kind: str
    state: str
    audience_size: int
    deliveries: Counts
    by_channel: dict[str, Counts]
