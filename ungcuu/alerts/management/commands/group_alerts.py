"""`ungcuu group_alerts`: group the alerts still waiting (after a crash, or from cron as a safety net)."""

from django.core.management.base import BaseCommand

from ungcuu.alerts.actions import group_alerts


class Command(BaseCommand):
    help = "Group monitoring alerts that are stored but not yet grouped into incidents."

    def handle(self, *args, **options):
        totals = {"looked": 0, "grouped": 0, "opened": 0}
        while True:
            result = group_alerts(actor=None)
            for key, value in result.items():
                totals[key] += value
            if not result["looked"]:
                break
        self.stdout.write(f"{totals['looked']} alerts looked at, {totals['grouped']} grouped, "
                          f"{totals['opened']} incidents opened")
