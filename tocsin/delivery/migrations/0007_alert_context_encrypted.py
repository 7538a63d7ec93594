"""Encrypt each alert's context (what the message says, and where) at rest.

The context moves to an encrypted column of its own, row by row, and takes the old name.
Going back decrypts it into a JSON column again.
"""

from django.db import migrations

import tocsin.core.crypto


def seal(apps, schema_editor):
    Alert = apps.get_model("delivery", "Alert")
    for alert in Alert.objects.only("pk", "context").iterator(chunk_size=500):
        Alert.objects.filter(pk=alert.pk).update(sealed_context=alert.context or {})


def unseal(apps, schema_editor):
    Alert = apps.get_model("delivery", "Alert")
    for alert in Alert.objects.only("pk", "sealed_context").iterator(chunk_size=500):
        Alert.objects.filter(pk=alert.pk).update(context=alert.sealed_context or {})


class Migration(migrations.Migration):

    dependencies = [
        ("delivery", "0006_alert_kinds_for_collective_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="sealed_context",
            field=tocsin.core.crypto.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(seal, unseal),
        migrations.RemoveField(model_name="alert", name="context"),
        migrations.RenameField(model_name="alert", old_name="sealed_context", new_name="context"),
    ]
