"""Outgoing notifications: one Delivery per recipient or webhook endpoint, and every attempt to send it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Events a webhook endpoint may subscribe to; an empty list means all events. Other apps pass their
# own event names to notify() ("deadlines.reminder", ...), so this is only what endpoints can match.
ALL_EVENTS = "*"


class WebhookEndpointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def subscribed_to(self, event: str):
        """Active endpoints that take this event: listed in their events, or with no list (all events)."""
        return [e for e in self.active().order_by("pk") if e.takes(event)]


class WebhookEndpoint(models.Model):
    """An HTTP address that receives a signed JSON POST for each subscribed event."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Kept in clear: the signature needs the secret itself (like any HMAC webhook sender).
    secret = models.CharField(_("secret"), max_length=128)
    events = models.JSONField(_("events"), default=list, blank=True,
                              help_text=_("Event names; empty means all events."))
    active = models.BooleanField(_("active"), default=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.name

    def takes(self, event: str) -> bool:
        return not self.events or ALL_EVENTS in self.events or event in self.events


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    """One message to one e-mail address or one webhook endpoint, sent (and retried) in the background."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=100)
    # Deduplicates: the same key to the same address or endpoint is delivered once. Empty: no deduplication.
    key = models.CharField(_("key"), max_length=200, blank=True)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("webhook endpoint"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="deliveries")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    # For webhooks, what the incident looked like when the message was made (reference and address).
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    incident = models.ForeignKey("incidents.Incident", verbose_name=_("incident"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # The list page: newest first, filtered by status, channel or event.
            models.Index(fields=["status", "-created_at"], name="delivery_status_created"),
            models.Index(fields=["channel", "-created_at"], name="delivery_channel_created"),
            models.Index(fields=["event", "-created_at"], name="delivery_event_created"),
            models.Index(fields=["-created_at", "-id"], name="delivery_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], condition=Q(channel="email") & ~Q(key=""),
                                    name="delivery_email_key_unique"),
            models.UniqueConstraint(fields=["key", "endpoint"], condition=Q(channel="webhook") & ~Q(key=""),
                                    name="delivery_webhook_key_unique"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk} → {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.channel == Channel.WEBHOOK and self.endpoint_id:
            return self.endpoint.name
        return self.recipient

    @property
    def can_retry(self) -> bool:
        return self.status in (DeliveryStatus.FAILED, DeliveryStatus.RETRYING)


class DeliveryAttempt(models.Model):
    """One try at sending a delivery, with what the server answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("time"))
    ok = models.BooleanField(_("succeeded"))
    # HTTP status code of a webhook (0 when no answer came).
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    # The SMTP reply, the start of the HTTP response, or the error.
    detail = models.TextField(_("detail"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"#{self.delivery_id} {'ok' if self.ok else 'failed'} {self.at:%d/%m/%Y %H:%M}"
