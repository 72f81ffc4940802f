from django.core.management.base import BaseCommand
from django.db.models import Count

from ungcuu.plans.models import PlanStatus, ResponsePlan


class Command(BaseCommand):
    help = ("Response plans: 'plans list [--unapproved]' prints each plan version with its system, version, "
            "status, number of scenarios and approval decision; --unapproved only the drafts.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        listing = sub.add_parser("list", help="list the response plan versions")
        listing.add_argument("--unapproved", action="store_true", help="only drafts not yet approved")
        listing.add_argument("--limit", type=int, default=1000, help="at most this many rows (default 1000)")

    def handle(self, *args, **options):
        rows = (ResponsePlan.objects.select_related("system").annotate(scenario_count=Count("scenarios"))
                .order_by("series", "-version"))
        if options["unapproved"]:
            rows = rows.filter(status=PlanStatus.DRAFT)
        count = 0
        for plan in rows[:max(options["limit"], 0)]:
            count += 1
            subject = plan.system.name if plan.system else "province"
            level = f"level {plan.system.level}" if plan.system else "-"
            approval = (f"{plan.decision_number} {plan.decision_date:%d/%m/%Y} ({plan.approver_authority})"
                        if plan.decision_number else "-")
            self.stdout.write(f"#{plan.pk}\tv{plan.version}\t{plan.status}\t{subject}\t{level}\t{plan.outline}\t"
                              f"{plan.scenario_count} scenarios\t{approval}\t{plan.title}")
        if not count:
            self.stderr.write("No response plans.")
