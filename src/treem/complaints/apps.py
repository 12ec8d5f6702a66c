from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "treem.complaints"
    label = "complaints"
    verbose_name = _("Complaints and petitions")

    def ready(self) -> None:
        from treem.complaints.models import Complaint
        from treem.complaints.selectors import dashboard_section
        from treem.core.dashboard import register_section
        from treem.geo import reorganisation

        # An entry follows the unit that received it through reorganisations.
        reorganisation.register(Complaint, "unit")
        # Open and overdue entries on the home page.
        register_section(dashboard_section)
