"""``treem load_indicators``: load (or refresh) the indicator catalogue; a second run changes nothing."""

from django.core.management.base import BaseCommand

from treem.audit.services import audit_record
from treem.indicators.reference import load_catalogue


class Command(BaseCommand):
    help = "Load the indicator catalogue (Programme of Action 2021–2030, Circular 13/2021, child-friendly)."

    def handle(self, *args, **options):
        created, updated = load_catalogue()
        if created or updated:
            audit_record(
                None,
                "indicators.catalogue.loaded",
                None,
                object_label="indicators",
                changes={"created": created, "updated": updated},
            )
        self.stdout.write(f"{created} created, {updated} updated")
