from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "treem.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from treem.cases.deadline_checks import dashboard_section
        from treem.core.dashboard import register_section

        # The overdue and due-soon deadlines of cases on the home page (officer, supervisor, province).
        register_section(dashboard_section)
