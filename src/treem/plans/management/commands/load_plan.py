"""``treem load_plan [FILE] --user USERNAME``: load a plan (YAML or JSON); twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.core.scope import ScopeError
from treem.plans.loader import BUNDLED_PLAN, plan_load_file


class Command(BaseCommand):
    help = (
        "Load a plan from a YAML or JSON file (default: the bundled Kế hoạch 7947/KH-UBND): its legal "
        "bases, sections, agencies, tasks and reporting periods. Loading the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", nargs="?", default=str(BUNDLED_PLAN))
        parser.add_argument("--user", metavar="USERNAME", help="the acting coordinator (or administrator)")

    def handle(self, *args, **options) -> None:
        username = options.get("user")
        if not username:
            raise CommandError(_("Name the acting user with --user USERNAME."))
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        try:
            result = plan_load_file(acting_user=user, path=path)
        except ScopeError as exc:
            raise CommandError(
                _("%(name)s may not load plans for this province.") % {"name": username}
            ) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not result.changed:
            self.stdout.write(_("The plan was already loaded: nothing changed."))
            return
        created = ", ".join(f"{k}: {v}" for k, v in sorted(result.created.items()))
        self.stdout.write(_("Loaded %(plan)s (%(created)s).") % {"plan": result.plan.key, "created": created})
        from treem.plans.models import Binding, PlanAgency

        waiting = PlanAgency.objects.filter(plan=result.plan, binding=Binding.WAITING).order_by("code")
        if waiting:
            self.stdout.write(
                _("Agencies the register does not know yet, waiting for the coordinator's choice: %(names)s.")
                % {"names": "; ".join(n.name for n in waiting)}
            )
