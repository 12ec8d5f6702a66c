from django.db import migrations


def load(apps, schema_editor):
    from treem.children import reference

    reference.ensure_loaded(
        apps.get_model("children", "Ethnicity"), apps.get_model("children", "CircumstanceGroup")
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
