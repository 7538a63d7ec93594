"""The audit log names a case by its code, as every screen does: entries written before
step 8 named it by its public id, and are given its code so a filter by the code finds
them too."""

from django.db import migrations


def name_cases_by_code(apps, schema_editor):
    Case = apps.get_model("hotline", "Case")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for public_id, code in Case.objects.values_list("public_id", "code").iterator():
        AuditEntry.objects.filter(object_type="case", object_id=str(public_id)).update(
            object_id=code
        )


def name_cases_by_id(apps, schema_editor):
    Case = apps.get_model("hotline", "Case")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for public_id, code in Case.objects.values_list("public_id", "code").iterator():
        AuditEntry.objects.filter(object_type="case", object_id=code).update(
            object_id=str(public_id)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("hotline", "0003_case_closes_after_its_turns"),
    ]

    operations = [migrations.RunPython(name_cases_by_code, name_cases_by_id)]
