from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ungcuu.notifications import actions


class Command(BaseCommand):
    help = "Notifications: 'notifications retry-failed [--days N]' sends every failed delivery again (one attempt)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        retry = sub.add_parser("retry-failed", help="retry the failed deliveries")
        retry.add_argument("--days", type=int, default=None, help="only those created in the last N days")

    def handle(self, *args, **options):
        since = timezone.now() - timedelta(days=options["days"]) if options["days"] else None
        # One transaction, so the tasks are enqueued when it commits (the actions use on_commit).
        with transaction.atomic():
            retried = actions.retry_failed(actor=None, since=since)
        self.stdout.write(f"{len(retried)} failed deliveries queued again.")
