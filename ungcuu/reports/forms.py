"""Forms of the reports pages: the period, an incident's outcome, the recommendations."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.lib.forms import DateInput
from ungcuu.reports import statistics

PRESET_CHOICES = [(statistics.HALFYEAR, _("Half-year")), (statistics.ANNUAL, _("Annual")),
                  (statistics.CUSTOM, _("Other period"))]


class PeriodForm(forms.Form):
    """A preset (half-year or annual report of a year) or any period given by its first and last day."""

    preset = forms.ChoiceField(label=_("Report"), choices=PRESET_CHOICES, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    start = forms.DateField(label=_("From (first day)"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To (last day, included)"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        preset = data.get("preset") or statistics.HALFYEAR
        if preset == statistics.CUSTOM or (not self.data.get("preset") and (data.get("start") or data.get("end"))):
            start, last = data.get("start"), data.get("end")
            if not start or not last:
                raise forms.ValidationError(_("Give the first and the last day of the period."))
            if last < start:
                raise forms.ValidationError(_("The last day must not be before the first day."))
            data["preset"], data["period"] = statistics.CUSTOM, (start, last + datetime.timedelta(days=1))
        else:
            year = data.get("year") or timezone.localdate().year
            data["preset"], data["year"] = preset, year
            data["period"] = statistics.preset_period(preset, year)
        return data


class OutcomeForm(forms.Form):
    self_handled = forms.BooleanField(label=_("Handled by the organisation itself"), required=False)
    provincial_team = forms.BooleanField(label=_("Supported by the provincial response team"), required=False)
    national_coordinator = forms.BooleanField(label=_("Supported by the national coordinator (VNCERT/CC)"),
                                              required=False)
    other_organisations = forms.CharField(label=_("Other supporting organisations (one a line)"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    foreign_organisations = forms.CharField(label=_("Foreign supporting organisations (one a line)"),
                                            required=False, widget=forms.Textarea(attrs={"rows": 2}))
    estimated_damage = forms.IntegerField(label=_("Estimated damage (VND)"), required=False, min_value=0)
    damage_note = forms.CharField(label=_("Damage note"), required=False, max_length=500)


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
