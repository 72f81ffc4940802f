"""`ungcuu group_alerts`: group the alerts still waiting (after a crash, or from cron as a safety net)."""

from django.core.management.base import BaseCommand

from ungcuu.alerts.actions import group_all_waiting


class Command(BaseCommand):
    help = "Group monitoring alerts that are stored but not yet grouped into incidents."

    def handle(self, *args, **options):
        totals = group_all_waiting(actor=None)
        self.stdout.write(f"{totals['looked']} alerts looked at, {totals['grouped']} grouped, "
                          f"{totals['opened']} incidents opened")
