from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "treem.workforce"
    label = "workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from treem.geo import reorganisation
        from treem.workforce.models import StaffMember, TrainingCourse

        # Staff follow their commune or village through reorganisations, as courses their unit.
        reorganisation.register(StaffMember, "unit")
        reorganisation.register(TrainingCourse, "unit")
