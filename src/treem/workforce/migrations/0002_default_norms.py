from django.db import migrations


def load(apps, schema_editor):
    from treem.workforce import reference

    reference.ensure_loaded(apps.get_model("workforce", "StaffingNorm"))


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
