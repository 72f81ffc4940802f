"""Pages of drills: the list of drills and trainings, a drill's page, the Chỉ thị 18 due list, team meetings.

The views parse input and call the actions; an action's refusal comes back as a message or on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.drills import actions
from ungcuu.drills.forms import (
    CancelForm,
    CompleteForm,
    DrillEditForm,
    DrillForm,
    MeetingForm,
    MinutesForm,
    ParticipantsForm,
)
from ungcuu.drills.models import (
    EDITOR_ROLES,
    Attendance,
    Drill,
    DrillKind,
    DrillStatus,
    DutyStatus,
    Participant,
    TeamMeeting,
    drill_duties,
    meeting_duty,
)
from ungcuu.lib.forms import add_action_errors, flash_form_errors, perform
from ungcuu.lib.paging import paginate
from ungcuu.registry.models import PROVINCE_WIDE_ROLES, InformationSystem


def incident_panel_context(user, incident) -> dict:
    """What this app shows on the incident page (template drills/_incident_panel.html): nothing."""
    return {}


def require_reader(user) -> None:
    """Drills and meetings are the team's business: the team and oversight read them."""
    if not user.has_any_role(*PROVINCE_WIDE_ROLES):
        raise PermissionDenied(_("Only the response team and oversight see drills and meetings."))


def visible_drills(user):
    require_reader(user)
    return Drill.objects.all()


def _drill_rows(queryset):
    return (queryset.select_related("organiser").prefetch_related("systems")
            .annotate(participant_count=Count("participants", distinct=True)).order_by("-starts_on", "-pk"))


@login_required
def drill_list(request):
    rows = visible_drills(request.user)
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind in DrillKind.values:
        rows = rows.filter(kind=kind)
    if status in DrillStatus.values:
        rows = rows.filter(status=status)
    return render(request, "drills/drill_list.html", {
        "page": paginate(request, _drill_rows(rows)), "kinds": DrillKind.choices, "statuses": DrillStatus.choices,
        "kind": kind, "status": status, "can_edit": request.user.has_any_role(*EDITOR_ROLES)})


@login_required
def drill_new(request):
    actions.require_editor(request.user)
    form = DrillForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            drill = actions.plan_drill(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Drill planned."))
            return redirect("drills:drill", pk=drill.pk)
    return render(request, "drills/drill_form.html", {"form": form}, status=422 if form.errors else 200)


def _drill(request, pk) -> Drill:
    return get_object_or_404(visible_drills(request.user), pk=pk)


@login_required
def drill_edit(request, pk):
    actions.require_editor(request.user)
    drill = _drill(request, pk)
    if drill.status != DrillStatus.PLANNED:
        messages.error(request, _("Only a planned drill can be changed."))
        return redirect("drills:drill", pk=pk)
    initial = {f: getattr(drill, f) for f in ("kind", "title", "scenario", "starts_on", "ends_on", "location",
                                              "organiser")}
    initial["systems"] = list(drill.systems.values_list("pk", flat=True))
    form = DrillEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_drill(actor=request.user, drill=drill, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Drill saved."))
            return redirect("drills:drill", pk=pk)
    return render(request, "drills/drill_form.html", {"form": form, "drill": drill},
                  status=422 if form.errors else 200)


@login_required
def drill_detail(request, pk):
    participants = Participant.objects.select_related("person__organisation", "organisation")
    drill = get_object_or_404(visible_drills(request.user).select_related("organiser", "created_by")
                              .prefetch_related("systems__owner", Prefetch("participants", queryset=participants)),
                              pk=pk)
    can_edit = request.user.has_any_role(*EDITOR_ROLES)
    planned = drill.status == DrillStatus.PLANNED
    return render(request, "drills/drill_detail.html", {
        "drill": drill, "can_edit": can_edit,
        "complete_form": CompleteForm(drill=drill, auto_id="complete_%s",
                                      initial={"ends_on": drill.ends_on}) if can_edit and planned else None,
        "cancel_form": CancelForm(auto_id="cancel_%s") if can_edit and planned else None,
        "participants_form": ParticipantsForm(auto_id="participants_%s")
        if can_edit and drill.status != DrillStatus.CANCELLED else None,
    })


def _post(request, drill, call, success):
    perform(request, call, success)
    return redirect("drills:drill", pk=drill.pk)


@login_required
@require_POST
def drill_complete(request, pk):
    drill = _drill(request, pk)
    form = CompleteForm(request.POST, drill=drill)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("drills:drill", pk=pk)
    data = form.cleaned_data
    return _post(request, drill, lambda: actions.complete_drill(
        actor=request.user, drill=drill, results=data["results"], lessons=data["lessons"], ends_on=data["ends_on"],
        attended=list(data["attended"])), _("Drill recorded as done."))


@login_required
@require_POST
def drill_cancel(request, pk):
    drill = _drill(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("drills:drill", pk=pk)
    return _post(request, drill, lambda: actions.cancel_drill(actor=request.user, drill=drill,
                                                              reason=form.cleaned_data["reason"]),
                 _("Drill cancelled."))


@login_required
@require_POST
def drill_participants(request, pk):
    drill = _drill(request, pk)
    form = ParticipantsForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("drills:drill", pk=pk)
    return _post(request, drill, lambda: actions.add_participants(
        actor=request.user, drill=drill, persons=form.cleaned_data["persons"],
        organisations=form.cleaned_data["organisations"]), _("Participants added."))


@login_required
def due(request):
    """The Chỉ thị 18 yearly live drill of each visible system of level ≥ 3, and the regular meeting."""
    today = timezone.localdate()
    duties = drill_duties(InformationSystem.objects.visible_to(request.user), today)
    status = request.GET.get("status", "")
    if status in DutyStatus.values:
        duties = [d for d in duties if d.status == status]
    team = request.user.has_any_role(*PROVINCE_WIDE_ROLES)
    return render(request, "drills/due.html", {
        "page": paginate(request, duties), "status": status, "today": today,
        "meeting": meeting_duty(today) if team else None,
        "statuses": DutyStatus.choices,
    })


# Team meetings -------------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    require_reader(request.user)
    rows = TeamMeeting.objects.select_related("chair").annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True)),
        absent_count=Count("attendance", filter=Q(attendance__present=False))).order_by("-held_on", "-pk")
    return render(request, "drills/meeting_list.html", {
        "page": paginate(request, rows), "duty": meeting_duty(),
        "can_edit": request.user.has_any_role(*EDITOR_ROLES)})


@login_required
def meeting_new(request):
    actions.require_editor(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.record_meeting(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect("drills:meeting", pk=meeting.pk)
    return render(request, "drills/meeting_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def meeting_detail(request, pk):
    require_reader(request.user)
    attendance = Attendance.objects.select_related("person__organisation")
    meeting = get_object_or_404(TeamMeeting.objects.select_related("chair", "created_by")
                                .prefetch_related(Prefetch("attendance", queryset=attendance)), pk=pk)
    can_edit = request.user.has_any_role(*EDITOR_ROLES)
    form = None
    if can_edit:
        form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes, "decisions": meeting.decisions})
        saved = request.method == "POST" and form.is_valid() and perform(
            request, lambda: actions.update_minutes(actor=request.user, meeting=meeting, **form.cleaned_data),
            _("Minutes saved."))
        if saved:
            return redirect("drills:meeting", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied(_("Only the standing office and the team leads record drills and meetings."))
    return render(request, "drills/meeting_detail.html", {"meeting": meeting, "form": form,
                                                          "attendance": list(meeting.attendance.all())})
