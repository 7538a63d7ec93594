"""The fan-out's outbox (Alert.fanned_out_at) and an index for the sweeper's look-up of
queued deliveries nobody answers for.

Alerts sent before this step count as fanned out (their fan-out ran or was lost long ago:
the sweeper must not send an old alert now), and those with nothing left queued as done.
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce


def mark_sent_alerts(apps, schema_editor):
    Alert = apps.get_model("delivery", "Alert")
    Delivery = apps.get_model("delivery", "Delivery")
    sent = Alert.objects.exclude(state="draft")
    sent.update(fanned_out_at=Coalesce("sent_at", "created_at"))
    queued = Delivery.objects.filter(alert_id=OuterRef("pk"), status="queued")
    sent.filter(state="sending").filter(~Exists(queued)).update(state="done")


class Migration(migrations.Migration):

    dependencies = [
        ("delivery", "0008_delivery_first_tried_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="fanned_out_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["status", "claimed_until"], name="delivery_answered_until"),
        ),
        migrations.RunPython(mark_sent_alerts, migrations.RunPython.noop, elidable=True),
    ]
