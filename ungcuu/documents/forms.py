"""The issue form on the incident page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.documents.models import DocumentKind, SignaturePrefix


class IssueForm(forms.Form):
    # A coordination order's document comes from the order's page: it carries the order's number.
    kind = forms.ChoiceField(label=_("Document"), choices=[
        (value, label) for value, label in DocumentKind.choices if value != DocumentKind.COORDINATION_ORDER])
    issued_on = forms.DateField(label=_("Dated"), initial=timezone.localdate,
                                widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(label=_("Summary (trích yếu)"), max_length=500, required=False,
                              help_text=_("Left empty, the usual summary of the kind with the incident reference."))
    signature_prefix = forms.ChoiceField(label=_("Signature"), choices=SignaturePrefix.choices, required=False)
    signer_authority = forms.CharField(label=_("Title of the head signed for"), max_length=200, required=False,
                                       help_text=_("With KT./TM./TL./TUQ., e.g. “Trưởng ban”."))
    signer_title = forms.CharField(label=_("Signer's title"), max_length=200)
    signer_name = forms.CharField(label=_("Signer"), max_length=200)
    recipients = forms.CharField(label=_("Recipients (Nơi nhận), one a line"), widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("What is requested or recommended"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required for requests; the rest comes from the incident record."))


class OrderDocumentForm(forms.Form):
    """The signature block of a coordination order's document; the rest is the order as issued."""

    signature_prefix = forms.ChoiceField(label=_("Signature"), choices=SignaturePrefix.choices, required=False)
    signer_authority = forms.CharField(label=_("Title of the head signed for"), max_length=200, required=False,
                                       help_text=_("With KT./TM./TL./TUQ., e.g. “Trưởng ban”."))
    signer_title = forms.CharField(label=_("Signer's title"), max_length=200)
