from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ungcuu.advisories import actions
from ungcuu.advisories.models import Advisory


class Command(BaseCommand):
    help = ("Warnings to agencies: 'advisories list [--status S]'; 'advisories remind ID' reminds the recipients "
            "that have not acknowledged or answered (once a day); 'advisories coverage ID'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        listing = sub.add_parser("list", help="list warnings, newest first")
        listing.add_argument("--status", choices=["draft", "sent", "closed"])
        remind = sub.add_parser("remind", help="remind the non-responders of a sent warning")
        remind.add_argument("advisory_id", type=int)
        coverage = sub.add_parser("coverage", help="print the coverage figures of a warning")
        coverage.add_argument("advisory_id", type=int)

    def _advisory(self, pk: int) -> Advisory:
        advisory = Advisory.objects.filter(pk=pk).first()
        if advisory is None:
            raise CommandError(f"No warning #{pk}.")
        return advisory

    def handle(self, *args, **options):
        operation = options["operation"]
        if operation == "list":
            rows = Advisory.objects.with_counts().order_by("-created_at", "-id")
            if options["status"]:
                rows = rows.filter(status=options["status"])
            for a in rows[:1000]:
                self.stdout.write(f"#{a.pk}\t{a.status}\t{a.deadline:%d/%m/%Y}\t"
                                  f"{a.acknowledged_count}/{a.recipient_count}\t{a.title}")
            return
        advisory = self._advisory(options["advisory_id"])
        if operation == "coverage":
            figures = advisory.coverage()
            self.stdout.write(
                f"#{advisory.pk} {advisory.title}: {figures['acknowledged']} of {figures['recipients']} agencies "
                f"acknowledged, {figures['completed']} answered for every system; {figures['fixed']} of "
                f"{figures['systems']} systems fixed, {figures['mitigated']} mitigated, {figures['not_affected']} not "
                f"affected, {figures['cannot_fix']} cannot fix, {figures['pending']} not answered.")
            return
        try:
            # The command line is the operator's: it acts as the system, as the deadline scan does.
            reminded = actions.remind_non_responders(actor=None, advisory=advisory)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if not reminded:
            self.stdout.write(f"#{advisory.pk}: nobody to remind (every recipient answered, or was reminded today).")
            return
        for recipient in reminded:
            self.stdout.write(f"reminded\t{recipient.organisation.name}")
        self.stdout.write(f"#{advisory.pk}: {len(reminded)} organisations reminded.")
