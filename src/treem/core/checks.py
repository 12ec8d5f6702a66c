"""System checks: every model with a restricted manager must say how it is scoped."""

from django.apps import apps
from django.core import checks

from treem.core.scope import RestrictedQuerySet


@checks.register()
def scope_declared(app_configs=None, **kwargs):
    errors = []
    for model in apps.get_models():
        manager = model._default_manager
        if isinstance(manager.get_queryset(), RestrictedQuerySet) and not hasattr(model, "scope_path_lookup"):
            errors.append(
                checks.Error(
                    f"{model._meta.label} uses RestrictedQuerySet but declares no scope_path_lookup",
                    hint='Add scope_path_lookup = "unit__path" (the owning unit), or "" for reference data.',
                    obj=model,
                    id="treem.E001",
                )
            )
    return errors
