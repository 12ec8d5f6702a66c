"""``treem population_standin [--port 8090] [--people FILE]``: run the local stand-in for the
national population database (docs/population-api.md) until interrupted."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from treem.children.population_standin import PopulationStandin, load_people

DEFAULT_TOKEN = "standin-token"  # noqa: S105 - the stand-in's well-known demo token


class Command(BaseCommand):
    help = (
        "Serve the contract of the national population database from memory on this machine, for the "
        "demo and for trying the population check. Point TREEM_POPULATION_URL and "
        "TREEM_POPULATION_TOKEN at it. Not a production server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8090, help="port (default 8090; 0: any free port)")
        parser.add_argument(
            "--people", metavar="FILE", help="JSON list of people (personal_id, full_name, birth_date, sex)"
        )
        parser.add_argument(
            "--token",
            default=None,
            help="token clients must send (default TREEM_POPULATION_TOKEN, else standin-token)",
        )
        parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
        parser.add_argument(
            "--fail-first",
            type=int,
            default=0,
            dest="fail_first",
            help="answer the first N requests with 500",
        )

    def handle(self, *args, **options) -> None:
        people = []
        if options["people"]:
            try:
                people = load_people(options["people"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        token = options["token"]
        if token is None:
            token = getattr(settings, "TREEM_POPULATION_TOKEN", "") or DEFAULT_TOKEN
        if options["delay"] < 0 or options["fail_first"] < 0:
            raise CommandError(_("--delay and --fail-first cannot be negative."))
        try:
            standin = PopulationStandin(
                people,
                token=token,
                host=options["host"],
                port=options["port"],
                quiet=options["verbosity"] < 2,
            )
        except OSError as exc:
            raise CommandError(
                _("Cannot listen on %(host)s:%(port)s (%(error)s).")
                % {"host": options["host"], "port": options["port"], "error": exc}
            ) from exc
        standin.behaviour.delay = options["delay"]
        standin.behaviour.fail_next = options["fail_first"]
        self.stdout.write(
            _("Population database stand-in on %(url)s with %(count)s people. Stop with Ctrl-C.")
            % {"url": standin.url, "count": len(standin.people)}
        )
        self.stdout.write(f"TREEM_POPULATION_URL={standin.url}")
        self.stdout.flush()
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            standin.server.server_close()
