"""Sharing agreements are offered, accepted, declined or ended, with a direction, a start, a
planned end and named sites; a federation or coalition offers to its members in one circle.

Today's agreements become agreements in force from when they were made: an active one with
an end to come keeps it as its planned end; one made inactive, or whose end has passed, is
ended (decision 0028)."""

import django.db.models.deletion
import django.utils.timezone
import tocsin.core.ids
from django.conf import settings
from django.db import migrations, models


def in_force_from_active(apps, schema_editor):
    SharingAgreement = apps.get_model("accounts", "SharingAgreement")
    now = django.utils.timezone.now()
    for agreement in SharingAgreement.objects.all():
        agreement.code = tocsin.core.ids.short_code()
        agreement.starts_at = agreement.created_at
        if not agreement.active or (agreement.ended_at and agreement.ended_at <= now):
            agreement.state = "ended"
            agreement.ended_at = agreement.ended_at or now
        else:
            agreement.state = "in_force"
            agreement.ends_at, agreement.ended_at = agreement.ended_at, None
        agreement.save(update_fields=["code", "starts_at", "state", "ends_at", "ended_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_sharing_what'),
    ]

    operations = [
        migrations.CreateModel(
            name='SharingCircle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(default=tocsin.core.ids.short_code, editable=False, max_length=12, unique=True)),
                ('state', models.CharField(choices=[('open', 'open'), ('ended', 'ended')], default='open', max_length=10)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AlterModelOptions(
            name='sharingagreement',
            options={'ordering': ['-created_at', 'pk']},
        ),
        migrations.RemoveConstraint(
            model_name='sharingagreement',
            name='one_agreement',
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='answered_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='answered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='code',
            field=models.CharField(default=tocsin.core.ids.short_code, editable=False, max_length=12, null=True),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='direction',
            field=models.CharField(choices=[('one_way', 'one way'), ('both_ways', 'both ways')], default='one_way', max_length=10, verbose_name='direction'),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='ended_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='ended_by_organization',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.organization'),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='ends_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='planned end'),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='offered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='sites',
            field=models.ManyToManyField(blank=True, related_name='sharing_agreements', to='accounts.site'),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='starts_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='starts'),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='state',
            field=models.CharField(choices=[('offered', 'offered'), ('in_force', 'in force'), ('declined', 'declined'), ('ended', 'ended')], default='in_force', max_length=10),
        ),
        migrations.AddField(
            model_name='sharingcircle',
            name='convener',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sharing_circles', to='accounts.organization'),
        ),
        migrations.AddField(
            model_name='sharingagreement',
            name='circle',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='agreements', to='accounts.sharingcircle'),
        ),
        migrations.AddConstraint(
            model_name='sharingagreement',
            constraint=models.UniqueConstraint(condition=models.Q(('circle__isnull', False)), fields=('circle', 'organization', 'partner'), name='one_agreement_per_pair_in_a_circle'),
        ),
        migrations.RunPython(in_force_from_active, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='sharingagreement',
            name='code',
            field=models.CharField(default=tocsin.core.ids.short_code, editable=False, max_length=12, unique=True),
        ),
        migrations.RemoveField(
            model_name='sharingagreement',
            name='active',
        ),
    ]
