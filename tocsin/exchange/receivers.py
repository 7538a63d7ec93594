"""Hear what the apps below do, and announce it to the webhooks that follow it.

Each receiver only queues deliveries once the change's transaction commits (a change that
rolls back announces nothing), and builds the payload then, from the committed rows.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tocsin.campaigns.models import Event, Rsvp
from tocsin.delivery.models import Alert
from tocsin.delivery.signals import alert_fanned_out
from tocsin.response.models import Incident

from . import events
from .models import Webhook
from .services.webhooks import announce


def followed(organization_id: int) -> bool:
    """Whether the organization has a webhook at all (most have none: no work then)."""
    return Webhook.objects.filter(organization_id=organization_id).exists()


@receiver(post_save, sender=Incident, dispatch_uid="exchange.incident_state")
def incident_saved(sender, instance: Incident, created: bool, update_fields=None, **kwargs):
    if not (created or (update_fields and "state" in update_fields)):
        return
    if followed(instance.organization_id):
        transaction.on_commit(partial(announce_incident, instance.pk))


def announce_incident(incident_id: int) -> None:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is not None:
        announce(incident.organization_id, events.INCIDENT_STATE, events.incident_state(incident))


@receiver(alert_fanned_out, dispatch_uid="exchange.alert_sent")
def alert_out(sender, alert: Alert, audience_size: int, **kwargs):
    if followed(alert.organization_id):
        transaction.on_commit(partial(announce_alert, alert.pk, audience_size))


def announce_alert(alert_id: int, audience_size: int) -> None:
    alert = Alert.objects.select_related("incident").filter(pk=alert_id).first()
    if alert is not None:
        announce(alert.organization_id, events.ALERT_SENT, events.alert_sent(alert, audience_size))


@receiver(post_save, sender=Rsvp, dispatch_uid="exchange.turnout")
def rsvp_saved(sender, instance: Rsvp, **kwargs):
    # One query on every RSVP and check-in: whether the event's organization has a webhook.
    hosts = Event.objects.filter(pk=instance.event_id).values("organization_id")
    if Webhook.objects.filter(organization_id__in=hosts).exists():
        transaction.on_commit(partial(announce_turnout, instance.event_id))


def announce_turnout(event_id: int) -> None:
    event = Event.objects.filter(pk=event_id).first()
    if event is not None:
        announce(event.organization_id, events.TURNOUT, events.turnout(event))
