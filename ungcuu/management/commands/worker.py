"""Run background tasks (acknowledgements, reminders, notifications) from the database queue.

While it runs, the worker also enqueues the deadline scan every DEADLINE_SCAN_SECONDS (default 60); with
--batch it enqueues the scan once, before working through the queue. When MAIL_IMAP_HOST is set it also
enqueues the mailbox fetch every MAIL_FETCH_SECONDS (default 300).
"""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection


def enqueue_scan() -> bool:
    """Queue one deadline scan unless one is already waiting (a slow worker never piles them up)."""
    from django_tasks_db.models import DBTaskResult

    from ungcuu.deadlines.tasks import scan_deadlines

    if DBTaskResult.objects.ready().filter(task_path=scan_deadlines.module_path).exists():
        return False
    scan_deadlines.enqueue()
    return True


def enqueue_mail_fetch() -> bool:
    """Queue one mailbox fetch unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    from ungcuu.mailintake.tasks import fetch_mail

    if DBTaskResult.objects.ready().filter(task_path=fetch_mail.module_path).exists():
        return False
    fetch_mail.enqueue()
    return True


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
        parser.add_argument("--no-scan", action="store_true", help="Do not schedule the deadline scan.")

    def handle(self, *args, **options):
        extra = ["--batch"] if options["batch"] else []
        schedulers = []
        if not options["no_scan"]:
            if options["batch"]:
                enqueue_scan()
            else:
                schedulers.append(ScanScheduler(float(getattr(settings, "DEADLINE_SCAN_SECONDS", 60))))
        from ungcuu.mailintake import conf as mail_conf

        if mail_conf.get("MAIL_IMAP_HOST") and not options["batch"]:
            schedulers.append(ScanScheduler(float(mail_conf.get("MAIL_FETCH_SECONDS")), job=enqueue_mail_fetch,
                                            name="mail-fetch-scheduler"))
        for scheduler in schedulers:
            scheduler.start()
        try:
            call_command("db_worker", "--no-startup-delay", "--interval", str(options["interval"]), *extra,
                         verbosity=options["verbosity"])
        finally:
            for scheduler in schedulers:
                scheduler.stopped.set()
