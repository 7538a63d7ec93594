"""Give every pledge already sent (or signed) the roll it would have taken at its send, as
its scope stands when this runs: from then on only that roll counts (decision 0009)."""

from django.db import migrations
from django.utils import timezone


def freeze_rolls(apps, schema_editor):
    """Take the roll of every pledge already sent or signed, as its scope stands now, and
    put each signature in its group (the unit it was counted in, or the one group)."""
    Pledge = apps.get_model("pledges", "Pledge")
    Membership = apps.get_model("accounts", "Membership")
    AskedGroup = apps.get_model("pledges", "AskedGroup")
    AskedMember = apps.get_model("pledges", "AskedMember")
    for pledge in Pledge.objects.exclude(state="expired").select_related("organization", "site"):
        if pledge.invited_at is None and not pledge.signatures.exists():
            continue
        memberships = Membership.objects.filter(organization_id=pledge.organization_id, active=True)
        units = sorted(pledge.units.all(), key=lambda unit: (unit.name, unit.pk))
        if pledge.scope in ("unit", "units_each"):
            planned = [(unit.name, unit, memberships.filter(unit=unit)) for unit in units]
        elif pledge.scope == "units_all":
            names = ", ".join(unit.name for unit in units)
            planned = [(names, None, memberships.filter(unit__in=units))]
        elif pledge.scope == "site":
            name = pledge.site.name if pledge.site else ""
            planned = [(name, None, memberships.filter(site_id=pledge.site_id))]
        else:
            planned = [(pledge.organization.name, None, memberships)]
        by_unit = {}
        for name, unit, members in planned:
            group = AskedGroup.objects.create(pledge=pledge, unit=unit, name=name[:300])
            by_unit[unit.pk if unit else None] = group
            AskedMember.objects.bulk_create(
                AskedMember(pledge=pledge, group=group, person_id=person_id)
                for person_id in members.values_list("person_id", flat=True).distinct()
            )
        first = next(iter(by_unit.values()), None)
        for signature in pledge.signatures.all():
            signature.asked_group = by_unit.get(signature.group_id, first)
            signature.save(update_fields=["asked_group"])
        pledge.roll_taken_at = pledge.invited_at or timezone.now()
        pledge.save(update_fields=["roll_taken_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0002_roll_taken_at_send'),
    ]

    operations = [
        migrations.RunPython(freeze_rolls, migrations.RunPython.noop),
    ]
