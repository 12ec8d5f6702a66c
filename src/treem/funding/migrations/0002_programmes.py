from django.db import migrations


def load(apps, schema_editor):
    from treem.funding import reference

    reference.ensure_loaded(apps.get_model("funding", "Programme"))


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
