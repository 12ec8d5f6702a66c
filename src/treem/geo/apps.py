from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "treem.geo"
    label = "geo"
    verbose_name = _("Geography")

    def ready(self) -> None:
        from treem.core.dashboard import register_section
        from treem.geo import map as commune_map
        from treem.geo import reorganisation

        reorganisation.register_builtin()
        register_section(commune_map.dashboard_section)
