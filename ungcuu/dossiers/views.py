"""Pages of dossiers: the list, a dossier's page with its focal points and notices, the edit form and the
printable Biểu mẫu 01.

The views parse input and call the actions; an action's refusal comes back as a message or on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.deadlines.models import Deadline, DeadlineKind
from ungcuu.dossiers import actions
from ungcuu.dossiers.actions import DOSSIER_FIELDS
from ungcuu.dossiers.forms import DossierForm, ExpertForm, FocalPointForm, NoticeForm, StaffForm
from ungcuu.dossiers.models import EDITOR_ROLES, Dossier, FocalPoint, FocalPointChange, FocalPointRole
from ungcuu.lib.forms import add_action_errors, flash_form_errors, perform
from ungcuu.lib.paging import paginate
from ungcuu.registry.models import InformationSystem

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template dossiers/_incident_panel.html): nothing."""
    return {}


@login_required
def dossier_list(request):
    rows = (Dossier.objects.visible_to(request.user).select_related("organisation")
            .annotate(pending_notices=Count("focal_point_changes",
                                            filter=Q(focal_point_changes__notified_at__isnull=True)))
            .order_by("name", "pk"))
    return render(request, "dossiers/dossier_list.html", {
        "page": paginate(request, rows), "can_edit": request.user.has_any_role(*EDITOR_ROLES)})


@login_required
def dossier_new(request):
    actions.require_editor(request.user)
    form = DossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = actions.create_dossier(actor=request.user, organisation=data["organisation"],
                                             systems=data["systems"], **{f: data[f] for f in DOSSIER_FIELDS})
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Dossier opened."))
            return redirect("dossiers:dossier", pk=dossier.pk)
    return render(request, "dossiers/dossier_form.html", {"form": form}, status=422 if form.errors else 200)


def _dossier(request, pk) -> Dossier:
    return get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)


def _full(request, pk) -> Dossier:
    systems = InformationSystem.objects.select_related("owner").order_by("-level", "name")
    current = FocalPoint.objects.filter(until__isnull=True)
    return get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related("organisation", "confirmed_by").prefetch_related(
            Prefetch("systems", queryset=systems), Prefetch("focal_points", queryset=current, to_attr="current"),
            "staff", "experts"), pk=pk)


def _focal_points(dossier) -> dict:
    by_role = {f.role: f for f in dossier.current}
    return {"main": by_role.get(FocalPointRole.MAIN), "backup": by_role.get(FocalPointRole.BACKUP)}


@login_required
def dossier_detail(request, pk):
    dossier = _full(request, pk)
    changes = list(FocalPointChange.objects.filter(dossier=dossier).select_related("new", "previous", "changed_by")
                   .order_by("-changed_at", "-pk")[:20])
    pending = [c for c in changes if c.notified_at is None]
    if pending:
        due = {d.subject_id: d for d in Deadline.objects.filter(
            kind=DeadlineKind.FOCAL_POINT_NOTICE, subject_type=FocalPointChange._meta.label_lower,
            subject_id__in=[str(c.pk) for c in pending])}
        for change in pending:
            change.deadline = due.get(str(change.pk))
    can_edit = request.user.has_any_role(*EDITOR_ROLES)
    return render(request, "dossiers/dossier_detail.html", {
        "dossier": dossier, "focal": _focal_points(dossier), "changes": changes, "pending": pending,
        "now": timezone.now(), "can_edit": can_edit, "update_due": dossier.update_due(),
        "focal_form": FocalPointForm(auto_id="focal_%s") if can_edit else None,
        "notice_form": NoticeForm(auto_id="notice_%s", initial={"sent_at": timezone.localtime().replace(
            second=0, microsecond=0, tzinfo=None)}) if can_edit and pending else None,
        "staff_form": StaffForm(auto_id="staff_%s") if can_edit else None,
        "expert_form": ExpertForm(auto_id="expert_%s") if can_edit else None,
    })


@login_required
def dossier_edit(request, pk):
    actions.require_editor(request.user)
    dossier = _dossier(request, pk)
    form = DossierForm(request.POST or None, instance=dossier)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_dossier(actor=request.user, dossier=dossier, systems=data["systems"],
                                   **{f: data[f] for f in DOSSIER_FIELDS})
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Dossier saved."))
            return redirect("dossiers:dossier", pk=pk)
    return render(request, "dossiers/dossier_form.html", {"form": form, "dossier": dossier},
                  status=422 if form.errors else 200)


@login_required
def dossier_print(request, pk):
    """Biểu mẫu 01 laid out as the form, to print, sign and seal."""
    dossier = _full(request, pk)
    return render(request, "dossiers/dossier_print.html", {
        "dossier": dossier, "focal": _focal_points(dossier), "today": timezone.localdate()})


@login_required
def dossier_docx(request, pk):
    """Biểu mẫu 01 as an editable Word file."""
    from django.http import HttpResponse

    from ungcuu.dossiers.form01 import render_docx

    dossier = _dossier(request, pk)
    response = HttpResponse(render_docx(dossier), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bieu-mau-01-{dossier.pk}.docx"'
    return response


def _post(request, dossier, form_class, call, success):
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        flash_form_errors(request, form)
        return redirect("dossiers:dossier", pk=dossier.pk)
    perform(request, lambda: call(form.cleaned_data if form is not None else None), success)
    return redirect("dossiers:dossier", pk=dossier.pk)


@login_required
@require_POST
def change_focal_point(request, pk):
    dossier = _dossier(request, pk)

    def call(data):
        actions.change_focal_point(actor=request.user, dossier=dossier, **data)

    return _post(request, dossier, FocalPointForm, call,
                 _("Focal point changed: notify the national coordinator within 24 hours."))


@login_required
@require_POST
def record_notice(request, pk):
    dossier = _dossier(request, pk)
    return _post(request, dossier, NoticeForm, lambda data: actions.record_focal_point_notice(
        actor=request.user, dossier=dossier, **data), _("Notice to the national coordinator recorded."))


@login_required
@require_POST
def confirm(request, pk):
    dossier = _dossier(request, pk)
    return _post(request, dossier, None, lambda _data: actions.confirm_dossier(actor=request.user, dossier=dossier),
                 _("Dossier confirmed up to date."))


@login_required
@require_POST
def add_staff(request, pk):
    dossier = _dossier(request, pk)
    return _post(request, dossier, StaffForm, lambda data: actions.add_staff_entry(
        actor=request.user, dossier=dossier, **data), _("Staff added."))


@login_required
@require_POST
def remove_staff(request, pk, entry_id):
    dossier = _dossier(request, pk)
    entry = get_object_or_404(dossier.staff, pk=entry_id)
    return _post(request, dossier, None, lambda _data: actions.remove_staff_entry(actor=request.user, entry=entry),
                 _("Staff removed."))


@login_required
@require_POST
def add_expert(request, pk):
    dossier = _dossier(request, pk)
    return _post(request, dossier, ExpertForm, lambda data: actions.add_expert(
        actor=request.user, dossier=dossier, **data), _("Expert added."))


@login_required
@require_POST
def remove_expert(request, pk, expert_id):
    dossier = _dossier(request, pk)
    expert = get_object_or_404(dossier.experts, pk=expert_id)
    return _post(request, dossier, None, lambda _data: actions.remove_expert(actor=request.user, expert=expert),
                 _("Expert removed."))
