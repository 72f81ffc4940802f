"""The evidence upload and hand-over forms; the rules themselves live in the actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ungcuu.evidence.actions import DESCRIPTION_LENGTH, HOLDER_LENGTH, NOTE_LENGTH
from ungcuu.incidents.models import AttachmentKind


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices, initial=AttachmentKind.OTHER)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_LENGTH, required=False)


class HandOverForm(forms.Form):
    recipient = forms.CharField(label=_("Handed over to"), max_length=HOLDER_LENGTH,
                                help_text=_("Name, position and organisation of the person receiving the file."))
    note = forms.CharField(label=_("Note"), max_length=NOTE_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
