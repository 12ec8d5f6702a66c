from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_reference_data(sender, **kwargs) -> None:
    """Steps, transitions, kinds of harm and risk factors, after every migrate and flush.

    The migration loads them too; a flush (the test runner's, after tests with a live server)
    empties the tables but emits post_migrate, which brings them back (idempotent).
    """
    from treem.cases import reference
    from treem.cases.models import CaseStep, CaseTransition, HarmKind, RiskFactor

    reference.ensure_loaded(CaseStep, CaseTransition, HarmKind, RiskFactor)


class CasesConfig(AppConfig):
    name = "treem.cases"
    label = "cases"
    verbose_name = _("Child protection cases")

    def ready(self) -> None:
        from treem.cases import checks  # noqa: F401 - registers the field-key system check
        from treem.cases.models import Case, Report
        from treem.cases.selectors import search_hits, worklist_items
        from treem.core.search import register_finder
        from treem.core.worklist import register_worklist
        from treem.geo import reorganisation

        # A case follows its commune through reorganisations; a report follows the unit that
        # holds it (a commune, or a province while the place is not known).
        reorganisation.register(Case, "commune")
        reorganisation.register(Report, "unit")
        register_finder(search_hits)
        register_worklist(worklist_items)
        from treem.cases import dashboard
        from treem.core.dashboard import register_section
        from treem.geo.map import Measure, register_measure

        register_section(dashboard.dashboard_section)
        for key, label, func in dashboard.MAP_MEASURES:
            register_measure(Measure(key, label, func))
        post_migrate.connect(load_reference_data, sender=self, dispatch_uid="cases_reference_data")
