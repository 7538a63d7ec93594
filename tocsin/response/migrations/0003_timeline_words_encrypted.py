"""Keep the words of a timeline line (an alert's message, an answer's note, a place)
encrypted, apart from its ids, counts and states."""

from django.db import migrations

import tocsin.core.crypto

TEXT_FIELDS = ("message", "note", "where")


def seal(apps, schema_editor):
    TimelineEntry = apps.get_model("response", "TimelineEntry")
    for entry in TimelineEntry.objects.only("pk", "detail").iterator(chunk_size=500):
        detail = dict(entry.detail or {})
        words = {key: detail.pop(key) for key in TEXT_FIELDS if key in detail}
        if words:
            TimelineEntry.objects.filter(pk=entry.pk).update(detail=detail, words=words)


def unseal(apps, schema_editor):
    TimelineEntry = apps.get_model("response", "TimelineEntry")
    for entry in TimelineEntry.objects.only("pk", "detail", "words").iterator(chunk_size=500):
        if entry.words:
            detail = {**(entry.detail or {}), **entry.words}
            TimelineEntry.objects.filter(pk=entry.pk).update(detail=detail)


class Migration(migrations.Migration):

    dependencies = [
        ("response", "0002_reports_keep_no_source_and_bursts"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="words",
            field=tocsin.core.crypto.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(seal, unseal),
    ]
