from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_reference_data(sender, **kwargs) -> None:
    """Ethnic groups and special-circumstance groups, after every migrate and flush.

    The migration loads them; a flush (the test runner's, after tests with a live server) empties
    the tables but emits post_migrate, which brings them back (idempotent).
    """
    from treem.children import reference
    from treem.children.models import CircumstanceGroup, Ethnicity

    reference.ensure_loaded(Ethnicity, CircumstanceGroup)


class ChildrenConfig(AppConfig):
    name = "treem.children"
    label = "children"
    verbose_name = _("Child database")

    def ready(self) -> None:
        from treem.children.models import Child, Household
        from treem.children.selectors import search_hits, worklist_items
        from treem.core.search import register_finder
        from treem.core.worklist import register_worklist
        from treem.geo import reorganisation

        # Children and households follow their commune through reorganisations.
        reorganisation.register(Child, "commune")
        reorganisation.register(Household, "commune")
        register_finder(search_hits)
        register_worklist(worklist_items)
        from treem.children import dashboard
        from treem.core.dashboard import register_section
        from treem.geo.map import Measure, register_measure

        register_section(dashboard.dashboard_section)
        for key, label, func in dashboard.MAP_MEASURES:
            register_measure(Measure(key, label, func))
        post_migrate.connect(load_reference_data, sender=self, dispatch_uid="children_reference_data")
