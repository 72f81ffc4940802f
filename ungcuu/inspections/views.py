"""Pages of inspections: the due/overdue list, a system's or organisation's duty history, the record form with
its findings, a result with its findings' remediation, and the periods (national and provincial)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ungcuu.inspections import actions, periods
from ungcuu.inspections.forms import FindingFormSet, FindingUpdateForm, OverrideForm, ResultForm
from ungcuu.inspections.models import DueStatus, Duty, Finding, Kind, PeriodOverride, Result, due_soon_days
from ungcuu.lib.forms import add_action_errors, flash_form_errors, flash_refusal
from ungcuu.lib.paging import paginate
from ungcuu.registry.models import PROVINCE_WIDE_ROLES, InformationSystem, Organisation

STATUSES = [("all", gettext_lazy("All")), *DueStatus.choices, ("never_done", gettext_lazy("Never done"))]


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template inspections/_incident_panel.html)."""
    return {}


def _rows(duties, today):
    return [{"duty": d, "status": d.status(today), "status_label": d.status_label(today)} for d in duties]


@login_required
def duty_list(request):
    """Due and overdue duties of the systems and organisations the user may see, soonest first."""
    today = timezone.localdate()
    status = request.GET.get("status", "all")
    kind = request.GET.get("kind", "")
    organisation = request.GET.get("organisation", "")
    visible = Duty.objects.visible_to(request.user)
    rows = visible.select_related("system", "organisation", "override")
    if status in (*DueStatus.values, "never_done"):
        rows = rows.with_status(status, today)
    if kind in Kind.values:
        rows = rows.filter(kind=kind)
    if organisation.isdigit():
        rows = rows.filter(organisation_id=int(organisation))
    page = paginate(request, rows.order_by("due_on", "pk"))
    page.rows = _rows(page.object_list, today)
    organisations = Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("name")
    return render(request, "inspections/duty_list.html", {
        "page": page, "status": status, "kind": kind, "organisation": organisation, "statuses": STATUSES,
        "kinds": Kind.choices, "organisations": organisations, "today": today, "due_soon_days": due_soon_days(),
        "can_schedule": request.user.has_any_role("administrator", "standing_officer", "team_lead", "deputy_lead"),
    })


@login_required
@require_POST
def schedule(request):
    try:
        counts = actions.schedule_duties(actor=request.user)
    except PermissionDenied as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Duties brought up to date: %(created)s opened, %(updated)s changed, "
                                    "%(removed)s removed.") % counts)
    return redirect("inspections:list")


def _results(queryset):
    return queryset.select_related("system", "organisation", "body", "recorded_by").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("pk")))


@login_required
def system_history(request, pk):
    system = get_object_or_404(InformationSystem.objects.visible_to(request.user).select_related("owner", "operator"),
                               pk=pk)
    today = timezone.localdate()
    duties = list(Duty.objects.filter(system=system).select_related("override", "deadline"))
    duties += list(Duty.objects.filter(system__isnull=True, organisation=system.owner).select_related("override"))
    code = periods.duty_code(Kind.INSPECTION, "system", system.level)
    page = paginate(request, _results(Result.objects.filter(system=system)))
    return render(request, "inspections/history.html", {
        "system": system, "organisation": system.owner, "duty_rows": _rows(duties, today), "page": page,
        "inspection_period": periods.NATIONAL_PERIODS[code],
        "override": PeriodOverride.objects.active().filter(code=code).first(),
        "can_record": actions.can_record(request.user, system=system),
    })


def _visible_organisation(user, pk) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    if user.has_any_role(*PROVINCE_WIDE_ROLES):
        return organisation
    if user.organisation_id and user.organisation.path and organisation.path.startswith(user.organisation.path):
        return organisation
    raise Http404


@login_required
def organisation_history(request, pk):
    organisation = _visible_organisation(request.user, pk)
    today = timezone.localdate()
    duties = list(Duty.objects.filter(organisation=organisation).select_related("system", "override")
                  .order_by("system_id", "due_on")[:300])
    page = paginate(request, _results(Result.objects.filter(system__isnull=True, organisation=organisation)))
    return render(request, "inspections/history.html", {
        "system": None, "organisation": organisation, "duty_rows": _rows(duties, today), "page": page,
        "can_record": actions.can_record(request.user, organisation=organisation),
    })


def _subject(request):
    """The system or organisation named in the query string, if the user may record for it."""
    source = request.POST if request.method == "POST" else request.GET
    system_id, organisation_id = source.get("system", ""), source.get("organisation", "")
    system = organisation = None
    if system_id.isdigit():
        system = get_object_or_404(InformationSystem.objects.visible_to(request.user)
                                   .select_related("owner", "operator"), pk=int(system_id))
    elif organisation_id.isdigit():
        organisation = _visible_organisation(request.user, int(organisation_id))
    else:
        raise Http404
    if not actions.can_record(request.user, system=system, organisation=organisation):
        raise PermissionDenied
    return system, organisation


@login_required
def record_result(request):
    system, organisation = _subject(request)
    data = request.POST if request.method == "POST" else None
    form = ResultForm(data, organisation_scope=system is None,
                      initial={"kind": request.GET.get("kind", Kind.INSPECTION)})
    findings = FindingFormSet(data, prefix="findings")
    if request.method == "POST" and form.is_valid() and findings.is_valid():
        rows = [row for row in (f.row() for f in findings.forms) if row is not None]
        values = form.cleaned_data
        try:
            result = actions.record_result(
                actor=request.user, kind=values["kind"], performed_on=values["performed_on"], system=system,
                organisation=organisation, body=values["body"], body_name=values["body_name"],
                performer=values["performer"], licensed=values["licensed"],
                licence_reference=values["licence_reference"], summary=values["summary"],
                report_reference=values["report_reference"], evidence=values["evidence"], findings=rows)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("%(kind)s recorded. Next due: %(due)s.") % {
                "kind": result.get_kind_display(),
                "due": f"{result.next_due_on:%d/%m/%Y}" if result.next_due_on else _("no period applies")})
            return redirect("inspections:result", pk=result.pk)
    return render(request, "inspections/record_form.html", {
        "form": form, "findings": findings, "system": system, "organisation": organisation,
    }, status=422 if request.method == "POST" else 200)


@login_required
def finding_row(request):
    """One more blank finding row for the record form (htmx), with the formset's new total."""
    total = request.GET.get("findings-TOTAL_FORMS", "1")
    index = int(total) if total.isdigit() and int(total) < 200 else 199
    form = FindingFormSet(prefix="findings").empty_form
    form.prefix = f"findings-{index}"
    return render(request, "inspections/_finding_row.html", {"finding": form, "total": index + 1, "oob": True})


@login_required
def result_detail(request, pk):
    result = get_object_or_404(_results(Result.objects.visible_to(request.user)), pk=pk)
    can_update = actions.can_record(request.user, system=result.system, organisation=result.organisation)
    findings = list(result.findings.all())
    if can_update:
        for finding in findings:
            finding.form = FindingUpdateForm(auto_id=f"finding_{finding.pk}_%s", initial={
                "status": finding.status, "status_on": finding.status_on or timezone.localdate(),
                "remediation": finding.remediation})
    return render(request, "inspections/result_detail.html", {
        "result": result, "findings": findings, "can_update": can_update})


@login_required
@require_POST
def update_finding(request, pk):
    finding = get_object_or_404(Finding.objects.select_related("result__system__owner", "result__system__operator",
                                                               "result__organisation")
                                .filter(result__in=Result.objects.visible_to(request.user)), pk=pk)
    form = FindingUpdateForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        try:
            actions.update_finding(actor=request.user, finding=finding, status=form.cleaned_data["status"],
                                   status_on=form.cleaned_data["status_on"],
                                   remediation=form.cleaned_data["remediation"])
        except (ValidationError, PermissionDenied) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("Finding updated."))
    return redirect("inspections:result", pk=finding.result_id)


@login_required
def period_list(request):
    """The national periods with their sources, the provincial ones, and (administrators) the form to set one."""
    is_admin = request.user.has_any_role("administrator")
    form = OverrideForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                override = actions.set_period_override(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Provincial period set: %(duty)s every %(months)s months.") % {
                    "duty": override.get_code_display(), "months": override.months})
                return redirect("inspections:periods")
    overrides = {o.code: o for o in PeriodOverride.objects.active()}
    rows = [{"period": p, "label": Duty(code=code).get_code_display(), "override": overrides.get(code)}
            for code, p in periods.NATIONAL_PERIODS.items()]
    return render(request, "inspections/periods.html", {
        "rows": rows, "form": form, "is_admin": is_admin, "licensed_quote": periods.QUOTE_LICENSED,
        "history": PeriodOverride.objects.select_related("created_by").order_by("-created_at")[:50],
    }, status=422 if form is not None and form.errors else 200)


@login_required
@require_POST
def withdraw_override(request, pk):
    override = get_object_or_404(PeriodOverride.objects.active(), pk=pk)
    try:
        actions.withdraw_period_override(actor=request.user, override=override)
    except PermissionDenied as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Back to the national period: %(duty)s.") % {"duty": override.get_code_display()})
    return redirect("inspections:periods")
