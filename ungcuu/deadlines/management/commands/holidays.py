"""`ungcuu holidays list [--year Y] | add DD/MM/YYYY NAME --source TEXT [--kind K] [--unconfirmed]`."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ungcuu.deadlines import actions
from ungcuu.deadlines.models import Holiday, HolidayKind


class Command(BaseCommand):
    help = "The holiday calendar used to count deadlines: 'holidays list [--year Y]', 'holidays add DATE NAME'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        listing = sub.add_parser("list", help="list the calendar")
        listing.add_argument("--year", type=int)
        add = sub.add_parser("add", help="add a holiday, an official day off or a make-up working day")
        add.add_argument("date", help="DD/MM/YYYY")
        add.add_argument("name")
        add.add_argument("--source", required=True, help="the law or official notice that sets it")
        add.add_argument("--kind", default=HolidayKind.PUBLIC_HOLIDAY, choices=HolidayKind.values)
        add.add_argument("--unconfirmed", action="store_true", help="not yet confirmed by an official notice")

    def handle(self, *args, **options):
        if options["operation"] == "add":
            try:
                day = datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError:
                raise CommandError("Give the date as DD/MM/YYYY.") from None
            try:
                holiday = actions.add_holiday(actor=None, day=day, name=options["name"], source=options["source"],
                                              kind=options["kind"], confirmed=not options["unconfirmed"])
            except ValidationError as error:
                raise CommandError("; ".join(m for ms in error.message_dict.values() for m in ms)) from None
            self.stdout.write(f"Added {holiday}")
            return
        rows = Holiday.objects.all()
        if options["year"]:
            rows = rows.filter(date__year=options["year"])
        for h in rows:
            mark = "" if h.confirmed else "  UNCONFIRMED"
            self.stdout.write(f"{h.date:%d/%m/%Y}\t{h.get_kind_display()}\t{h.name}\t{h.source}{mark}")
