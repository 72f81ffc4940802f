"""Reports pages: the periodic report (Biểu mẫu 05) with its CSV, the dashboard, the outcome panel."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.coordination.models import AddresseeKind, Request, RequestKind, RequestStatus
from ungcuu.incidents.models import OVERSIGHT_ROLES, TRIAGE_ROLES, Incident
from ungcuu.lib.forms import add_action_errors
from ungcuu.reports import actions, dashboard, statistics
from ungcuu.reports.forms import OutcomeForm, PeriodForm, RecommendationForm
from ungcuu.reports.models import IncidentOutcome

# The team and oversight see the statistics; the counts include confidential incidents but show none of them.
REPORT_ROLES = (*TRIAGE_ROLES, *OVERSIGHT_ROLES, "team_member")


def _require_report_roles(user) -> None:
    if not user.has_any_role(*REPORT_ROLES):
        raise PermissionDenied


def _outcome_initial(incident, outcome: IncidentOutcome | None) -> dict:
    """The recorded outcome, or a suggestion from the incident's answered support requests."""
    if outcome is not None:
        supporters = list(outcome.supporters.all())
        return {"self_handled": outcome.self_handled, "provincial_team": outcome.provincial_team,
                "national_coordinator": outcome.national_coordinator,
                "other_organisations": "\n".join(s.name for s in supporters if not s.foreign),
                "foreign_organisations": "\n".join(s.name for s in supporters if s.foreign),
                "estimated_damage": outcome.estimated_damage, "damage_note": outcome.damage_note}
    answered = list(Request.objects.filter(incident=incident, kind=RequestKind.SUPPORT, status=RequestStatus.ANSWERED)
                    .values_list("addressed_to_kind", "addressed_to_name")[:50])
    return {"national_coordinator": any(k == AddresseeKind.NATIONAL_COORDINATOR for k, _n in answered),
            "other_organisations": "\n".join(dict.fromkeys(
                n for k, n in answered if k in (AddresseeKind.PROVIDER, AddresseeKind.ORGANISATION))),
            "self_handled": not answered}


def incident_panel_context(user, incident) -> dict:
    """What this app's panel on the incident page needs (templates/reports/_incident_panel.html)."""
    outcome = IncidentOutcome.objects.filter(incident=incident).first()
    can_record = user.has_any_role(*TRIAGE_ROLES) and incident.status not in statistics.NOT_COUNTED
    context = {"outcome": outcome,
               "outcome_supporters": list(outcome.supporters.all()) if outcome else []}
    if can_record:
        context["outcome_form"] = OutcomeForm(auto_id="outcome_%s", initial=_outcome_initial(incident, outcome))
    return context


@login_required
@require_POST
def record_outcome(request, reference):
    incident = get_object_or_404(Incident.objects.visible_to(request.user).lookup(reference))
    if not request.user.has_any_role(*TRIAGE_ROLES):
        raise PermissionDenied
    form = OutcomeForm(request.POST, auto_id="outcome_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_outcome(actor=request.user, incident=incident, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
    if form.errors:
        return render(request, "reports/outcome_form.html", {"incident": incident, "outcome_form": form},
                      status=400)
    return redirect(reverse("incidents:detail", args=[incident.reference]) + "#periodic-outcome")


def _csv(report: statistics.PeriodicReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"bieu-mau-05_{report.start:%Y%m%d}_{report.last_day:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 with the BOM
    writer = csv.writer(response)
    writer.writerow([_("Periodic report on incident handling"), f"{report.start:%d/%m/%Y}",
                     f"{report.last_day:%d/%m/%Y}"])
    writer.writerow([_("Type of incident or attack"), *[label for _k, label in report.columns]])
    for row in [*report.rows, report.total]:
        writer.writerow([row.label, *[getattr(row, k) for k, _label in report.columns]])
    writer.writerow([])
    writer.writerow([_("Supporting organisations"), _("Incidents")])
    writer.writerows(report.other_organisations)
    writer.writerow([])
    writer.writerow([_("Foreign supporting organisations"), _("Incidents")])
    writer.writerows(report.foreign_organisations)
    writer.writerow([])
    writer.writerow([_("Recommendations"), report.recommendations])
    return response


@login_required
def periodic(request):
    _require_report_roles(request.user)
    form = PeriodForm(request.GET or None)
    if not form.is_valid() and request.GET:
        return render(request, "reports/periodic.html", {"form": form}, status=400)
    if not request.GET:
        form = PeriodForm({"preset": statistics.HALFYEAR, "year": timezone.localdate().year})
        form.is_valid()
    start, end = form.cleaned_data["period"]
    can_edit = request.user.has_any_role(*TRIAGE_ROLES)
    rec_form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        rec_form = RecommendationForm(request.POST)
        if rec_form.is_valid():
            try:
                actions.set_recommendations(actor=request.user, start=start, end=end,
                                            text=rec_form.cleaned_data["text"])
                return redirect(request.get_full_path())
            except ValidationError as exc:
                add_action_errors(rec_form, exc)
    report = statistics.periodic_report(start, end)
    if request.GET.get("format") == "csv":
        return _csv(report)
    if can_edit and rec_form is None:
        rec_form = RecommendationForm(initial={"text": report.recommendations})
    query = request.GET.copy()
    query["format"] = "csv"
    return render(request, "reports/periodic.html", {
        "form": form, "report": report, "rec_form": rec_form, "csv_query": query.urlencode(),
        "addressee": statistics.addressee(report.variant), "organisation": statistics.organisation(),
        "quang_ngai": report.variant == statistics.QUANG_NGAI,
    })


@login_required
def dashboard_page(request):
    _require_report_roles(request.user)
    now = timezone.now()
    deadlines = dashboard.deadline_counts(request.user, now)
    history = dashboard.history(now)
    return render(request, "reports/dashboard.html", {
        "since": history["since"],
        "computed_at": history["computed_at"],
        "by_step": dashboard.bars(dashboard.open_by_step()),
        "deadlines": deadlines,
        "by_type": dashboard.bars(history["by_type"]),
        "by_cause": dashboard.bars(history["by_cause"]),
        "by_organisation": dashboard.bars(history["by_organisation"]),
        "by_month": dashboard.bars(history["by_month"]),
        "timings": history["timings"],
    })
