from django.core.management.base import BaseCommand

from treem.accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create the role groups and set their permissions exactly as declared in treem.accounts.roles."

    def handle(self, *args, **options):
        for group in sync_roles():
            self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
