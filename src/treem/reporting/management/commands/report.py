"""``treem report --year 2026 [--period Q1] [--unit 48] --user NAME --out F.docx [--xlsx F.xlsx]``."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.scope import ScopeError, unit_in_scope
from treem.geo.models import Unit
from treem.plans.models import COORDINATE
from treem.reporting import document, selectors, services


class Command(BaseCommand):
    help = (
        "Make the consolidated report of a closed period of a plan: the official document (.docx) and "
        "its figures (.xlsx). --period: year (default), Q1–Q4, S1, S2, preliminary, final. The report "
        "is generated as the acting user (--user, a coordinator of the plan's unit) and audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--period", default="year", help="year, Q1–Q4, S1, S2, preliminary or final")
        parser.add_argument("--unit", metavar="CODE", help="the code of the plan's province (or unit)")
        parser.add_argument("--plan", metavar="KEY", help="the plan's key, when the unit has several")
        parser.add_argument("--user", metavar="USERNAME", help="the acting coordinator")
        parser.add_argument("--out", metavar="FILE.docx", required=True)
        parser.add_argument("--xlsx", metavar="FILE.xlsx", help="also write the figures")
        parser.add_argument(
            "--issuer", choices=[document.COMMITTEE, document.DEPARTMENT], default=document.COMMITTEE
        )
        parser.add_argument("--number", default="", help="the report's number (empty: numbered by the clerk)")
        parser.add_argument("--signer", default="", help="the signer's name")

    def handle(self, *args, **options) -> None:
        username = options.get("user")
        if not username:
            raise CommandError(_("Name the acting user with --user USERNAME."))
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        if not user.has_perm(COORDINATE):
            raise CommandError(_("%(name)s may not make consolidated reports.") % {"name": username})
        out = Path(options["out"])
        if out.suffix.lower() != ".docx":
            raise CommandError(_("Name the report file .docx."))
        xlsx = Path(options["xlsx"]) if options.get("xlsx") else None
        if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
            raise CommandError(_("Name the figures file .xlsx."))
        unit = self._unit(user, options.get("unit"))
        plan = None
        if options.get("plan"):
            plan = selectors.reportable_plans(user).filter(key=options["plan"]).first()
            if plan is None:
                raise CommandError(
                    _("No plan %(key)s among the plans you coordinate.") % {"key": options["plan"]}
                )
        try:
            period = selectors.period_find(
                user=user, year=options["year"], period=options["period"], unit=unit, plan=plan
            )
            issuer = services.issuer_for(
                acting_user=user, kind=options["issuer"], number=options["number"], signer=options["signer"]
            )
            report = services.report_generate(
                acting_user=user, period=period, issuer=issuer, today=timezone.localdate()
            )
        except ScopeError as exc:
            raise CommandError(_("%(name)s may not make this plan's report.") % {"name": username}) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        out.write_bytes(report.docx)
        if xlsx is not None:
            xlsx.write_bytes(report.xlsx)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(period)s: report written to %(path)s (%(tasks)s tasks, %(indicators)s indicators).")
                % {
                    "period": period.label,
                    "path": out,
                    "tasks": len(report.data.tasks),
                    "indicators": len(report.data.indicators),
                }
            )
        )

    def _unit(self, user, code: str | None) -> Unit | None:
        if not code:
            return None
        units = [
            u
            for u in Unit.objects.filter(code=code.strip()).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate())
            )
            if unit_in_scope(user, u)
        ] or [
            u for u in Unit.objects.filter(code=code.strip()).order_by("-valid_to") if unit_in_scope(user, u)
        ]
        if not units:
            raise CommandError(_("No unit %(code)s among your units.") % {"code": code})
        return units[0]
