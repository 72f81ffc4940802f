"""Fetching the team's mailbox over IMAP (stdlib imaplib, TLS or STARTTLS).

Each unseen message is downloaded without setting \\Seen (BODY.PEEK), stored in its own transaction,
read, and only then moved to MAIL_IMAP_PROCESSED_FOLDER (or marked \\Seen when none is set). Nothing is
ever deleted before it is stored; mail that is not a report is left exactly as it was. One message that
fails never stops the others.
"""

import contextlib
import imaplib
import logging
import ssl
from dataclasses import asdict, dataclass, field

from ungcuu.mailintake import actions, conf
from ungcuu.mailintake.models import HANDLED_STATUSES, MailMessage, MailSource

logger = logging.getLogger(__name__)


@dataclass
class FetchResult:
    unseen: int = 0
    stored: int = 0
    duplicates: int = 0
    moved: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _ssl_context() -> ssl.SSLContext:
    ca_file = conf.get("MAIL_IMAP_CA_FILE")
    return ssl.create_default_context(cafile=ca_file or None)


def connect() -> imaplib.IMAP4:
    host, port, mode = conf.get("MAIL_IMAP_HOST"), int(conf.get("MAIL_IMAP_PORT")), conf.get("MAIL_IMAP_TLS")
    timeout = conf.get("MAIL_IMAP_TIMEOUT")
    if mode == "ssl":
        conn = imaplib.IMAP4_SSL(host, port, ssl_context=_ssl_context(), timeout=timeout)
    else:
        conn = imaplib.IMAP4(host, port, timeout=timeout)
        if mode == "starttls":
            conn.starttls(ssl_context=_ssl_context())
        elif mode != "none":
            raise ValueError(f"MAIL_IMAP_TLS must be ssl, starttls or none, not {mode!r}")
    conn.login(conf.get("MAIL_IMAP_USER"), conf.get("MAIL_IMAP_PASSWORD"))
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response, what: str):
    typ, data = response
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{what}: {typ} {data!r}")
    return data


def _raw_of(data) -> bytes | None:
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _mark_processed(conn: imaplib.IMAP4, uid: bytes, processed: str, can_move: bool) -> bool:
    """Move the message to the processed folder, or mark it seen; True when moved."""
    if processed:
        if can_move:
            _check(conn.uid("MOVE", uid, _quote(processed)), "MOVE")
            return True
        # Without MOVE: copied, marked seen and deleted in the inbox only once the copy exists (no EXPUNGE
        # here: an expunge without UIDPLUS would also remove what others marked deleted).
        _check(conn.uid("COPY", uid, _quote(processed)), "COPY")
        _check(conn.uid("STORE", uid, "+FLAGS", "(\\Seen \\Deleted)"), "STORE")
        return True
    _check(conn.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
    return False


def fetch_mailbox(*, actor=None) -> FetchResult:
    """One pass over the unseen messages of the configured folder."""
    result = FetchResult()
    folder, processed = conf.get("MAIL_IMAP_FOLDER"), conf.get("MAIL_IMAP_PROCESSED_FOLDER")
    conn = connect()
    try:
        capabilities = {c.upper() for c in conn.capabilities}
        typ, data = conn.capability()
        if typ == "OK" and data and data[0]:
            capabilities |= {c.upper() for c in data[0].decode("ascii", "replace").split()}
        can_move = "MOVE" in capabilities
        if processed:
            conn.create(_quote(processed))  # "already exists" is fine
        _check(conn.select(_quote(folder)), "SELECT")
        validity = (conn.response("UIDVALIDITY")[1] or [b"0"])[0]
        validity = validity.decode() if isinstance(validity, bytes) else str(validity)
        mailbox = f"{conf.get('MAIL_IMAP_USER')}@{conf.get('MAIL_IMAP_HOST')}/{folder};UIDVALIDITY={validity}"
        uids = (_check(conn.uid("SEARCH", None, "UNSEEN"), "SEARCH")[0] or b"").split()
        result.unseen = len(uids)
        numbers = [int(u) for u in uids]
        known, raw_stored = {}, set()
        for start in range(0, len(numbers), 500):  # ignored mail stays unseen: the list can be long
            for number, status, stored in MailMessage.objects.filter(
                    mailbox=mailbox, uid__in=numbers[start:start + 500]).values_list("uid", "status", "raw_stored"):
                known[number] = status
                if stored:
                    raw_stored.add(number)
        for uid in uids:
            try:
                number = int(uid)
                if number in known:
                    # Stored by an earlier pass that stopped before marking it: finish the marking only.
                    if known[number] in HANDLED_STATUSES and number in raw_stored:
                        result.moved += _mark_processed(conn, uid, processed, can_move)
                    continue
                raw = _raw_of(_check(conn.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH"))
                if raw is None:
                    raise imaplib.IMAP4.error("FETCH returned no message body")
                message, created = actions.receive_and_process(raw=raw, source=MailSource.IMAP, mailbox=mailbox,
                                                               uid=number, actor=actor)
                result.stored += created
                result.duplicates += not created
                if message.raw_stored and message.status in HANDLED_STATUSES:
                    result.moved += _mark_processed(conn, uid, processed, can_move)
            except (imaplib.IMAP4.abort, OSError):
                raise  # the connection is gone: the next pass starts again from what is stored
            except Exception as exc:
                logger.exception("IMAP message UID %s could not be fetched or stored", uid)
                result.failed += 1
                result.errors.append(f"UID {uid.decode(errors='replace')}: {type(exc).__name__}: {exc}"[:300])
    finally:
        with contextlib.suppress(Exception):  # already disconnected
            conn.logout()
    return result
