from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0003_freeze_rolls_of_sent_pledges'),
    ]

    operations = [
        migrations.RemoveField(model_name='signature', name='counted_in'),
    ]
