"""Indexes that keep the send path's plans from reading every queued row (issue 16, decision
0004): no index leads with status any more; the sweeps' indexes hold only the rows they
look for (queued, or queued and tried), and the lease index only leased queued rows (a leased row is always queued: whatever
sends, fails or gives it up clears its claim).

Cost on a big table: dropping three indexes is immediate; each new index reads the table
once and writes only the rows of its condition (the queued ones, the leased ones, the
tried and still queued ones): 0.6 to 1.3 s each on SQLite for a million rows, a tenth of
them queued, on a loaded 2-core machine. On PostgreSQL each CREATE INDEX holds a SHARE lock
(writes wait, reads go on) while it reads the table.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_languages_from_settings"),
        ("delivery", "0011_signal_challenge"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_fallback_due",
        ),
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_claim",
        ),
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_answered_until",
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("attempts__gt", 0), ("status", "queued")),
                fields=["fallback_at"],
                name="delivery_tried_fallback",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("claim__isnull", False), ("status", "queued")),
                fields=["claim"],
                name="delivery_leased",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "queued")),
                fields=["claimed_until"],
                name="delivery_queued_until",
            ),
        ),
    ]
