"""Investigation pages: the panel on the incident page, its forms, the full timeline, and the checklist
template pages for administrators. Thin views: find what the user may see (404 otherwise), parse a
form, call an action, show its errors.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.incidents.models import Incident, Indicator
from ungcuu.incidents.procedure import Step
from ungcuu.investigation import actions
from ungcuu.investigation.forms import (
    ChecklistStepForm,
    IndicatorForm,
    ItemForm,
    TaskForm,
    TaskUpdateForm,
    TemplateForm,
    TimelineForm,
)
from ungcuu.investigation.indicators import defang, unicode_domain
from ungcuu.investigation.models import ChecklistItem, ChecklistTemplate, Task, TimelineEvent, TimelineKind
from ungcuu.lib.forms import add_action_errors, flash_form_errors, flash_refusal
from ungcuu.lib.paging import paginate

PANEL_LIMIT = 200  # tasks and indicators shown on the incident page; the API pages through all of them
ALSO_SEEN_LIMIT = 1000  # rows read for "also seen in", for all indicators of the page together
ALSO_SEEN_PER_INDICATOR = 5
_STEP_ORDER = {step: n for n, step in enumerate(Step.values)}


# What the incident page shows --------------------------------------------------------------------


def also_seen_in(user, incident: Incident, indicators) -> dict[tuple[str, str], list[Incident]]:
    """For each (kind, value), the other incidents the user may see that have it, newest first: one query
    for all of them."""
    pairs = {(i.kind, i.value) for i in indicators}
    if not pairs:
        return {}
    visible = Incident.objects.visible_to(user).values("pk")
    rows = (Indicator.objects.filter(value__in={value for _kind, value in pairs}, incident__in=visible)
            .exclude(incident_id=incident.pk).select_related("incident")
            .only("kind", "value", "incident__reference", "incident__title", "incident__detected_at")
            .order_by("-incident__detected_at", "-incident_id")[:ALSO_SEEN_LIMIT])
    seen: dict[tuple[str, str], list[Incident]] = {}
    for row in rows:
        key = (row.kind, row.value)
        if key in pairs and len(seen.setdefault(key, [])) < ALSO_SEEN_PER_INDICATOR:
            seen[key].append(row.incident)
    return seen


@dataclass
class ReportEvent:
    """The detection and reporting times of the initial report, shown as timeline entries."""

    occurred_at: datetime
    kind: str
    text: str
    author = None
    pk = None
    from_report = True

    def get_kind_display(self):
        return str(TimelineKind(self.kind).label)


def report_events(incident: Incident) -> list[ReportEvent]:
    return [ReportEvent(incident.detected_at, TimelineKind.DETECTION, _("Detected (initial report)")),
            ReportEvent(incident.reported_at, TimelineKind.COMMUNICATION, _("Reported (initial report)"))]


def timeline_page(incident: Incident, number=1, size=None):
    """One page of the timeline in time order, with the report's detection and reporting times placed on the
    page where they fall."""
    events = TimelineEvent.objects.filter(incident=incident).select_related("author")
    page = Paginator(events, size or settings.PAGE_SIZE).get_page(number)
    rows = list(page.object_list)
    next_first = None
    if page.has_next():
        next_first = events.values_list("occurred_at", flat=True)[page.end_index(): page.end_index() + 1][0]
    extra = [e for e in report_events(incident)
             if (not page.has_previous() or (rows and e.occurred_at >= rows[0].occurred_at))
             and (next_first is None or e.occurred_at < next_first)]
    return page, sorted(rows + extra, key=lambda e: (e.occurred_at, e.pk or 0))


def _group_tasks(tasks):
    groups: dict[str, list[Task]] = {}
    for task in sorted(tasks, key=lambda t: (_STEP_ORDER.get(t.step, 99), t.position, t.pk)):
        groups.setdefault(task.step, []).append(task)
    return [(Step(step).label, step, rows) for step, rows in groups.items()]


def incident_panel_context(user, incident) -> dict:
    """What this app's panel on the incident page needs, in a fixed number of queries."""
    today = timezone.localdate()
    can_work = actions.can_work(user, incident) and incident.status not in actions.CLOSED_TO_WORK
    tasks = list(Task.objects.filter(incident=incident).select_related("assignee")[: PANEL_LIMIT + 1])
    indicators = list(Indicator.objects.filter(incident=incident)[: PANEL_LIMIT + 1])
    seen = also_seen_in(user, incident, indicators[:PANEL_LIMIT])
    for indicator in indicators:
        indicator.also_seen = seen.get((indicator.kind, indicator.value), [])
        indicator.defanged = defang(indicator.value, indicator.kind)
        indicator.readable = unicode_domain(indicator.value) if "xn--" in indicator.value else ""
    # The first page of the timeline without a count: one query.
    events = list(TimelineEvent.objects.filter(incident=incident).select_related("author")[: settings.PAGE_SIZE + 1])
    more = len(events) > settings.PAGE_SIZE
    events = events[: settings.PAGE_SIZE]
    extra = [e for e in report_events(incident) if not more or e.occurred_at < events[-1].occurred_at]
    timeline = sorted(events + extra, key=lambda e: (e.occurred_at, e.pk or 0))
    assignees = list(actions.assignable_users(incident)) if can_work else []
    return {
        "inv_can_work": can_work,
        "inv_today": today,
        "inv_task_groups": _group_tasks(tasks[:PANEL_LIMIT]),
        "inv_tasks_more": len(tasks) > PANEL_LIMIT,
        "inv_due": [t for t in tasks if t.is_due_today(today)],
        "inv_overdue": [t for t in tasks if t.is_overdue(today)],
        "inv_indicators": indicators[:PANEL_LIMIT],
        "inv_indicators_more": len(indicators) > PANEL_LIMIT,
        "inv_timeline": timeline,
        "inv_timeline_more": more,
        "inv_assignees": assignees,
        "inv_task_statuses": Task._meta.get_field("status").choices,
        # The form's assignee list is the one read above (ModelChoiceField would read it again).
        "inv_task_form": TaskForm(assignees=actions.assignable_users(incident), auto_id="inv_task_%s",
                                  step=getattr(incident, "step", ""), choices=assignees) if can_work else None,
        "inv_checklist_form": ChecklistStepForm(auto_id="inv_checklist_%s",
                                                initial={"step": getattr(incident, "step", "")}) if can_work else None,
        "inv_indicator_form": IndicatorForm(auto_id="inv_indicator_%s") if can_work else None,
        "inv_timeline_form": TimelineForm(auto_id="inv_timeline_%s", initial={
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0)}) if can_work else None,
    }


# Incident forms ----------------------------------------------------------------------------------


def _incident(request, reference) -> Incident:
    try:
        return Incident.objects.visible_to(request.user).lookup(reference).get()
    except Incident.DoesNotExist:
        raise Http404 from None


def _back(incident: Incident, anchor="investigation") -> str:
    return reverse("incidents:detail", args=[incident.reference]) + f"#{anchor}"


@login_required
@require_POST
def add_checklist(request, reference):
    incident = _incident(request, reference)
    form = ChecklistStepForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(_back(incident, "tasks"))
    try:
        tasks = actions.add_checklist_tasks(actor=request.user, incident=incident, step=form.cleaned_data["step"])
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        if tasks:
            messages.success(request, _("%(n)s checklist tasks added.") % {"n": len(tasks)})
        else:
            messages.info(request, _("No new checklist tasks for this step: they are already there, or no "
                                     "active template matches."))
    return redirect(_back(incident, "tasks"))


@login_required
@require_POST
def add_task(request, reference):
    incident = _incident(request, reference)
    form = TaskForm(request.POST, assignees=actions.assignable_users(incident))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(_back(incident, "tasks"))
    try:
        actions.add_task(actor=request.user, incident=incident, **form.cleaned_data)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Task added."))
    return redirect(_back(incident, "tasks"))


@login_required
@require_POST
def update_task(request, pk):
    """Status, assignee and due date of one task; with htmx the row is returned in place."""
    visible = Incident.objects.visible_to(request.user).values("pk")
    task = get_object_or_404(Task.objects.select_related("incident", "assignee").filter(incident__in=visible), pk=pk)
    assignees = actions.assignable_users(task.incident)
    form = TaskUpdateForm(request.POST, assignees=assignees)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        changes = {"status": data["status"] or None}
        if "assignee" in request.POST:
            changes["assignee"] = data["assignee"]
        if "due_on" in request.POST:
            changes["due_on"] = data["due_on"]
        try:
            task = actions.update_task(actor=request.user, task=task, **changes)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.headers.get("HX-Request"):
        return render(request, "investigation/_task_row.html", {
            "task": task, "inv_can_work": True, "inv_assignees": list(assignees), "inv_today": timezone.localdate(),
            "inv_task_statuses": Task._meta.get_field("status").choices, "error": error})
    if error:
        messages.error(request, error)
    return redirect(_back(task.incident, "tasks"))


@login_required
@require_POST
def add_indicator(request, reference):
    incident = _incident(request, reference)
    form = IndicatorForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(_back(incident, "inv-indicators"))
    try:
        indicator = actions.add_indicator(actor=request.user, incident=incident, **form.cleaned_data)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Indicator %(value)s added.") % {"value": defang(indicator.value, indicator.kind)})
    return redirect(_back(incident, "inv-indicators"))


@login_required
@require_POST
def extract_indicators(request, reference):
    incident = _incident(request, reference)
    try:
        added = actions.extract_indicators(actor=request.user, incident=incident)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("%(n)s new indicators found in the report.") % {"n": len(added)})
    return redirect(_back(incident, "inv-indicators"))


@login_required
@require_POST
def remove_indicator(request, pk):
    visible = Incident.objects.visible_to(request.user).values("pk")
    indicator = get_object_or_404(Indicator.objects.select_related("incident").filter(incident__in=visible), pk=pk)
    try:
        actions.remove_indicator(actor=request.user, indicator=indicator)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Indicator removed."))
    return redirect(_back(indicator.incident, "inv-indicators"))


@login_required
@require_POST
def add_timeline_event(request, reference):
    incident = _incident(request, reference)
    form = TimelineForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(_back(incident, "timeline"))
    try:
        actions.add_timeline_event(actor=request.user, incident=incident, **form.cleaned_data)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Added to the timeline."))
    return redirect(_back(incident, "timeline"))


@login_required
def edit_timeline_event(request, pk):
    visible = Incident.objects.visible_to(request.user).values("pk")
    event = get_object_or_404(TimelineEvent.objects.select_related("incident").filter(incident__in=visible), pk=pk)
    if not actions.can_edit_event(request.user, event):
        raise PermissionDenied(_("Only its author may correct a timeline entry, and only on the day it was "
                                 "written; add a new entry instead."))
    if request.method == "POST":
        form = TimelineForm(request.POST)
        if form.is_valid():
            try:
                actions.edit_timeline_event(actor=request.user, event=event, **form.cleaned_data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Timeline entry corrected."))
                return redirect(_back(event.incident, "timeline"))
    else:
        form = TimelineForm(initial={"occurred_at": timezone.localtime(event.occurred_at), "kind": event.kind,
                                     "text": event.text})
    return render(request, "investigation/timeline_edit.html", {"event": event, "incident": event.incident,
                                                                "form": form})


@login_required
def timeline(request, reference):
    """The whole timeline of an incident, page by page."""
    incident = _incident(request, reference)
    page, entries = timeline_page(incident, request.GET.get("page"))
    return render(request, "investigation/timeline.html", {"incident": incident, "page": page, "entries": entries})


# Checklist templates (administrators) ------------------------------------------------------------


def _require_admin(request) -> None:
    if not actions.can_edit_templates(request.user):
        raise PermissionDenied(_("Only an administrator may change the checklist templates."))


@login_required
def template_list(request):
    _require_admin(request)
    rows = ChecklistTemplate.objects.annotate(item_count=Count("items")).order_by("step", "position", "id")
    step = request.GET.get("step", "")
    if step in Step.values:
        rows = rows.filter(step=step)
    return render(request, "investigation/template_list.html", {
        "page": paginate(request, rows), "steps": Step.choices, "step": step})


@login_required
def template_create(request):
    _require_admin(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = actions.create_template(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Template created; now add its items."))
            return redirect("investigation:template_edit", template.pk)
    return render(request, "investigation/template_form.html", {"form": form, "template": None})


@login_required
def template_edit(request, pk):
    """The template's fields and its items: add, change, remove."""
    _require_admin(request)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    form = TemplateForm(initial={f: getattr(template, f) for f in ("name", "step", "attack_type", "position",
                                                                    "source")})
    item_form = ItemForm(auto_id="new_item_%s")
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "template":
                form = TemplateForm(request.POST)
                if form.is_valid():
                    actions.update_template(actor=request.user, template=template, **form.cleaned_data)
                    messages.success(request, _("Template saved."))
                    return redirect("investigation:template_edit", template.pk)
            elif what == "add_item":
                item_form = ItemForm(request.POST, auto_id="new_item_%s")
                if item_form.is_valid():
                    actions.add_checklist_item(actor=request.user, template=template, **item_form.cleaned_data)
                    messages.success(request, _("Item added."))
                    return redirect("investigation:template_edit", template.pk)
            elif what in ("edit_item", "remove_item"):
                item = get_object_or_404(ChecklistItem, pk=request.POST.get("item"), template=template)
                if what == "remove_item":
                    actions.remove_checklist_item(actor=request.user, item=item)
                    messages.success(request, _("Item removed."))
                    return redirect("investigation:template_edit", template.pk)
                edit = ItemForm(request.POST)
                if edit.is_valid():
                    actions.update_checklist_item(actor=request.user, item=item, **edit.cleaned_data)
                    messages.success(request, _("Item saved."))
                    return redirect("investigation:template_edit", template.pk)
                flash_form_errors(request, edit)
        except ValidationError as exc:
            target = item_form if what == "add_item" else form
            add_action_errors(target, exc)
    return render(request, "investigation/template_form.html", {
        "form": form, "template": template, "items": template.items.all(), "item_form": item_form})


@login_required
@require_POST
def template_toggle(request, pk):
    _require_admin(request)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    actions.set_template_active(actor=request.user, template=template, active=not template.active)
    messages.success(request, _("Template activated.") if template.active is False else _("Template deactivated."))
    return redirect("investigation:template_list")

