"""`ungcuu inspections due [--overdue] [--kind K]` and `ungcuu inspections schedule`."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from ungcuu.inspections import actions
from ungcuu.inspections.models import DueStatus, Duty, Kind


class Command(BaseCommand):
    help = ("Inspections, vulnerability scans and threat hunts: 'inspections due [--overdue]' lists the duties "
            "soonest first; 'inspections schedule' opens the missing duties and their deadlines for all systems.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        due = sub.add_parser("due", help="list the duties due, soonest first")
        due.add_argument("--overdue", action="store_true", help="only the overdue ones")
        due.add_argument("--kind", choices=Kind.values)
        sub.add_parser("schedule", help="open the missing duties and deadlines (idempotent)")

    def handle(self, *args, **options):
        if options["operation"] == "schedule":
            counts = actions.schedule_duties()
            self.stdout.write(f"opened {counts['created']}, changed {counts['updated']}, removed {counts['removed']}, "
                              f"unchanged {counts['unchanged']}")
            return
        today = timezone.localdate()
        rows = Duty.objects.select_related("system", "organisation", "override").order_by("due_on", "pk")
        if options["overdue"]:
            rows = rows.with_status(DueStatus.OVERDUE, today)
        if options.get("kind"):
            rows = rows.filter(kind=options["kind"])
        count = 0
        for duty in rows.iterator(chunk_size=500):
            subject = f"{duty.system.name} (level {duty.system.level})" if duty.system_id else \
                f"{duty.organisation.name} (organisation-wide)"
            last = f"{duty.last_done_on:%d/%m/%Y}" if duty.last_done_on else "never done"
            source = duty.override.source if duty.override_id else duty.source()
            self.stdout.write(f"{duty.due_on:%d/%m/%Y}\t{duty.status(today)}\t{duty.kind}\t{subject}\t"
                              f"every {duty.months} months\tlast {last}\t{source}")
            count += 1
        self.stdout.write(f"{count} duties")
