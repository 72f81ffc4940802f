"""The lean HTTP path of `POST /api/v1/alerts`, and the writer that commits concurrent requests together.

Why: through Django's whole stack (ten middleware, URL resolution, ninja, an ORM query for the token and
one for the roles) a request costs about 1.2 ms of CPU before any alert work, and each request then paid a
transaction and a commit of its own, so one alert per request topped out near 150/s on 2 cores
(bench/RESULTS.md). Here a POST with a Bearer token is answered without that stack: the token is checked
with one query (`accounts.actions.token_roles`), the body read and normalised by the same functions as
the API view, and the alerts handed to this process's writer thread, which stores every batch waiting
when it is free in one transaction (`actions.store_batches`) and answers each request once that is
committed. Django's SecurityMiddleware still wraps the answer (HTTPS redirect, headers).

Anything else goes to Django unchanged, so that errors read exactly as everywhere else in the API: no
token or an unknown one, a sender without the role, a body that is not JSON or too large, an unknown
format, a host not allowed, another path or method.
"""

import io
import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, PermissionDenied, ValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections, connection
from django.middleware.security import SecurityMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from ungcuu.accounts.actions import token_roles
from ungcuu.accounts.models import token_digest
from ungcuu.alerts import actions, formats
from ungcuu.alerts.api import json_response
from ungcuu.alerts.models import AlertFormat

logger = logging.getLogger(__name__)
PATH = "/api/v1/alerts"
JSON_TYPES = ("application/json", "")
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
WAIT_SECONDS = 60  # for the writer's commit; past it the client is told to send again (it is idempotent)
# Fewer alerts than this in one round of the writer are stored waiting and grouped GROUP_EVERY seconds
# later, many at a time (see actions.store_batches); bigger rounds are grouped as they are stored.
DEFER_BELOW = 50
GROUP_EVERY = 0.25
TOKEN_SECONDS = 1.0  # how long a token's check is remembered (see AlertIntake._sender)
IDLE_SECONDS = 5.0  # a writer with nothing to do for this long closes its database connection


class Writer:
    """This process's writer thread: takes every batch waiting when it is free and stores them in one
    transaction, so N concurrent requests cost one commit instead of N. A round of fewer than DEFER_BELOW
    alerts is stored waiting, and grouped at most GROUP_EVERY seconds later together with the following
    rounds (one lock and one audit entry per pass); after a crash in between, the worker's periodic pass
    groups them. A batch whose combined transaction fails is retried alone, so it fails only itself."""

    def __init__(self):
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.pid = None
        self.start_lock = threading.Lock()
        self.waiting = False  # alerts stored waiting for grouping since the last pass
        self.grouped_at = 0.0

    def store(self, batch: actions.AlertBatch, timeout: float = WAIT_SECONDS) -> list[dict]:
        """The batch's results once committed; TimeoutError when the database did not answer in time."""
        self._ensure_running()
        future: Future = Future()
        self.queue.put((batch, future))
        return future.result(timeout=timeout)

    def _ensure_running(self) -> None:
        # Started lazily, in each server process after the fork (a thread does not survive a fork).
        if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
            return
        with self.start_lock:
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.queue = queue.SimpleQueue() if self.pid != os.getpid() else self.queue
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="ungcuu-alert-writer", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                entries = [self.queue.get(timeout=GROUP_EVERY if self.waiting else IDLE_SECONDS)]
            except queue.Empty:  # idle: group what the last requests left waiting, else let the connection go
                if self.waiting:
                    self._group()
                else:
                    connection.close()
                continue
            count = len(entries[0][0].items)
            while count < actions.MAX_BATCH:
                try:
                    entry = self.queue.get_nowait()
                except queue.Empty:
                    break
                entries.append(entry)
                count += len(entry[0].items)
            try:
                self._store(entries)
                if self.waiting and time.monotonic() - self.grouped_at >= GROUP_EVERY:
                    self._group()
            finally:
                close_old_connections()  # a broken or too old connection is replaced before the next round

    def _group(self) -> None:
        """Group the alerts stored waiting. When another process is grouping (it holds the lock), try again
        at the next round: that pass may have started before these alerts were committed."""
        try:
            result = actions.group_alerts(actor=None, wait=False)
        except Exception:
            logger.exception("Grouping alerts failed; the worker's periodic pass will group them")
            result = None
        finally:
            close_old_connections()
        self.grouped_at = time.monotonic()
        if result is not None and result["looked"] < actions.GROUP_PASS:
            self.waiting = False

    def _store(self, entries: list) -> None:
        try:
            batches = [batch for batch, _future in entries]  # store_batches loads a sender only if needed
            results = actions.store_batches(batches, defer_below=DEFER_BELOW)
            # Whether this round was small enough to be left waiting is decided there (on the valid new
            # alerts); a pass that finds nothing waiting costs one query.
            self.waiting = True
        except Exception as exc:  # handed to the waiting request, which answers 500
            if len(entries) == 1:
                entries[0][1].set_exception(exc)
                return
            logger.warning("A combined batch of alerts failed; storing each request's batch alone")
            close_old_connections()
            for entry in entries:
                self._store([entry])
            return
        for (_batch, future), result in zip(entries, results, strict=True):
            future.set_result(result)


class AlertIntake:
    """WSGI middleware around Django's application: takes the lean path for POST /api/v1/alerts."""

    def __init__(self, application):
        self.application = application
        self.writer = Writer()
        self.security = SecurityMiddleware(self._answer)
        self.tokens: dict[str, tuple[float, tuple[int, frozenset[str]]]] = {}  # digest → (until, sender)

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != PATH
                or not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")):
            return self.application(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            response = self._lean(environ)
        except Exception:  # as Django's handler would: logged, and a JSON answer rather than the server's page
            logger.exception("Internal Server Error: %s", PATH)
            response = json_response({"detail": _("The server could not confirm that the alerts were stored. "
                                                  "Send them again: alerts already stored are answered as "
                                                  "duplicates.")}, 500)
        if response is None:  # Django answers; the body read here is handed back to it
            signals.request_finished.send(sender=self.__class__)
            return self.application(environ, start_response)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, list(response.items()))
        return response  # the server closes it, which sends request_finished

    def _lean(self, environ):
        """The answer, or None for Django to answer (after putting back what was read of the body)."""
        request = WSGIRequest(environ)
        try:
            request.get_host()
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except (DisallowedHost, ValueError):
            return None
        if not 0 <= length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        if request.content_type not in (*JSON_TYPES, *NDJSON_TYPES):
            return None
        fmt = request.GET.get("format", "")
        if fmt and fmt not in AlertFormat.values:
            return None
        sender = self._sender(environ["HTTP_AUTHORIZATION"][len("Bearer "):].strip())
        if sender is None:
            return None
        body = request.body
        environ["wsgi.input"] = io.BytesIO(body)  # for Django, should it answer after all
        language = translation.get_language_from_request(request)
        with translation.override(language):
            try:
                items = formats.split_body(body, ndjson=request.content_type in NDJSON_TYPES)
                batch = actions.normalise_batch(actor=sender[0], roles=sender[1], items=items, fmt=fmt or None,
                                                source=request.GET.get("source", "")[:100])
            except (ValueError, PermissionDenied, ValidationError):
                return None
            request.LANGUAGE_CODE = language
            request.alert_batch = batch
            return self.security(request)

    def _sender(self, raw: str) -> tuple[int, frozenset[str]] | None:
        """(user id, roles) of the token, remembered for TOKEN_SECONDS: a sending SOC makes hundreds of
        requests a second with one token, and looking it up each time cost more than storing the alert.
        So a revoked token, a deactivated account or a removed role stops sending here within that second.
        After a lookup this thread gives its database connection back, so the many server threads do not
        each keep one open; the writer thread keeps its own."""
        digest = token_digest(raw)
        now = time.monotonic()
        known = self.tokens.get(digest)
        if known is not None and known[0] > now:
            return known[1]
        try:
            sender = token_roles(raw)
        finally:
            connection.close()
        if sender is not None:
            if len(self.tokens) > 1000:  # forget expired tokens now and then (from a copy: other threads add)
                self.tokens = {d: v for d, v in self.tokens.copy().items() if v[0] > now}
            self.tokens[digest] = (now + TOKEN_SECONDS, sender)
        return sender

    def _answer(self, request):
        from ungcuu.alerts.api import answer

        try:
            results = self.writer.store(request.alert_batch)
        except FutureTimeout:
            response = json_response({"detail": _("The database did not confirm in time that the alerts were "
                                                  "stored. Send them again: alerts already stored are answered as "
                                                  "duplicates.")}, 503)
        else:
            response = json_response(*answer(results))
        response.headers["Content-Language"] = request.LANGUAGE_CODE
        response.headers["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY")  # as Django's stack
        return response
