"""Pages of advisories: the list, the form, a warning's coverage and recipients, the CSV export, and the
recipient organisation's own page where it acknowledges and answers per system."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.advisories import actions
from ungcuu.advisories.forms import STATUS_FILTER, AdvisoryForm, AnswerForm
from ungcuu.advisories.models import VIEW_ALL_ROLES, Advisory, AdvisoryStatus, Answer, Recipient
from ungcuu.lib.forms import add_action_errors, perform
from ungcuu.lib.paging import paginate


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template advisories/_incident_panel.html): nothing yet — a panel
    of the warnings about the incident's system would cost the page one more query than its budget allows."""
    return {}


def _sees_all(user) -> bool:
    return user.has_any_role(*VIEW_ALL_ROLES)


def _answers_prefetch():
    return Prefetch("answers", queryset=Answer.objects.select_related("system", "answered_by").order_by(
        "system__name", "pk"))


@login_required
def advisory_list(request):
    """Every warning for the team and oversight; an agency's people see the warnings sent to their organisation."""
    status = request.GET.get("status", "")
    if status not in AdvisoryStatus.values:
        status = ""
    if _sees_all(request.user):
        rows = (Advisory.objects.with_counts().select_related("issued_by").prefetch_related("products")
                .order_by("-created_at", "-id"))
        if status:
            rows = rows.filter(status=status)
        return render(request, "advisories/advisory_list.html", {
            "page": paginate(request, rows), "status": status, "statuses": STATUS_FILTER,
            "can_manage": actions.can_manage(request.user)})
    rows = (Recipient.objects.visible_to(request.user).exclude(advisory__status=AdvisoryStatus.DRAFT)
            .with_counts().select_related("advisory", "organisation").order_by("-sent_at", "-pk"))
    if status:
        rows = rows.filter(advisory__status=status)
    return render(request, "advisories/my_list.html", {"page": paginate(request, rows), "status": status,
                                                         "statuses": STATUS_FILTER})


def _form_arguments(data) -> dict:
    return {name: data[name] for name in (
        "title", "description", "cve_ids", "products", "severity", "recommended_actions", "deadline", "source",
        "source_organisation", "match_products")} | {"organisations": list(data["organisations"])}


@login_required
def advisory_create(request):
    if not actions.can_manage(request.user):
        raise PermissionDenied(_("Only the standing office, the team lead or a deputy lead may write warnings."))
    form = AdvisoryForm(request.POST or None, initial={"match_products": True})
    if request.method == "POST" and form.is_valid():
        try:
            advisory = actions.create_advisory(actor=request.user, **_form_arguments(form.cleaned_data))
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Warning saved as a draft. Check who it reaches, then send it."))
            return redirect("advisories:detail", advisory.pk)
    return render(request, "advisories/advisory_form.html", {"form": form, "advisory": None})


@login_required
def advisory_edit(request, pk):
    if not actions.can_manage(request.user):
        raise PermissionDenied(_("Only the standing office, the team lead or a deputy lead may change warnings."))
    advisory = get_object_or_404(Advisory, pk=pk)
    if not advisory.is_draft:
        messages.error(request, _("This warning was already sent; it can no longer be changed."))
        return redirect("advisories:detail", advisory.pk)
    form = AdvisoryForm(request.POST or None, initial=AdvisoryForm.initial_from(advisory))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_advisory(actor=request.user, advisory=advisory, **_form_arguments(form.cleaned_data))
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Warning changed."))
            return redirect("advisories:detail", advisory.pk)
    return render(request, "advisories/advisory_form.html", {"form": form, "advisory": advisory})


def _visible_advisory(request, pk) -> Advisory:
    advisory = Advisory.objects.select_related("issued_by", "source_organisation").filter(pk=pk).first()
    if advisory is None or not _sees_all(request.user):
        raise Http404
    return advisory


@login_required
def advisory_detail(request, pk):
    """The warning, its coverage figures and the per-recipient table; for a draft, who it would reach."""
    if not _sees_all(request.user):
        # An agency's person lands on their own organisation's answer page, if the warning was sent to it.
        mine = Recipient.objects.visible_to(request.user).exclude(advisory__status=AdvisoryStatus.DRAFT).filter(
            advisory_id=pk).values_list("pk", flat=True).first()
        if mine is None:
            raise Http404
        return redirect("advisories:recipient", mine)
    advisory = _visible_advisory(request, pk)
    context = {"advisory": advisory, "products": list(advisory.products.all()),
               "chosen": list(advisory.organisations.all()), "can_manage": actions.can_manage(request.user)}
    if advisory.is_draft:
        context["plans"] = actions.plan_recipients(advisory)
    else:
        context["coverage"] = advisory.coverage()
        recipients = (Recipient.objects.filter(advisory=advisory).with_counts()
                      .select_related("organisation", "acknowledged_by").prefetch_related(_answers_prefetch())
                      .order_by("organisation__name", "pk"))
        context["page"] = paginate(request, recipients)
    return render(request, "advisories/advisory_detail.html", context)


def _post_action(request, pk, action, success):
    advisory = _visible_advisory(request, pk)
    perform(request, lambda: action(actor=request.user, advisory=advisory), success)
    return redirect("advisories:detail", advisory.pk)


@login_required
@require_POST
def advisory_send(request, pk):
    return _post_action(request, pk, actions.send_advisory,
                        lambda rows: _("Warning sent to %(n)s organisations.") % {"n": len(rows)})


@login_required
@require_POST
def advisory_remind(request, pk):
    def done(rows):
        if not rows:
            return _("Nobody to remind: every recipient has answered, or was already reminded today.")
        return _("Reminder sent to %(n)s organisations.") % {"n": len(rows)}

    return _post_action(request, pk, actions.remind_non_responders, done)


@login_required
@require_POST
def advisory_close(request, pk):
    return _post_action(request, pk, actions.close_advisory, lambda advisory: _("Warning closed."))


def coverage_rows(advisory):
    """One row per recipient system (a recipient without systems gives one row), for the CSV export."""
    answers = (Answer.objects.filter(advisory=advisory)
               .select_related("recipient__organisation", "recipient__acknowledged_by", "system", "answered_by")
               .order_by("recipient__organisation__name", "system__name", "pk"))
    seen = set()
    for answer in answers.iterator(chunk_size=1000):
        seen.add(answer.recipient_id)
        yield answer.recipient, answer
    for recipient in (Recipient.objects.filter(advisory=advisory).exclude(pk__in=seen)
                      .select_related("organisation", "acknowledged_by").order_by("organisation__name")):
        yield recipient, None


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


@login_required
def coverage_csv(request, pk):
    advisory = _visible_advisory(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="canh-bao-{advisory.pk}-coverage.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the Vietnamese text as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Organisation"), _("Acknowledged at"), _("Acknowledged by"), _("Information system"),
                     _("Matched on"), _("Answer"), _("Note or reason"), _("Answered at"), _("Answered by"),
                     _("Reminders sent")])
    for recipient, answer in coverage_rows(advisory):
        by = recipient.acknowledged_by.get_full_name() if recipient.acknowledged_by_id else ""
        if answer is None:
            writer.writerow([recipient.organisation.name, _when(recipient.acknowledged_at), by, "", "", "", "", "",
                             "", recipient.reminder_count])
            continue
        writer.writerow([
            recipient.organisation.name, _when(recipient.acknowledged_at), by, answer.system.name, answer.matched_on,
            answer.get_status_display(), answer.note, _when(answer.answered_at),
            answer.answered_by.get_full_name() if answer.answered_by_id else "", recipient.reminder_count])
    return response


# The recipient's page ----------------------------------------------------------------------------------


def _recipient(request, pk) -> Recipient:
    recipient = (Recipient.objects.visible_to(request.user).exclude(advisory__status=AdvisoryStatus.DRAFT)
                 .select_related("advisory", "organisation", "acknowledged_by").filter(pk=pk).first())
    if recipient is None:
        raise Http404
    return recipient


@login_required
def recipient_detail(request, pk):
    """The warning as the recipient organisation sees it: acknowledge, then answer for each of its systems."""
    recipient = _recipient(request, pk)
    answers = list(recipient.answers.select_related("system", "answered_by").order_by("system__name", "pk"))
    may_answer = actions.may_answer(request.user, recipient) and recipient.advisory.status == AdvisoryStatus.SENT
    if may_answer:
        for answer in answers:  # one form per system, so that every label points at its own field
            answer.form = AnswerForm(auto_id=f"answer_{answer.pk}_%s", initial={
                "status": answer.status if answer.answered_at else "", "note": answer.note})
    return render(request, "advisories/recipient_detail.html", {
        "recipient": recipient, "advisory": recipient.advisory, "answers": answers,
        "products": list(recipient.advisory.products.all()), "may_answer": may_answer,
        "sees_all": _sees_all(request.user)})


@login_required
@require_POST
def recipient_acknowledge(request, pk):
    recipient = _recipient(request, pk)
    perform(request, lambda: actions.acknowledge_advisory(actor=request.user, recipient=recipient),
            _("Warning acknowledged. Now answer for each system."))
    return redirect("advisories:recipient", recipient.pk)


@login_required
@require_POST
def answer(request, pk):
    row = get_object_or_404(Answer.objects.select_related("recipient"), pk=pk)
    recipient = _recipient(request, row.recipient_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("advisories:recipient", recipient.pk)
    perform(request, lambda: actions.answer_advisory(actor=request.user, answer=row, status=form.cleaned_data["status"],
                                                     note=form.cleaned_data["note"]),
            lambda saved: _("Answer recorded for %(system)s.") % {"system": saved.system.name})
    return redirect("advisories:recipient", recipient.pk)
