from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "treem.indicators"
    label = "indicators"
    verbose_name = _("Indicators and targets")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from treem.geo import reorganisation
        from treem.indicators.models import IndicatorValue, Target
        from treem.indicators.reference import load_after_migrate

        # ``unit`` stays the unit a figure was reported for; ``scope_unit`` follows the units into
        # the new map (with a UnitMove history), so the new units' users keep seeing them.
        reorganisation.register(IndicatorValue, "scope_unit")
        reorganisation.register(Target, "scope_unit")
        post_migrate.connect(load_after_migrate, sender=self, dispatch_uid="indicators_catalogue")
        from treem.core.dashboard import register_section
        from treem.indicators import dashboard

        register_section(dashboard.dashboard_section)
        from treem.core.worklist import register_worklist
        from treem.indicators.selectors import worklist_items

        register_worklist(worklist_items)  # drafts of targets for those who may approve them
