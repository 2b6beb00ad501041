from django.core.management.base import BaseCommand

from deals.services.customer_keys import customer_keys_refresh_every_tenant


class Command(BaseCommand):
    help = (
        "Give every registration, direct account and protection the customer key of "
        "today's normaliser, and list the protections and accounts whose new key "
        "another row already holds (they keep their old key; nothing is deleted)."
    )

    def handle(self, *args, **options):
        collisions = customer_keys_refresh_every_tenant(say=self.stdout.write)
        if collisions:
            self.stdout.write(self.style.WARNING(f"{len(collisions)} collisions to review."))
        else:
            self.stdout.write(self.style.SUCCESS("Every customer key is up to date."))
