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
        # The plans' notification events (plans/events.py) are announced once registered:
        # ``plans.events.register_events()`` here, with their scenarios in
        # tests/notifications/test_events.py (which requires one per event of the table).
