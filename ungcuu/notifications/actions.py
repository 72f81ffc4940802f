"""Every change to notifications: creating deliveries, each attempt to send one, retries, webhook endpoints.

Other apps call notify() from inside their own actions; the deliveries are written in the caller's
transaction and sent by the background task `deliver` once it commits.
"""

import secrets
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.accounts.models import Role
from ungcuu.audit.actions import record
from ungcuu.notifications import tasks
from ungcuu.notifications.models import (
    OPEN_STATUSES,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookEndpoint,
)
from ungcuu.notifications.transports import TRANSPORTS

SUBJECT_LENGTH = 300
KEY_LENGTH = 200
EVENT_LENGTH = 100
SECRET_MIN_LENGTH = 16
# The roles that see the deliveries page and may retry a delivery: the administrators, the standing office and
# the team's leads, who follow what was sent to whom on their incidents. Webhook endpoints stay the administrators'.
VIEW_ROLES = (Role.ADMINISTRATOR, Role.STANDING_OFFICER, Role.TEAM_LEAD, Role.DEPUTY_LEAD)


# Who may do what ---------------------------------------------------------------------------------


def can_view_deliveries(user) -> bool:
    return bool(user and user.is_authenticated and user.has_any_role(*VIEW_ROLES))


def can_manage_webhooks(user) -> bool:
    return bool(user and user.is_authenticated and user.has_any_role(Role.ADMINISTRATOR))


def _require_active(actor) -> None:
    if actor is not None and not actor.is_active:
        raise PermissionDenied(_("An inactive account cannot send notifications."))


def _require_viewer(actor) -> None:
    if actor is not None and not can_view_deliveries(actor):
        raise PermissionDenied(_("Only administrators, standing officers and the team leads may do this."))


def _require_admin(actor) -> None:
    if actor is not None and not can_manage_webhooks(actor):
        raise PermissionDenied(_("Only administrators may manage webhook endpoints."))


# Creating deliveries ----------------------------------------------------------------------------


def _incident_summary(incident) -> dict | None:
    if incident is None:
        return None
    path = reverse("incidents:detail", args=[incident.reference])
    return {"reference": incident.reference, "url": f"{settings.SITE_URL}{path}"}


def _enqueue_after_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(partial(_enqueue, ids))


def _enqueue(ids: list[int]) -> None:
    for pk in ids:
        tasks.deliver.enqueue(pk)


def _addresses(users, emails) -> tuple[list[str], list[str], dict]:
    """The e-mail addresses to write to (each once), the users skipped and why, and input errors."""
    addresses: dict[str, str] = {}
    skipped: list[str] = []
    bad: list[str] = []
    for user in users:
        email = (user.email or "").strip()
        if not user.is_active:
            skipped.append(f"{user.get_username()} (inactive)")
        elif not email:
            skipped.append(f"{user.get_username()} (no e-mail)")
        else:
            addresses.setdefault(email.lower(), email.lower())
    for raw in emails:
        email = (raw or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            bad.append(raw)
            continue
        addresses.setdefault(email.lower(), email.lower())
    errors = {}
    if bad:
        errors["emails"] = _("Not an e-mail address: %(list)s.") % {"list": ", ".join(repr(b) for b in bad)}
    return list(addresses.values()), skipped, errors


def notify(*, event: str, subject: str, body: str, users=(), emails=(), incident=None, key: str = "",
           actor=None) -> list[Delivery]:
    """Queue a message for users, raw addresses and every active webhook endpoint subscribed to the event.

    Returns the deliveries created by this call: one per e-mail address and one per endpoint. A delivery
    whose key was already used for the same address or endpoint is not created again (and not returned).
    Users without an e-mail address (or inactive) are skipped; the audit entry names them.
    """
    _require_active(actor)
    event, subject, key = (event or "").strip(), (subject or "").strip(), (key or "").strip()
    addresses, skipped, errors = _addresses(users, emails)
    if not event:
        errors["event"] = _("Name the event.")
    elif len(event) > EVENT_LENGTH:
        errors["event"] = _("Keep the event name under %(n)s characters.") % {"n": EVENT_LENGTH}
    if not subject:
        errors["subject"] = _("Write a subject.")
    elif len(subject) > SUBJECT_LENGTH:
        errors["subject"] = _("Keep the subject under %(n)s characters.") % {"n": SUBJECT_LENGTH}
    if len(key) > KEY_LENGTH:
        errors["key"] = _("Keep the key under %(n)s characters.") % {"n": KEY_LENGTH}
    if errors:
        raise ValidationError(errors)

    common = {"event": event, "key": key, "subject": subject, "body": body or "", "incident": incident}
    rows = [Delivery(channel=Channel.EMAIL, recipient=address, **common) for address in addresses]
    incident_info = _incident_summary(incident)
    rows += [Delivery(channel=Channel.WEBHOOK, endpoint=endpoint, recipient=endpoint.url[:254],
                      payload={"incident": incident_info}, **common)
             for endpoint in WebhookEndpoint.objects.subscribed_to(event)]

    created: list[Delivery] = []
    duplicates = 0
    with transaction.atomic():
        for row in rows:
            try:
                # A savepoint per row: on PostgreSQL a concurrent insert of the same key waits for the
                # other transaction and then fails here, leaving the caller's transaction usable.
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                if not key:
                    raise
                duplicates += 1
                continue
            created.append(row)
        target = incident or (created[0] if created else None)
        if target is not None and (created or skipped):
            record(actor=actor, action="notifications.notify", target=target,
                   summary=_("Notification “%(subject)s” (%(event)s): %(n)s deliveries queued") % {
                       "subject": subject, "event": event, "n": len(created)},
                   changes={"event": event, "key": key, "deliveries": [d.pk for d in created],
                            "skipped_users": skipped, "duplicates": duplicates})
        _enqueue_after_commit([d.pk for d in created])
    return created


# Sending ----------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts: base × 2^(attempts−1), capped."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


# A delivery still open this long after it was due has lost its task (the process died between the commit
# and the enqueue, or during an attempt): the sweep enqueues it again.
STALE_AFTER = timedelta(minutes=10)


def requeue_stale_deliveries(*, now=None) -> int:
    """Enqueue again the open deliveries whose task was lost; a duplicate task is harmless (the attempt
    claims the row). Returns how many were enqueued."""
    now = now or timezone.now()
    stale = (Delivery.objects.filter(status__in=OPEN_STATUSES)
             .filter(Q(next_attempt_at__isnull=True, created_at__lt=now - STALE_AFTER)
                     | Q(next_attempt_at__lt=now - STALE_AFTER))
             .values_list("pk", flat=True)[:1000])
    ids = list(stale)
    for delivery_id in ids:
        tasks.deliver.enqueue(delivery_id)
    return len(ids)


def attempt_delivery(*, actor=None, delivery_id: int) -> Delivery | None:
    """Make one attempt at sending a pending or retrying delivery, record it, and schedule a retry on failure.

    Does nothing for a delivery already sent or failed, or one whose next attempt is not yet due (so a
    duplicate task never sends twice). The row is claimed by a conditional UPDATE rather than held
    locked, so no transaction stays open while the mail or HTTP server answers.
    """
    _require_viewer(actor)
    now = timezone.now()
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status not in OPEN_STATUSES:
        return delivery
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    lease = now + timedelta(seconds=settings.NOTIFICATIONS_WEBHOOK_TIMEOUT + 120)
    claimed = (Delivery.objects.filter(due, pk=delivery.pk, attempts=delivery.attempts, status__in=OPEN_STATUSES)
               .update(attempts=F("attempts") + 1, next_attempt_at=lease))
    if not claimed:
        return delivery
    delivery.attempts += 1

    started = time.monotonic()
    if delivery.channel == Channel.WEBHOOK and not delivery.endpoint.active:
        outcome_ok, detail, status_code = False, _("The webhook endpoint was deactivated."), None
    else:
        outcome = TRANSPORTS[delivery.channel](delivery)
        outcome_ok, detail, status_code = outcome.ok, outcome.detail, outcome.response_status
    duration = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        finished = timezone.now()
        DeliveryAttempt.objects.create(delivery=delivery, at=finished, ok=outcome_ok, response_status=status_code,
                                       detail=detail, duration_ms=duration)
        before = delivery.status
        if outcome_ok:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, finished, None
            delivery.last_error = ""
        elif delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS or (
                delivery.channel == Channel.WEBHOOK and not delivery.endpoint.active):
            delivery.status, delivery.next_attempt_at, delivery.last_error = DeliveryStatus.FAILED, None, detail
        else:
            delivery.status, delivery.last_error = DeliveryStatus.RETRYING, detail
            delivery.next_attempt_at = finished + retry_delay(delivery.attempts)
            # Enqueued with the result: the worker's own transaction, no on_commit needed.
            tasks.deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
        record(actor=actor, action=f"notifications.{delivery.status}", target=delivery, via="worker",
               summary=_("Delivery #%(id)s to %(to)s, attempt %(n)s: %(status)s") % {
                   "id": delivery.pk, "to": delivery.target_label, "n": delivery.attempts,
                   "status": delivery.get_status_display()},
               changes={"status": [before, delivery.status], "attempt": delivery.attempts, "detail": detail[:300]})
    return delivery


def retry_delivery(*, actor, delivery: Delivery) -> Delivery:
    """Send a failed (or waiting) delivery again now: one more attempt, whatever the count so far."""
    _require_viewer(actor)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not delivery.can_retry:
            raise ValidationError({"delivery": _("Only a failed or retrying delivery can be retried (this one is "
                                                 "%(status)s).") % {"status": delivery.get_status_display()}})
        before = delivery.status
        delivery.status, delivery.next_attempt_at = DeliveryStatus.RETRYING, timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at"])
        record(actor=actor, action="notifications.retry", target=delivery,
               summary=_("Delivery #%(id)s to %(to)s retried by hand") % {
                   "id": delivery.pk, "to": delivery.target_label},
               changes={"status": [before, delivery.status]})
        _enqueue_after_commit([delivery.pk])
    return delivery


def retry_failed(*, actor, since=None) -> list[Delivery]:
    """Retry every failed delivery (created after `since`, if given); one audited retry each."""
    _require_viewer(actor)
    rows = Delivery.objects.filter(status=DeliveryStatus.FAILED).order_by("pk")
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return [retry_delivery(actor=actor, delivery=d) for d in rows]


# Webhook endpoints ------------------------------------------------------------------------------


def _clean_endpoint(name, url, events, secret) -> tuple[dict, dict]:
    errors, values = {}, {}
    if name is not None:
        values["name"] = name = (name or "").strip()
        if not name:
            errors["name"] = _("Give the endpoint a name.")
        elif len(name) > 100:
            errors["name"] = _("Keep the name under %(n)s characters.") % {"n": 100}
    if url is not None:
        values["url"] = url = (url or "").strip()
        try:
            URLValidator(schemes=["http", "https"])(url)
            if len(url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors["url"] = _("Enter an http:// or https:// address (at most 500 characters).")
    if events is not None:
        if isinstance(events, str):
            events = events.split(",")
        cleaned = list(dict.fromkeys(str(e).strip() for e in events if str(e).strip()))
        if any(len(e) > EVENT_LENGTH for e in cleaned):
            errors["events"] = _("Keep each event name under %(n)s characters.") % {"n": EVENT_LENGTH}
        values["events"] = cleaned
    if secret is not None:
        secret = secret.strip()
        if secret and not (SECRET_MIN_LENGTH <= len(secret) <= 128):
            errors["secret"] = _("A secret needs %(min)s to 128 characters; leave it empty to have one generated.") % {
                "min": SECRET_MIN_LENGTH}
        values["secret"] = secret
    return values, errors


def create_webhook_endpoint(*, actor, name: str, url: str, events=(), secret: str = "") -> tuple[WebhookEndpoint, str]:
    """Register a webhook endpoint; returns it with its secret (generated unless given), to be shown once."""
    _require_admin(actor)
    values, errors = _clean_endpoint(name, url, list(events), secret or "")
    if errors:
        raise ValidationError(errors)
    values["secret"] = values["secret"] or secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(created_by=actor if actor and actor.pk else None, **values)
        record(actor=actor, action="notifications.webhook_create", target=endpoint,
               summary=_("Webhook endpoint “%(name)s” added") % {"name": endpoint.name},
               changes={"name": endpoint.name, "url": endpoint.url, "events": endpoint.events,
                        "secret_given": bool(secret)})
    return endpoint, values["secret"]


def update_webhook_endpoint(*, actor, endpoint: WebhookEndpoint, name=None, url=None, events=None,
                            active=None) -> WebhookEndpoint:
    """Change an endpoint's name, address, events or whether it is active (the secret never changes here)."""
    _require_admin(actor)
    values, errors = _clean_endpoint(name, url, events, None)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if active is not None:
            values["active"] = bool(active)
            values["deactivated_at"] = None if active else (endpoint.deactivated_at or timezone.now())
        changes = {k: [getattr(endpoint, k), v] for k, v in values.items()
                   if getattr(endpoint, k) != v and k != "deactivated_at"}
        for field, value in values.items():
            setattr(endpoint, field, value)
        endpoint.save()
        if changes:
            record(actor=actor, action="notifications.webhook_update", target=endpoint,
                   summary=_("Webhook endpoint “%(name)s” changed") % {"name": endpoint.name}, changes=changes)
    return endpoint


def deactivate_webhook_endpoint(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to an endpoint; its past deliveries stay, waiting ones fail at their next attempt."""
    _require_admin(actor)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not endpoint.active:
            return endpoint
        endpoint.active, endpoint.deactivated_at = False, timezone.now()
        endpoint.save(update_fields=["active", "deactivated_at"])
        record(actor=actor, action="notifications.webhook_deactivate", target=endpoint,
               summary=_("Webhook endpoint “%(name)s” deactivated") % {"name": endpoint.name},
               changes={"active": [True, False]})
    return endpoint
