from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "treem.campaigns"
    label = "campaigns"
    verbose_name = _("Communication campaigns")

    def ready(self) -> None:
        from treem.campaigns.models import Campaign
        from treem.geo import reorganisation

        reorganisation.register(Campaign, "unit")
