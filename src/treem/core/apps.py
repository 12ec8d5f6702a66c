from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "treem.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from treem.core import checks  # noqa: F401 - registers the system checks
        from treem.core import lookups

        lookups.register()
