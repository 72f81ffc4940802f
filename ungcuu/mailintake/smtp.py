"""The SMTP receiver (`ungcuu smtpd`): an aiosmtpd server that stores each message before answering 250.

It relays nothing: mail is accepted only for this team (MAIL_SMTP_RECIPIENTS when set), stored exactly as
received, then read like a fetched message. A storage failure answers 451 so the sending server retries.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from django.db import close_old_connections
from django.utils.translation import gettext as _

from ungcuu.evidence import store
from ungcuu.mailintake import actions, conf
from ungcuu.mailintake.models import MailSource

logger = logging.getLogger(__name__)


def _accepts(address: str) -> bool:
    allowed = conf.get("MAIL_SMTP_RECIPIENTS")
    if not allowed:
        return True
    address = address.lower()
    return address in allowed or any(a.startswith("@") and address.endswith(a) for a in allowed)


def deliver(raw: bytes, peer: str, mail_from: str, rcpt_tos: list[str]) -> str:
    """Store and read one message (runs in a worker thread, with its own database connection)."""
    close_old_connections()
    try:
        trace = f"SMTP {peer} from <{mail_from}> to {', '.join(f'<{r}>' for r in rcpt_tos)}"
        message, created = actions.receive_and_process(raw=raw, source=MailSource.SMTP, mailbox=trace)
        return f"250 Message accepted as #{message.pk}" if created else f"250 Message already received as #{message.pk}"
    except Exception:
        logger.exception("SMTP message from %s could not be stored", peer)
        return "451 Requested action aborted: local error in processing"
    finally:
        close_old_connections()


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook name
        if not _accepts(address):
            return "550 5.7.1 " + str(_("No such mailbox here; this server relays nothing."))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        raw = envelope.original_content or b""
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        return await asyncio.get_running_loop().run_in_executor(
            None, deliver, raw, peer, envelope.mail_from or "", list(envelope.rcpt_tos))


def controller(host: str, port: int) -> Controller:
    # Messages up to what the evidence store keeps are accepted; above MAIL_MAX_BYTES they are flagged.
    return Controller(Handler(), hostname=host, port=port, data_size_limit=store.settings.EVIDENCE_MAX_BYTES,
                      enable_SMTPUTF8=True, ident="ungcuu smtpd")


def serve(host: str, port: int, stop, ready=None) -> None:
    """Run the receiver until `stop` (a threading.Event) is set; `ready` is set once it listens."""
    server = controller(host, port)
    server.start()
    try:
        if ready is not None:
            ready.set()
        stop.wait()
    finally:
        server.stop()
