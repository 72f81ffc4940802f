"""Forms of the notifications pages: the deliveries filter and a new webhook endpoint."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.notifications.models import Channel, DeliveryStatus


class DeliveryFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *DeliveryStatus.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices])
    event = forms.CharField(label=_("Event"), required=False, max_length=100)


class WebhookEndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.CharField(label=_("Events"), required=False, max_length=2000,
                             help_text=_("Comma-separated event names; empty for all events."))
    secret = forms.CharField(label=_("Secret"), required=False, max_length=128,
                             help_text=_("Leave empty to have one generated; it is shown once."))
