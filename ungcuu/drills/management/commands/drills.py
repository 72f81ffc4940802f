"""`ungcuu drills due [--sync]` and `ungcuu drills sync`."""

from django.core.management.base import BaseCommand

from ungcuu.drills import actions
from ungcuu.drills.models import drill_duties, meeting_duty
from ungcuu.registry.models import InformationSystem


class Command(BaseCommand):
    help = ("Drills: 'drills due' lists the yearly live drill of every system of level 3 or above (Chỉ thị "
            "18/CT-TTg) and the 6-monthly team meeting, with their due dates; 'drills sync' (or 'due --sync') "
            "opens or refreshes their deadlines so the deadline scan sends reminders.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        due = sub.add_parser("due", help="list the duties and their due dates")
        due.add_argument("--sync", action="store_true", help="also open or refresh the deadlines")
        due.add_argument("--overdue", action="store_true", help="only what is overdue")
        sub.add_parser("sync", help="open or refresh the deadlines of the duties")

    def handle(self, *args, **options):
        if options["operation"] == "sync" or options.get("sync"):
            counts = actions.sync_deadlines(actor=None)
            self.stdout.write(f"deadlines: drills opened {counts['drills_opened']}, cancelled "
                              f"{counts['drills_cancelled']}; meeting opened {counts['meeting_opened']}")
            if options["operation"] == "sync":
                return
        duties = drill_duties(InformationSystem.objects.all())
        if options.get("overdue"):
            duties = [d for d in duties if d.status == "overdue"]
        for duty in duties:
            last = f"{duty.last_on:%d/%m/%Y}" if duty.last_on else "never"
            self.stdout.write(f"{duty.status}\tdue {duty.due_on:%d/%m/%Y}\tlast {last}\tlevel {duty.system.level}"
                              f"\t{duty.system.name}\t{duty.system.owner.name}")
        meeting = meeting_duty()
        if not options.get("overdue") or meeting.status == "overdue":
            last = f"{meeting.last_on:%d/%m/%Y}" if meeting.last_on else "never"
            self.stdout.write(f"{meeting.status}\tdue {meeting.due_on:%d/%m/%Y}\tlast {last}\tregular team meeting")
