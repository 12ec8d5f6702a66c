from django import forms
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Every date field of every form says how to type a date when it cannot read one. Set when the
# app configs are imported, before any form class (and its fields' messages) exists.
forms.DateField.default_error_messages = {
    **forms.DateField.default_error_messages,
    "invalid": _("Enter the date as day/month/year, for example 15/03/2020."),
}
forms.DateTimeField.default_error_messages = {
    **forms.DateTimeField.default_error_messages,
    "invalid": _("Enter the date and time as day/month/year hour:minute, for example 15/03/2020 14:30."),
}


class CoreConfig(AppConfig):
    name = "treem.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from treem.core import checks, lookups  # noqa: F401 - importing checks registers them

        lookups.register()
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="core_cache_table")


def create_cache_table(*, using: str = "default", **kwargs) -> None:
    """post_migrate: the shared cache's table (settings.CACHES) wherever migrate runs — ``treem
    demo``, a deployment's migrate, a restore, the tests' database. Idempotent."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
