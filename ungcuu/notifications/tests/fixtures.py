"""Reusable receivers for outgoing notifications (a pytest plugin, registered in the root conftest.py).

    smtp_server       a real SMTP server (aiosmtpd) on 127.0.0.1; Django's mail settings point at it.
                      .messages: the received e-mails (email.message.EmailMessage, with .envelope_to);
                      .refuse(address): answer 550 for that recipient.
    webhook_receiver  an HTTP server in a thread. .url; .secret (check signatures against it);
                      .statuses: answers to give in order (then 200); .requests: what arrived, each with
                      .headers, .body (bytes), .json, .signature_ok.

Deliveries are enqueued after the caller's transaction commits; in a test (which never commits) wrap
the action in ``django_capture_on_commit_callbacks(execute=True)`` and then call ``run_tasks()``.
"""

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verify_signature(secret: str, header: str, body: bytes, tolerance: int | None = 300) -> bool:
    """Check an X-Ungcuu-Signature header as a receiver should (the same code as in docs/notifications.md)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if tolerance is not None and abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class _SmtpHandler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default_policy)
        message.envelope_to = list(envelope.rcpt_tos)
        message.envelope_from = envelope.mail_from
        self.server.messages.append(message)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)
    refused: set = field(default_factory=set)

    def refuse(self, address: str) -> None:
        self.refused.add(address.lower())


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django sends its mail there for the test."""
    from aiosmtpd.controller import Controller

    server = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(_SmtpHandler(server), hostname=server.host, port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class ReceivedRequest:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool

    @property
    def json(self):
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secret: str):
        self.secret = secret
        self.statuses: list[int] = []
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ok = verify_signature(receiver.secret, self.headers.get("X-Ungcuu-Signature", ""), body)
                with receiver._lock:
                    receiver.requests.append(ReceivedRequest(self.path, dict(self.headers), body, ok))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                if not ok:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if 200 <= status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def always(self, status: int, times: int = 100) -> None:
        self.statuses = [status] * times


@pytest.fixture
def webhook_receiver():
    """A local HTTP server that records POSTs and checks their signature against .secret (401 if wrong)."""
    receiver = WebhookReceiver(secret="test-secret-0123456789abcdef")
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
