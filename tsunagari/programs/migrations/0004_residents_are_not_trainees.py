"""Remove training records made from residents' attendance (issue 10 item 6).

Residents who came to a training session are not trainees, and every role on the platform reads
training records, observers included: their names must not be kept there. Their registration
(with its attendance) stays until purge-event-registrations removes the name.
"""

from django.db import migrations


def drop_residents_records(apps, schema_editor):
    TrainingRecord = apps.get_model("programs", "TrainingRecord")
    TrainingRecord.objects.filter(registration__isnull=False, registration__user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_registration_names_someone_or_purged")]

    operations = [migrations.RunPython(drop_residents_records, migrations.RunPython.noop, elidable=True)]
