from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Load the demo vendors, partners and users (idempotent)."

    def handle(self, *args, **options):
        logins = seed()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, where in logins:
            self.stdout.write(f"  {email:<28} {where}")
