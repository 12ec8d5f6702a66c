from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_reference_data(sender, **kwargs) -> None:
    """The provincial programmes, after every migrate and flush (a live-server test's flush
    empties the table but emits post_migrate, which brings them back)."""
    from treem.funding import reference
    from treem.funding.models import Programme

    reference.ensure_loaded(Programme)


class FundingConfig(AppConfig):
    name = "treem.funding"
    label = "funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from treem.funding.models import Donation, DonationUse, Donor, InternationalProject
        from treem.geo import reorganisation

        # Records owned by a unit follow it through reorganisations (sponsorships follow their
        # child's commune, budget lines their agency).
        for model in (Donation, DonationUse, Donor, InternationalProject):
            reorganisation.register(model, "unit")
        post_migrate.connect(load_reference_data, sender=self, dispatch_uid="funding_reference_data")
