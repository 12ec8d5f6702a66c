from django.db import migrations


def load(apps, schema_editor):
    from treem.children import reference

    Ethnicity = apps.get_model("children", "Ethnicity")
    Group = apps.get_model("children", "CircumstanceGroup")
    for code, name in reference.ETHNIC_GROUPS:
        Ethnicity.objects.update_or_create(code=code, defaults={"name": name})
    for order, (code, name) in enumerate(reference.CIRCUMSTANCE_GROUPS, start=1):
        Group.objects.update_or_create(
            code=code, defaults={"name": name, "legal_basis": reference.LAW, "sort_order": order}
        )
    code, name, basis = reference.AT_RISK
    Group.objects.update_or_create(
        code=code,
        defaults={"name": name, "legal_basis": basis, "sort_order": 100, "is_special_circumstance": False},
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
