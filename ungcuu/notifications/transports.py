"""How a delivery leaves: one function per channel, in an explicit registry (TRANSPORTS).

Each transport makes one attempt and reports what happened; it never raises for a delivery problem
(refused address, unreachable server, non-2xx answer) and never touches the database.
"""

import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ungcuu.notifications.models import Channel, Delivery

SIGNATURE_HEADER = "X-Ungcuu-Signature"
EVENT_HEADER = "X-Ungcuu-Event"
DELIVERY_HEADER = "X-Ungcuu-Delivery"
DETAIL_LENGTH = 1000


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt: whether it was accepted, and the server's answer or the error."""

    ok: bool
    detail: str
    response_status: int | None = None


def send_email(delivery: Delivery) -> Outcome:
    """Send the delivery as one plain-text e-mail to its recipient through Django's configured backend."""
    connection = get_connection(fail_silently=False)
    message = EmailMessage(
        subject=delivery.subject, body=delivery.body, to=[delivery.recipient], connection=connection,
        headers={EVENT_HEADER: delivery.event, DELIVERY_HEADER: str(delivery.pk), "Auto-Submitted": "auto-generated"},
    )
    try:
        sent = message.send()
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return Outcome(False, f"SMTP {exc.smtp_code} {error}"[:DETAIL_LENGTH])
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, f"SMTP recipient refused: {exc.recipients}"[:DETAIL_LENGTH])
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:DETAIL_LENGTH])
    if not sent:
        return Outcome(False, "The mail backend accepted no message.")
    host = getattr(connection, "host", None)
    where = f"{host}:{connection.port}" if host else type(connection).__module__
    return Outcome(True, f"accepted by {where}")


def webhook_body(delivery: Delivery, now: datetime) -> bytes:
    """The JSON document POSTed to the endpoint (UTF-8, Vietnamese kept as is)."""
    document = {
        "event": delivery.event,
        "subject": delivery.subject,
        "body": delivery.body,
        "incident": delivery.payload.get("incident"),
        "key": delivery.key,
        "delivery": delivery.pk,
        "timestamp": now.astimezone(UTC).isoformat(),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Ungcuu-Signature value: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body; treat it as a failed attempt instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send_webhook(delivery: Delivery) -> Outcome:
    """POST the signed JSON payload to the delivery's endpoint; any 2xx answer counts as delivered."""
    endpoint = delivery.endpoint
    now = datetime.now(UTC)
    body = webhook_body(delivery, now)
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "ungcuu-webhook/1",
        SIGNATURE_HEADER: signature(endpoint.secret, int(now.timestamp()), body),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    })
    try:
        with _opener.open(request, timeout=settings.NOTIFICATIONS_WEBHOOK_TIMEOUT) as response:
            status = response.status
            text = response.read(DETAIL_LENGTH).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status = exc.code
        try:
            text = exc.read(DETAIL_LENGTH).decode(errors="replace")
        except OSError:
            text = ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, f"{type(exc).__name__}: {reason}"[:DETAIL_LENGTH])
    detail = f"HTTP {status} {text}".strip()[:DETAIL_LENGTH]
    return Outcome(200 <= status < 300, detail, status)


TRANSPORTS: dict[str, Callable[[Delivery], Outcome]] = {
    Channel.EMAIL: send_email,
    Channel.WEBHOOK: send_webhook,
}
