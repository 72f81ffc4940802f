"""Coordination pages: the panel on the incident page, an order's page, delegations and the team's workload.

The views parse input and call the actions; an action's refusal comes back as a message on the page the
user came from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.coordination import actions
from ungcuu.coordination.forms import (
    AcknowledgeOrganisationForm,
    AnswerForm,
    CancelForm,
    DelegationForm,
    DispatchForm,
    OrderForm,
    RequestForm,
    ResultForm,
    WrittenFollowUpForm,
    team_users,
)
from ungcuu.coordination.models import (
    CLOSED_INCIDENT_STATES,
    ORDER_ROLES,
    TEAM_ROLES,
    CoordinationOrder,
    Delegation,
    OrderRecipient,
    Request,
)
from ungcuu.incidents.models import OVERSIGHT_ROLES, TRIAGE_ROLES, Incident, Responder
from ungcuu.lib.forms import add_action_errors, flash_form_errors, flash_refusal, perform
from ungcuu.lib.paging import paginate

WORKLOAD_ROLES = TRIAGE_ROLES  # the standing office and the leads see who is on what (SPEC §6)


def _sees_all_coordination(user) -> bool:
    """The team and oversight see the coordination of every incident they can see; anyone else (a reporting
    agency, a system owner) only that of incidents they are dispatched to."""
    return user.has_any_role(*TEAM_ROLES, *OVERSIGHT_ROLES)


def _may_see_coordination(user, responders) -> bool:
    return _sees_all_coordination(user) or any(r.user_id == user.pk for r in responders)


def _orders_for(incident_filter):
    recipients = OrderRecipient.objects.select_related("user", "organisation", "acknowledged_by")
    return (CoordinationOrder.objects.filter(**incident_filter).select_related("incident")
            .prefetch_related(Prefetch("recipients", queryset=recipients)))


def incident_panel_context(user, incident) -> dict:
    """What this app's panel on the incident page needs (templates/coordination/_incident_panel.html)."""
    responders = list(Responder.objects.filter(incident=incident).select_related(
        "user__organisation", "dispatched_by", "release").order_by("dispatched_at", "id"))
    if not _may_see_coordination(user, responders):
        return {"coordination": None}
    for responder in responders:
        responder.released = getattr(responder, "release", None)
    right = actions.can_dispatch(user) if user.has_any_role("team_lead", "deputy_lead") else None
    is_open = incident.status not in CLOSED_INCIDENT_STATES
    can_order = user.has_any_role(*ORDER_ROLES)
    coordination_open = not actions.refusal_to_coordinate(incident)
    requests = list(Request.objects.filter(incident=incident))
    if can_order:
        for row in requests:  # one form per request, so that every label points at its own field
            row.answer_form = AnswerForm(auto_id=f"answer_{row.pk}_%s")
    return {"coordination": {
        "responders": responders,
        "dispatch_right": right,
        "dispatch_form": DispatchForm(auto_id="dispatch_%s") if right and is_open else None,
        "orders": list(_orders_for({"incident": incident})),
        "requests": requests,
        "can_order": can_order,
        "may_issue_order": can_order and coordination_open,
        "request_form": RequestForm(auto_id="request_%s") if can_order and coordination_open else None,
    }}


def _incident(request, reference) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(reference).get()
    except Incident.DoesNotExist:
        raise Http404 from None


def _back_to(incident):
    return redirect(f"/incidents/{incident.reference}/#coordination")


# Dispatch ------------------------------------------------------------------------------------------


@login_required
@require_POST
def dispatch(request, reference):
    incident = _incident(request, reference)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back_to(incident)
    try:
        actions.dispatch_member(actor=request.user, incident=incident, user=form.cleaned_data["user"],
                                role=form.cleaned_data["role"], note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("%(name)s dispatched.") % {"name": form.cleaned_data["user"].get_full_name()})
    return _back_to(incident)


def _responder(request, pk) -> Responder:
    responder = get_object_or_404(Responder.objects.select_related("incident", "user"), pk=pk)
    if not Incident.objects.visible_to(request.user).filter(pk=responder.incident_id).exists():
        raise Http404
    return responder


@login_required
@require_POST
def acknowledge_dispatch(request, pk):
    responder = _responder(request, pk)
    try:
        actions.acknowledge_dispatch(actor=request.user, responder=responder)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Dispatch acknowledged."))
    return _back_to(responder.incident)


@login_required
@require_POST
def release(request, pk):
    responder = _responder(request, pk)
    try:
        actions.release_member(actor=request.user, responder=responder, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("%(name)s released.") % {"name": responder.user.get_full_name()})
    return _back_to(responder.incident)


# Orders --------------------------------------------------------------------------------------------


@login_required
def issue_order(request, reference):
    """The Biểu mẫu 06 form on its own page (its choice lists cost queries the incident page need not pay)."""
    incident = _incident(request, reference)
    actions.require_order_role(request.user)
    form = OrderForm(request.POST or None, initial={"signer": request.user.get_full_name()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = actions.issue_order(
                actor=request.user, incident=incident, content=data["content"], due_at=data["due_at"],
                contact_point=data["contact_point"], signer=data["signer"], channel=data["channel"],
                urgent=data["urgent"], result_report_required=data["result_report_required"], users=data["users"],
                organisations=[(organisation, data["organisation_email"]) for organisation in data["organisations"]])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Coordination order %(ref)s issued.") % {"ref": order.reference})
            return redirect("coordination:order", pk=order.pk)
    return render(request, "coordination/order_form.html", {"incident": incident, "form": form},
                  status=422 if form.errors else 200)


def visible_orders(user):
    """Orders addressed to the user, and those on incidents whose coordination panel they see: every visible
    incident for the team and oversight, otherwise only the incidents they are dispatched to."""
    incidents = Incident.objects.visible_to(user)
    if not _sees_all_coordination(user):
        incidents = incidents.filter(pk__in=Responder.objects.filter(user=user).values("incident_id"))
    return CoordinationOrder.objects.filter(Q(incident__in=incidents.values("pk")) | Q(recipients__user=user)
                                            ).distinct()


def _order(request, pk) -> CoordinationOrder:
    return get_object_or_404(visible_orders(request.user), pk=pk)


@login_required
def order_detail(request, pk):
    order = get_object_or_404(_orders_for({}).filter(pk__in=visible_orders(request.user).values("pk")), pk=pk)
    can_order = request.user.has_any_role(*ORDER_ROLES)
    recipients = list(order.recipients.all())
    for recipient in recipients:
        # One form per recipient row, so that every label points at its own field.
        recipient.organisation_form = AcknowledgeOrganisationForm(auto_id=f"ack_{recipient.pk}_%s")
        recipient.result_form = ResultForm(auto_id=f"result_{recipient.pk}_%s")
    from ungcuu.documents.actions import may_issue  # the printed order lives in the document register
    from ungcuu.documents.forms import OrderDocumentForm
    from ungcuu.documents.models import Document

    incident_visible = Incident.objects.visible_to(request.user).filter(pk=order.incident_id).exists()
    document = Document.objects.filter(order=order).only("pk", "reference", "pdf_signed").first()
    may_print = incident_visible and document is None and not order.is_cancelled and order.issuer_id is not None \
        and may_issue(request.user)
    return render(request, "coordination/order_detail.html", {
        "order": order, "recipients": recipients, "can_order": can_order, "incident_visible": incident_visible,
        "order_document": document, "order_document_form": OrderDocumentForm(auto_id="print_%s") if may_print else None,
        "written_form": WrittenFollowUpForm(auto_id="written_%s"), "cancel_form": CancelForm(auto_id="cancel_%s"),
    })


def _recipient(request, pk, recipient_id) -> OrderRecipient:
    order = _order(request, pk)
    return get_object_or_404(order.recipients.select_related("order"), pk=recipient_id)


def _order_post(request, order, call, success):
    perform(request, call, success)
    return redirect("coordination:order", pk=order.pk)


@login_required
@require_POST
def acknowledge_order(request, pk, recipient_id):
    recipient = _recipient(request, pk, recipient_id)
    via, note = "system", ""
    if recipient.organisation_id:
        form = AcknowledgeOrganisationForm(request.POST)
        if not form.is_valid():
            flash_form_errors(request, form)
            return redirect("coordination:order", pk=pk)
        via, note = form.cleaned_data["via"], form.cleaned_data["note"]
    return _order_post(request, recipient.order, lambda: actions.acknowledge_order(
        actor=request.user, recipient=recipient, via=via, note=note), _("Acknowledgement recorded."))


@login_required
@require_POST
def order_result(request, pk, recipient_id):
    recipient = _recipient(request, pk, recipient_id)
    form = ResultForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("coordination:order", pk=pk)
    return _order_post(request, recipient.order, lambda: actions.record_order_result(
        actor=request.user, recipient=recipient, text=form.cleaned_data["text"]), _("Result recorded."))


@login_required
@require_POST
def written_follow_up(request, pk):
    order = _order(request, pk)
    form = WrittenFollowUpForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("coordination:order", pk=pk)
    return _order_post(request, order, lambda: actions.record_written_follow_up(
        actor=request.user, order=order, reference=form.cleaned_data["reference"],
        sent_at=form.cleaned_data["sent_at"]), _("Written order recorded."))


@login_required
@require_POST
def cancel_order(request, pk):
    order = _order(request, pk)
    return _order_post(request, order, lambda: actions.cancel_order(
        actor=request.user, order=order, reason=request.POST.get("reason", "")), _("Order cancelled."))


# Requests ------------------------------------------------------------------------------------------


@login_required
@require_POST
def send_request(request, reference):
    incident = _incident(request, reference)
    form = RequestForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back_to(incident)
    try:
        actions.send_request(actor=request.user, incident=incident, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Request recorded."))
    return _back_to(incident)


def _request(request, pk) -> Request:
    row = get_object_or_404(Request.objects.select_related("incident"), pk=pk)
    if not Incident.objects.visible_to(request.user).filter(pk=row.incident_id).exists():
        raise Http404
    return row


@login_required
@require_POST
def answer_request(request, pk):
    row = _request(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back_to(row.incident)
    try:
        actions.record_answer(actor=request.user, request=row, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Answer recorded."))
    return _back_to(row.incident)


@login_required
@require_POST
def withdraw_request(request, pk):
    row = _request(request, pk)
    try:
        actions.withdraw_request(actor=request.user, request=row, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Request withdrawn."))
    return _back_to(row.incident)


# Delegations ---------------------------------------------------------------------------------------


@login_required
def delegations(request):
    if not request.user.has_any_role(*TRIAGE_ROLES, *OVERSIGHT_ROLES):
        raise PermissionDenied
    is_lead = request.user.has_any_role("team_lead")
    form = DelegationForm(request.POST or None) if is_lead else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.grant_delegation(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Delegation granted."))
                return redirect("coordination:delegations")
    rows = Delegation.objects.select_related("delegate", "created_by", "revoked_by")
    return render(request, "coordination/delegations.html", {
        "page": paginate(request, rows), "form": form, "is_lead": is_lead, "today": timezone.localdate(),
        "my_right": actions.can_dispatch(request.user) if request.user.has_any_role("deputy_lead") else None,
    }, status=422 if form is not None and form.errors else 200)


@login_required
@require_POST
def revoke_delegation(request, pk):
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        actions.revoke_delegation(actor=request.user, delegation=delegation, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Delegation revoked."))
    return redirect("coordination:delegations")


# Workload ------------------------------------------------------------------------------------------


def workload_rows(members: list) -> list[dict]:
    """For a page of team members: the open incidents each is on and the orders they still owe something on.
    Two queries whatever the number of members."""
    ids = [m.pk for m in members]
    by_user = {m.pk: {"member": m, "dispatches": [], "orders": []} for m in members}
    dispatches = (Responder.objects.filter(user_id__in=ids, release__isnull=True)
                  .exclude(incident__status__in=CLOSED_INCIDENT_STATES)
                  .select_related("incident").only("user_id", "role", "dispatched_at", "acknowledged_at",
                                                   "incident__reference", "incident__title", "incident__status")
                  .order_by("dispatched_at", "id"))
    for responder in dispatches:
        by_user[responder.user_id]["dispatches"].append(responder)
    receipts = (OrderRecipient.objects.filter(user_id__in=ids, order__cancelled_at__isnull=True)
                .filter(Q(order__result_report_required=True, result_reported_at__isnull=True)
                        | Q(order__result_report_required=False, acknowledged_at__isnull=True))
                .select_related("order__incident").order_by("order__due_at", "id"))
    for receipt in receipts:
        by_user[receipt.user_id]["orders"].append(receipt)
    return [by_user[m.pk] for m in members]


def workload_members():
    return team_users().select_related("organisation")


@login_required
def workload(request):
    if not request.user.has_any_role(*WORKLOAD_ROLES):
        raise PermissionDenied
    page = paginate(request, workload_members())
    return render(request, "coordination/workload.html", {"page": page, "rows": workload_rows(list(page))})
