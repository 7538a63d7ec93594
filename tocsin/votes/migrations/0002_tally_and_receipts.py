"""The box of ballots becomes a tally per vote and receipts without a choice (decision 0011).

Each vote's filled ballots are counted into its tally, their receipts' keyed hashes are
kept (so a receipt already handed out still says "counted"), and the box is dropped. On
SQLite the pages the box leaves are zeroed (`secure_delete`), not left on the free list
with the ballots in them.
"""

import django.db.models.deletion
from django.db import migrations, models

COUNT_DIGITS = 8


def encode(counts):
    return ",".join(f"{count:0{COUNT_DIGITS}d}" for count in counts)


def leave_room_for_each_new_count(apps, schema_editor):
    """On PostgreSQL, fill the tally's pages only half with rows, so that each cast's new
    version of a row fits in its own page (a HOT update) instead of moving to another
    page and leaving the counts before the cast behind it (decision 0011)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE votes_tally SET (fillfactor = 50)")


def overwrite_what_is_deleted(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("PRAGMA secure_delete = ON")


def count_the_box(apps, schema_editor):
    """Fold each vote's filled ballots into its tally and keep their receipts."""
    Vote = apps.get_model("votes", "Vote")
    Ballot = apps.get_model("votes", "Ballot")
    Tally = apps.get_model("votes", "Tally")
    Receipt = apps.get_model("votes", "Receipt")
    for vote in Vote.objects.order_by("pk").iterator():
        positions = dict(vote.options.values_list("pk", "position"))
        counts = [0] * len(positions)
        receipts = []
        for option_id, receipt_hash in Ballot.objects.filter(
            vote=vote, option__isnull=False
        ).values_list("option_id", "receipt_hash"):
            counts[positions[option_id] - 1] += 1
            if receipt_hash:
                receipts.append(Receipt(vote=vote, receipt_hash=receipt_hash))
        Tally.objects.create(vote=vote, counts=encode(counts))
        Receipt.objects.bulk_create(receipts)


def refill_the_box(apps, schema_editor):
    """Going back: a box of blank ballots, one per elector, with as many filled for each
    option as its count says, each counted one with one of the receipts."""
    Vote = apps.get_model("votes", "Vote")
    Ballot = apps.get_model("votes", "Ballot")
    Tally = apps.get_model("votes", "Tally")
    Receipt = apps.get_model("votes", "Receipt")
    for vote in Vote.objects.order_by("pk").iterator():
        tally = Tally.objects.filter(vote=vote).first()
        counts = [int(count) for count in tally.counts.split(",")] if tally else []
        options = list(vote.options.order_by("position"))
        receipts = iter(Receipt.objects.filter(vote=vote).values_list("receipt_hash", flat=True))
        filled = [
            Ballot(vote=vote, option=option, receipt_hash=next(receipts, None))
            for option, count in zip(options, counts, strict=False)
            for _ballot in range(count)
        ]
        blank = max(0, vote.electors.count() - len(filled))
        Ballot.objects.bulk_create([*filled, *(Ballot(vote=vote) for _ballot in range(blank))])


class Migration(migrations.Migration):
    dependencies = [
        ("votes", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(overwrite_what_is_deleted, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "vote",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tally",
                        serialize=False,
                        to="votes.vote",
                    ),
                ),
                ("counts", models.CharField(max_length=180)),
            ],
        ),
        migrations.RunPython(leave_room_for_each_new_count, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Receipt",
            fields=[
                (
                    "receipt_hash",
                    models.CharField(max_length=64, primary_key=True, serialize=False),
                ),
                (
                    "vote",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="votes.vote",
                    ),
                ),
            ],
        ),
        migrations.RunPython(count_the_box, refill_the_box),
        migrations.DeleteModel(name="Ballot"),
    ]
