"""Load the 47 prefectures and 1,741 municipalities from tsunagari/tenancy/data (the platform's reference data).

Derived from Japan Post's postal code data (see tsunagari/tenancy/reference.py). On a database
that already has areas from くらし支援ナビ, names and kana are brought in line and the 160
municipalities stored under a code with a wrong check digit move to their right code, with every
row that points at them.
"""

from django.db import migrations


def load(apps, schema_editor):
    from tsunagari.tenancy.reference import load_reference_areas

    load_reference_areas(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_alter_municipality_kind"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
