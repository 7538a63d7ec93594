from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0003_freeze_rolls_of_sent_pledges'),
    ]

    operations = [
        migrations.RemoveField(model_name='signature', name='group'),
        migrations.RenameField(model_name='signature', old_name='asked_group', new_name='group'),
        migrations.AlterField(
            model_name='signature',
            name='group',
            field=models.ForeignKey(blank=True, null=True, on_delete=models.deletion.CASCADE, related_name='signatures', to='pledges.askedgroup'),
        ),
    ]
