"""Serve ungcuu with gunicorn (a production server), static files included via WhiteNoise."""

import atexit
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the application with gunicorn; static files are collected first and served by WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        # Many threads: a request waiting on the alert writer holds one (alerts/intake.py), and the more wait,
        # the more the writer commits at once; the lean alert path keeps no database connection per thread.
        parser.add_argument("--threads", type=int, default=16)
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start the background task worker (run `ungcuu worker` separately).")
        parser.add_argument("--no-access-log", action="store_true",
                            help="Do not log each request (a reverse proxy usually logs them already).")

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", bind)
                self.cfg.set("workers", options["workers"])
                self.cfg.set("threads", options["threads"])
                self.cfg.set("accesslog", None if options["no_access_log"] else "-")
                self.cfg.set("timeout", 60)

            def load(self):
                # Imported here, after collectstatic, so WhiteNoise indexes the collected files.
                from ungcuu.wsgi import application

                return application

        if not options["no_worker"]:
            # Zero set-up: acknowledgements and reminders go out without a second command. Production can
            # run `ungcuu worker` as its own service and pass --no-worker.
            worker = subprocess.Popen([sys.executable, "-m", "ungcuu.cli", "worker"])
            atexit.register(worker.terminate)
        self.stdout.write(f"ungcuu: http://{bind}/")
        Server().run()
