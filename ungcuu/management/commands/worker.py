"""Run background tasks (acknowledgements, reminders, notifications) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run queued background tasks (django.tasks database backend); --batch exits when the queue is empty."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of the queue.")

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", "--no-startup-delay", "--interval", str(options["interval"]), *extra,
                     verbosity=options["verbosity"])
