"""Run background tasks (acknowledgements, reminders, notifications) from the database queue.

While it runs, the worker also enqueues the periodic jobs, each at most once in the queue at a time:
- the deadline scan every DEADLINE_SCAN_SECONDS (default 60); with --batch, once before the queue is worked;
- the mailbox fetch every MAIL_FETCH_SECONDS (default 300), when MAIL_IMAP_HOST is set;
- the dashboard's 12-month snapshot every DASHBOARD_REFRESH_SECONDS (default 300), when the incident table is
  large enough to use it (reports.dashboard.uses_snapshot);
- the inspection, scan and drill duty deadlines of new or re-levelled systems every DUTY_SCHEDULE_SECONDS
  (default 3600);
- the grouping of monitoring alerts left waiting (a server stopped between storing and grouping them)
  every ALERT_GROUP_SECONDS (default 60), when some wait.
"""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection


def enqueue_once(task) -> bool:
    """Queue the task unless it is already waiting (a slow worker never piles them up)."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.ready().filter(task_path=task.module_path).exists():
        return False
    task.enqueue()
    return True


def enqueue_scan() -> bool:
    from ungcuu.deadlines.tasks import scan_deadlines

    return enqueue_once(scan_deadlines)


def enqueue_mail_fetch() -> bool:
    from ungcuu.mailintake.tasks import fetch_mail

    return enqueue_once(fetch_mail)


def enqueue_dashboard_refresh() -> bool:
    from ungcuu.reports import dashboard
    from ungcuu.reports.tasks import refresh_dashboard

    return dashboard.uses_snapshot() and enqueue_once(refresh_dashboard)


def enqueue_duty_schedules() -> bool:
    from ungcuu.drills.tasks import sync_duty_deadlines
    from ungcuu.inspections.tasks import schedule_duties

    return any([enqueue_once(schedule_duties), enqueue_once(sync_duty_deadlines)])


def enqueue_alert_grouping() -> bool:
    from ungcuu.alerts.models import PendingAlert
    from ungcuu.alerts.tasks import group_alerts_task

    return PendingAlert.objects.exists() and enqueue_once(group_alerts_task)


class ScanScheduler(threading.Thread):
    """Enqueues the deadline scan (or another job) at a fixed interval until stopped."""

    def __init__(self, interval: float, job=enqueue_scan, name: str = "deadline-scan-scheduler"):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.job = job
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                self.job()
            except Exception:  # a database hiccup must not kill the scheduler: try again next tick
                pass
            finally:
                connection.close()
            self.stopped.wait(self.interval)


class Command(BaseCommand):
    help = "Run queued background tasks (django.tasks database backend); --batch exits when the queue is empty."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of the queue.")
        parser.add_argument("--no-scan", action="store_true", help="Do not schedule the periodic jobs.")

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        schedulers = []
        if not options["no_scan"]:
            if options["batch"]:
                enqueue_scan()
            else:
                from ungcuu.mailintake import conf as mail_conf

                jobs = [(getattr(settings, "DEADLINE_SCAN_SECONDS", 60), enqueue_scan, "deadline-scan"),
                        (getattr(settings, "DASHBOARD_REFRESH_SECONDS", 300), enqueue_dashboard_refresh,
                         "dashboard-refresh"),
                        (getattr(settings, "DUTY_SCHEDULE_SECONDS", 3600), enqueue_duty_schedules, "duty-schedule"),
                        (getattr(settings, "ALERT_GROUP_SECONDS", 60), enqueue_alert_grouping, "alert-grouping")]
                if mail_conf.get("MAIL_IMAP_HOST"):
                    jobs.append((mail_conf.get("MAIL_FETCH_SECONDS"), enqueue_mail_fetch, "mail-fetch"))
                schedulers = [ScanScheduler(float(interval), job=job, name=f"{name}-scheduler")
                              for interval, job, name in jobs]
        for scheduler in schedulers:
            scheduler.start()
        try:
            call_command("db_worker", "--no-startup-delay", "--interval", str(options["interval"]), *extra,
                         verbosity=options["verbosity"])
        finally:
            for scheduler in schedulers:
                scheduler.stopped.set()
