from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "treem.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from treem.geo import reorganisation
        from treem.surveys.models import Survey

        # A survey follows the unit it covers through reorganisations (its responses follow their
        # child's or household's commune, which the child database carries).
        reorganisation.register(Survey, "unit")
