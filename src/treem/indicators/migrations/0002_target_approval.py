"""Targets are approved by a second person (status, approved_by, approved_at).

The targets already kept were entered before approval existed and have counted in traffic lights,
dashboards and reports since: the data migration marks them approved, as they were in effect,
with approved_at = their last change and approved_by left empty (nobody approved them in treem).
Going back leaves the fields' removal to the schema operations.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def mark_existing_approved(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    Target.objects.update(status="approved", approved_at=models.F("updated_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0004_kind_help_text'),
        ('indicators', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='target',
            options={'ordering': ['year', 'indicator__programme', 'indicator__sort_order', 'indicator__code', 'unit_id'], 'permissions': [('approve_target', "Can approve targets (not one's own)")], 'verbose_name': 'target', 'verbose_name_plural': 'targets'},
        ),
        migrations.AddField(
            model_name='target',
            name='approved_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='approved at'),
        ),
        migrations.AddField(
            model_name='target',
            name='approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by'),
        ),
        migrations.AddField(
            model_name='target',
            name='status',
            field=models.CharField(choices=[('draft', 'draft (awaiting approval)'), ('approved', 'approved')], default='draft', max_length=10, verbose_name='status'),
        ),
        migrations.RunPython(mark_existing_approved, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('approved_at__isnull', True), ('approved_by__isnull', True), ('status', 'draft')), models.Q(('approved_at__isnull', False), ('status', 'approved')), _connector='OR'), name='indicators_target_approval_consistent'),
        ),
    ]
