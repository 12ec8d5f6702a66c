from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "treem.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from treem.core import checks, lookups  # noqa: F401 - importing checks registers them

        lookups.register()
