from django.core.management.base import BaseCommand

from ungcuu import demo


class Command(BaseCommand):
    help = "Load the Quảng Ngãi demo data (organisations, team, systems, one user per role). Idempotent."

    def handle(self, *args, **options):
        created = demo.load()
        self.stdout.write(f"Demo data ready ({created} records created). Password of every demo user: "
                          f"{demo.DEMO_PASSWORD}")
