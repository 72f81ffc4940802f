"""`ungcuu deadlines scan | rules | periodic YEAR`."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from ungcuu.deadlines import actions
from ungcuu.deadlines.models import Comparison, Override, Rule


class Command(BaseCommand):
    help = ("Deadlines: 'deadlines scan' sends the reminders, escalations and chasers due now; 'deadlines rules' "
            "lists the rules in force with their sources and the provincial overrides (looser ones FLAGGED); "
            "'deadlines periodic YEAR' opens the half-year and annual reports of a year.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        sub.add_parser("scan", help="send the notices due now")
        sub.add_parser("rules", help="list rules and overrides")
        periodic = sub.add_parser("periodic", help="open the half-year and annual report deadlines of a year")
        periodic.add_argument("year", type=int)

    def handle(self, *args, **options):
        operation = options["operation"]
        if operation == "scan":
            counts = actions.send_deadline_notices()
            self.stdout.write(f"reminders {counts['remind']}, escalations {counts['escalate']}, "
                              f"chasers {counts['chase']}")
        elif operation == "periodic":
            for deadline in actions.open_periodic_deadlines(year=options["year"]):
                self.stdout.write(f"{deadline.kind}\tdue {timezone.localtime(deadline.due_at):%d/%m/%Y %H:%M}")
        else:
            today = timezone.localdate()
            rules = {rule.kind: rule for rule in reversed(Rule.objects.in_force(today).select_related("rule_set"))}
            overrides = {o.kind: o for o in Override.objects.active()}
            for kind, rule in sorted(rules.items()):
                note = " (provincial choice)" if rule.provincial_choice else ""
                self.stdout.write(f"{kind}\t{rule.describe()}{note}\t{rule.source_document} {rule.article}"
                                  f"\t[{rule.rule_set.name}]")
                override = overrides.get(kind)
                if override is not None:
                    comparison = override.compare_to(rule)
                    flag = "  FLAGGED: looser than national" if comparison == Comparison.LOOSER else ""
                    self.stdout.write(f"  override {override.province}: {override.amount} ({comparison}) "
                                      f"{override.source_document} {override.article}{flag}")
