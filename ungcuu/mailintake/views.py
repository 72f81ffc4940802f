"""Pages of mailintake: the received mail of the standing office, one message, and the .eml upload."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ungcuu.incidents.models import Channel
from ungcuu.lib.forms import flash_refusal
from ungcuu.lib.paging import paginate
from ungcuu.mailintake import actions
from ungcuu.mailintake.models import FlagCode, MailFlag, MailMessage, MailStatus


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy(".eml file"),
                           help_text=gettext_lazy("A message saved from a mail program (File › Save as… › .eml)."))


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template mailintake/_incident_panel.html)."""
    # Only a report that came by e-mail has its messages listed here (one query, not on every incident page);
    # a message added to another incident shows on its timeline.
    if incident.channel != Channel.EMAIL or not actions.can_read_mail(user):
        return {}
    return {"mail_messages": list(MailMessage.objects.filter(incident=incident).order_by("received_at", "id")
                                  .only("id", "subject", "sender", "received_at", "status")[:50])}


def messages_for_list(params):
    rows = (MailMessage.objects.select_related("incident", "submission")
            .defer("text").prefetch_related(Prefetch("flags", queryset=MailFlag.objects.order_by("id"))))
    status, flag = params.get("status", ""), params.get("flag", "")
    if status in MailStatus.values:
        rows = rows.filter(status=status)
    if flag in FlagCode.values:
        rows = rows.filter(pk__in=MailFlag.objects.filter(code=flag).values("message_id"))
    return rows, status if status in MailStatus.values else "", flag if flag in FlagCode.values else ""


@login_required
def message_list(request):
    actions.require_mail_reader(request.user)
    rows, status, flag = messages_for_list(request.GET)
    return render(request, "mailintake/message_list.html", {
        "page": paginate(request, rows), "status": status, "flag": flag, "statuses": MailStatus.choices,
        "flag_codes": FlagCode.choices, "form": UploadForm(),
    })


@login_required
def message_detail(request, pk):
    actions.require_mail_reader(request.user)
    message = get_object_or_404(MailMessage.objects.select_related("incident", "submission"), pk=pk)
    return render(request, "mailintake/message_detail.html", {
        "message": message, "flags": message.flags.all(), "attachments": message.attachments.all(),
    })


@login_required
@require_POST
def upload(request):
    actions.require_mail_reader(request.user)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect("mailintake:messages")
    try:
        message, created = actions.import_eml(actor=request.user, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect("mailintake:messages")
    if created:
        messages.success(request, _("Message stored as #%(id)s: %(status)s.") % {
            "id": message.pk, "status": message.get_status_display()})
    else:
        messages.info(request, _("This message was already received as #%(id)s; nothing new was stored.")
                      % {"id": message.pk})
    return redirect("mailintake:message", pk=message.pk)
