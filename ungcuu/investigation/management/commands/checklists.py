from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from ungcuu.incidents.procedure import Step
from ungcuu.investigation.models import ChecklistTemplate


class Command(BaseCommand):
    help = ("Checklist templates: 'checklists list [--step STEP] [--inactive] [--items]' prints each template "
            "with its step, attack type, state and number of items (and the items with --items).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        listing = sub.add_parser("list", help="list the checklist templates")
        listing.add_argument("--step", help="only this step (e.g. contain, eradicate, recover)")
        listing.add_argument("--inactive", action="store_true", help="include deactivated templates")
        listing.add_argument("--items", action="store_true", help="print each template's items too")

    def handle(self, *args, **options):
        rows = ChecklistTemplate.objects.annotate(item_count=Count("items")).order_by("step", "position", "id")
        if options["step"]:
            if options["step"] not in Step.values:
                raise CommandError(f"Unknown step {options['step']!r}; one of: {', '.join(Step.values)}.")
            rows = rows.filter(step=options["step"])
        if not options["inactive"]:
            rows = rows.filter(active=True)
        if options["items"]:
            rows = rows.prefetch_related("items")
        count = 0
        for template in rows[:1000]:
            count += 1
            state = "active" if template.active else "inactive"
            self.stdout.write(f"#{template.pk}\t{template.step}\t{template.attack_type or 'any'}\t{state}\t"
                              f"{template.item_count} items\t{template.name}\t{template.source}")
            if options["items"]:
                for item in template.items.all():
                    self.stdout.write(f"\t{item.position}. {item.title}")
        if not count:
            self.stderr.write("No checklist templates.")
