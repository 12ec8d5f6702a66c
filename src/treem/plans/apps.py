from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "treem.plans"
    label = "plans"
    verbose_name = _("Plans and tasks")

    def ready(self) -> None:
        from treem.geo import reorganisation
        from treem.plans.models import Inspection, Plan, Task

        # A plan, a task's unit and an inspection follow their unit through reorganisations.
        reorganisation.register(Plan, "unit")
        reorganisation.register(Task, "unit")
        reorganisation.register(Inspection, "unit")
        # The plans' notification events (plans/events.py), in the table of notifications/events.py;
        # tests/notifications/test_events.py holds a scenario for each.
        from treem.core.dashboard import register_section
        from treem.core.worklist import register_worklist
        from treem.plans import dashboard, events, selectors

        events.register_events()
        register_section(dashboard.dashboard_section)
        # The periodic reports a person's agency or commune owes, and those the coordinator decides.
        register_worklist(selectors.worklist_items)
