from django.core.management.base import BaseCommand, CommandError

from treem.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain: any edited or deleted event is reported (exit code 1)."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Audit log damaged: {len(report.problems)} problem(s) in {report.checked} events"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} events checked"))
