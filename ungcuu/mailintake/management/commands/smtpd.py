"""`ungcuu smtpd --host H --port P`: receive "[TBSC]" reports directly by SMTP (no relaying)."""

import signal
import threading

from django.core.management.base import BaseCommand

from ungcuu.mailintake.smtp import serve


class Command(BaseCommand):
    help = "Run the SMTP receiver of mail intake; each message is stored before it is acknowledged."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8025, help="Port to listen on (default 8025).")

    def handle(self, *args, **options):
        stop, ready = threading.Event(), threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        announce = threading.Thread(target=lambda: ready.wait() and self.stdout.write(
            f"Listening for mail on {options['host']}:{options['port']}"), daemon=True)
        announce.start()
        serve(options["host"], options["port"], stop, ready)
