import sys

from django.core.management.base import BaseCommand

from ungcuu.audit.models import verify_chain


class Command(BaseCommand):
    help = "audit verify: walk the hash chain; exit 1 naming the first altered or missing entry."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"OK: audit chain intact, {report.checked} entries verified.")
            return
        self.stderr.write(f"BROKEN: audit entry #{report.bad_seq}: {report.reason} "
                          f"({report.checked} entries verified before it).")
        sys.exit(1)
