from django.db import migrations


def load(apps, schema_editor):
    from treem.cases import reference

    reference.ensure_loaded(
        apps.get_model("cases", "CaseStep"),
        apps.get_model("cases", "CaseTransition"),
        apps.get_model("cases", "HarmKind"),
        apps.get_model("cases", "RiskFactor"),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
