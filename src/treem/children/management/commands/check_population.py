"""``treem check_population [--commune CODE] [--limit N] [--user USERNAME]``: check children's ID
numbers against the national population database, those never checked (or checked longest ago)
first."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.children.choices import IdCheckStatus
from treem.children.models import Child
from treem.children.population import PopulationError, children_check_population, registry_from_settings
from treem.geo.models import Unit, UnitLevel


def commune_by_code(code: str) -> Unit:
    """The commune in force today with this code, or a CommandError."""
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE, code=code).valid_on(timezone.localdate()).first()
    if commune is None:
        raise CommandError(_("No commune in force today has the code %(code)s.") % {"code": code})
    return commune


class Command(BaseCommand):
    help = (
        "Check children's personal identification numbers, names and dates of birth against the "
        "national population database (TREEM_POPULATION_URL) and record the outcome on each child. "
        "Bounded: at most --limit children per run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", metavar="CODE", help="only the children of this commune")
        parser.add_argument("--limit", type=int, default=500, help="at most this many children (default 500)")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="act as this user (their units and permissions); default: the system",
        )

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user is called %(name)s.") % {"name": options["user"]})
        queryset = Child.objects.all()
        if options["commune"]:
            queryset = queryset.filter(commune=commune_by_code(options["commune"]))
        try:
            registry = registry_from_settings()
            result = children_check_population(
                acting_user=user, queryset=queryset, registry=registry, limit=options["limit"]
            )
        except PopulationError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for status in IdCheckStatus:
            if result.counts[status]:
                self.stdout.write(f"{status.label}: {result.counts[status]}")
        self.stdout.write(
            _("%(checked)s checked, %(remaining)s left for a later run, %(no_id)s without an ID number.")
            % {"checked": result.checked, "remaining": result.remaining, "no_id": result.skipped_no_id}
        )
        if result.skipped_malformed:
            self.stdout.write(
                _("%(count)s with a malformed ID number (see the data-quality page).")
                % {"count": result.skipped_malformed}
            )
        if result.stopped:
            raise CommandError(_("Stopped early: %(reason)s") % {"reason": result.stopped})
