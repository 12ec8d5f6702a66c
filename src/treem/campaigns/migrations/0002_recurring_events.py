from django.db import migrations


def load(apps, schema_editor):
    from treem.campaigns import reference

    reference.ensure_loaded(apps.get_model("campaigns", "RecurringEvent"))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
