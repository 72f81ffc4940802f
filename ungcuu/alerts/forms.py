"""Forms of the triage queue: filters, moving alerts into an incident, dismissing them, the settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.alerts.models import AlertSeverity, AlertStatus


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *AlertStatus.choices])
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    system = forms.IntegerField(label=_("System"), required=False, widget=forms.Select)
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("All")), *AlertSeverity.choices])


class MoveForm(forms.Form):
    reference = forms.CharField(label=_("Incident reference"), max_length=30,
                                help_text=_("E.g. SC-2026-0012: the alerts join that incident."))


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("E.g. false positive, a scheduled vulnerability scan."))


class SettingsForm(forms.Form):
    group_window_minutes = forms.IntegerField(label=_("Grouping window (minutes)"), min_value=1, max_value=10080)
    incident_min_severity = forms.ChoiceField(label=_("Lowest severity that opens an incident"),
                                              choices=AlertSeverity.choices)
