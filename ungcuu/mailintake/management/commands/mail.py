"""`ungcuu mail fetch` (one pass over the IMAP mailbox) and `ungcuu mail import FILE.eml ...`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ungcuu.mailintake import actions, conf
from ungcuu.mailintake.models import MailSource


class Command(BaseCommand):
    help = "Mail intake: fetch the team's IMAP mailbox now, or import .eml files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("fetch", help="Fetch unseen messages from MAIL_IMAP_HOST once.")
        importer = sub.add_parser("import", help="Store and read .eml files as if they had arrived by mail.")
        importer.add_argument("files", nargs="+", metavar="FILE.eml")

    def handle(self, *args, **options):
        if options["action"] == "fetch":
            return self._fetch()
        return self._import(options["files"])

    def _fetch(self):
        from ungcuu.mailintake import imap

        if not conf.get("MAIL_IMAP_HOST"):
            raise CommandError("MAIL_IMAP_HOST is not set.")
        try:
            result = imap.fetch_mailbox()
        except Exception as exc:
            raise CommandError(f"Fetch failed: {type(exc).__name__}: {exc}") from exc
        pending = actions.process_pending()
        self.stdout.write(f"unseen {result.unseen}, stored {result.stored}, already stored {result.duplicates}, "
                          f"moved/marked {result.moved}, failed {result.failed}, read from earlier {pending}")
        for error in result.errors:
            self.stderr.write(error)
        if result.failed:
            raise CommandError(f"{result.failed} message(s) failed; they stay unseen on the server.")

    def _import(self, files):
        failed = 0
        for name in files:
            path = Path(name)
            try:
                raw = path.read_bytes()
                if not raw.strip():
                    raise ValidationError("empty file")
                message, created = actions.receive_and_process(raw=raw, source=MailSource.UPLOAD,
                                                               mailbox=f"file:{path.name}")
            except (OSError, ValidationError) as exc:
                failed += 1
                self.stderr.write(f"{name}: {exc}")
                continue
            state = "stored" if created else "already stored"
            reference = f" {message.incident.reference}" if message.incident_id else ""
            self.stdout.write(f"{name}: {state} as #{message.pk}, {message.get_status_display()}{reference}")
        if failed:
            raise CommandError(f"{failed} file(s) could not be imported.")
