"""Registry records created from a child protection report said so in their ``source``
("Child protection report" / "Thông báo, tố giác về bảo vệ trẻ em"). Joined with the statistics
on abuse, that named a child as a victim to people outside the case's group: the case links to
the child, the child's record keeps no trace of it."""

from django.db import migrations

CASE_REPORT_SOURCES = ("Child protection report", "Thông báo, tố giác về bảo vệ trẻ em")


def forget_case_source(apps, schema_editor):
    Child = apps.get_model("children", "Child")
    Child.objects.filter(source__in=CASE_REPORT_SOURCES).update(source="")


class Migration(migrations.Migration):
    dependencies = [("children", "0006_source_key_index_order")]

    operations = [migrations.RunPython(forget_case_source, migrations.RunPython.noop)]
