"""Every change to the investigation record: checklist templates, tasks, indicators, the timeline.

One audited, atomic function each. Who may do what:
- checklist templates: administrators;
- tasks, indicators and timeline: the standing office and the team leads (they work on every
  incident) and the members dispatched to the incident (`incident.responders`);
- a timeline entry is edited only by its author, on the day (Asia/Ho_Chi_Minh) it was written;
  after that it stays as written and a new entry corrects it.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import diff, record, snapshot
from ungcuu.incidents.actions import refresh_search_text
from ungcuu.incidents.models import (
    TRIAGE_ROLES,
    AttackType,
    Incident,
    IncidentStatus,
    Indicator,
    IndicatorKind,
    Responder,
)
from ungcuu.incidents.procedure import Step
from ungcuu.investigation import indicators
from ungcuu.investigation.models import (
    ChecklistItem,
    ChecklistTemplate,
    Task,
    TaskStatus,
    TimelineEvent,
    TimelineKind,
)

CLOSED_TO_WORK = (IncidentStatus.MERGED, IncidentStatus.REJECTED)
EXTRACTED = "extracted"
MANUAL = "manual"
TITLE_LENGTH = 300
NAME_LENGTH = 200
TEXT_LENGTH = 20_000
_UNSET = object()


# Who may do what ---------------------------------------------------------------------------------


def _dispatched(user, incident: Incident) -> bool:
    """Dispatched to the incident and not released from it (coordination's release)."""
    return Responder.objects.filter(incident=incident, user=user, release__isnull=True).exists()


def can_work(user, incident: Incident) -> bool:
    """The standing office, the team leads, and the members dispatched to this incident."""
    if user is None or not user.is_authenticated:
        return False
    return user.has_any_role(*TRIAGE_ROLES) or _dispatched(user, incident)


def can_edit_templates(user) -> bool:
    return user is not None and user.is_authenticated and user.has_any_role("administrator")


def _require_worker(actor, incident: Incident) -> None:
    if actor is not None and not can_work(actor, incident):
        raise PermissionDenied(_("Only the standing office, the team leads and the members dispatched to this "
                                 "incident may change its investigation record."))
    if incident.status in CLOSED_TO_WORK:
        raise ValidationError({"__all__": _("This incident is %(status)s; its investigation record is closed.")
                               % {"status": incident.get_status_display().lower()}})


def _require_admin(actor) -> None:
    if actor is not None and not can_edit_templates(actor):
        raise PermissionDenied(_("Only an administrator may change the checklist templates."))


def on_response_team(user, incident: Incident) -> bool:
    """Who may be given a task: the standing office and team leads, or a member dispatched to the incident."""
    return user.is_active and (user.has_any_role(*TRIAGE_ROLES) or _dispatched(user, incident))


def _clean_text(value, field: str, label: str, *, required: bool = True, length: int = TITLE_LENGTH) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Enter the %(label)s.") % {"label": label}})
    if len(value) > length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": length}})
    return value


def _check_step(step: str, field: str = "step") -> str:
    if step not in Step.values:
        raise ValidationError({field: _("Choose a step of the procedure.")})
    return step


# Checklist templates -----------------------------------------------------------------------------

TEMPLATE_FIELDS = ["name", "attack_type", "step", "position", "source", "active"]


def _clean_template(name, attack_type, step, position, source) -> dict:
    if attack_type and attack_type not in AttackType.values:
        raise ValidationError({"attack_type": _("Choose one of the 10 attack types, or none for every incident.")})
    if position is not None and (not isinstance(position, int) or not 0 <= position <= 32767):
        raise ValidationError({"position": _("Enter a whole number from 0 to 32767.")})
    return {"name": _clean_text(name, "name", _("name"), length=NAME_LENGTH), "attack_type": attack_type or "",
            "step": _check_step(step), "position": position or 0,
            "source": _clean_text(source, "source", _("source"), required=False)}


def create_template(*, actor, name: str, step: str, attack_type: str = "", position: int = 0,
                    source: str = "") -> ChecklistTemplate:
    """A new, active checklist template without items."""
    _require_admin(actor)
    fields = _clean_template(name, attack_type, step, position, source)
    with transaction.atomic():
        template = ChecklistTemplate.objects.create(**fields)
        record(actor=actor, action="investigation.create_template", target=template,
               summary=_("Checklist template “%(name)s” created") % {"name": template.name}, changes=fields)
    return template


def update_template(*, actor, template: ChecklistTemplate, name: str, step: str, attack_type: str = "",
                    position: int = 0, source: str = "") -> ChecklistTemplate:
    _require_admin(actor)
    fields = _clean_template(name, attack_type, step, position, source)
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        before = snapshot(template, TEMPLATE_FIELDS)
        for key, value in fields.items():
            setattr(template, key, value)
        template.save()
        record(actor=actor, action="investigation.update_template", target=template,
               summary=_("Checklist template “%(name)s” changed") % {"name": template.name},
               changes=diff(before, snapshot(template, TEMPLATE_FIELDS)))
    return template


def set_template_active(*, actor, template: ChecklistTemplate, active: bool) -> ChecklistTemplate:
    """Deactivate (or reactivate) a template: tasks already made from it stay; no new ones are made."""
    _require_admin(actor)
    with transaction.atomic():
        template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        old = template.active
        template.active = bool(active)
        template.save(update_fields=["active", "updated_at"])
        record(actor=actor, action="investigation.activate_template" if active else "investigation.deactivate_template",
               target=template, summary=(_("Checklist template “%(name)s” activated") if active
                                         else _("Checklist template “%(name)s” deactivated")) % {"name": template.name},
               changes={"active": [old, template.active]})
    return template


def add_checklist_item(*, actor, template: ChecklistTemplate, title: str, detail: str = "",
                       position: int | None = None) -> ChecklistItem:
    _require_admin(actor)
    title = _clean_text(title, "title", _("title"))
    detail = _clean_text(detail, "detail", _("detail"), required=False, length=TEXT_LENGTH)
    with transaction.atomic():
        ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if position is None:
            position = (template.items.aggregate(top=Max("position"))["top"] or 0) + 1
        item = ChecklistItem.objects.create(template=template, title=title, detail=detail, position=position)
        record(actor=actor, action="investigation.add_checklist_item", target=template,
               summary=_("Item “%(title)s” added to “%(name)s”") % {"title": title, "name": template.name},
               changes={"item": item.pk, "title": title, "detail": detail, "position": position})
    return item


def update_checklist_item(*, actor, item: ChecklistItem, title: str, detail: str = "",
                          position: int | None = None) -> ChecklistItem:
    """Change an item's wording; tasks already made from it keep the wording they had."""
    _require_admin(actor)
    title = _clean_text(title, "title", _("title"))
    detail = _clean_text(detail, "detail", _("detail"), required=False, length=TEXT_LENGTH)
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().select_related("template").get(pk=item.pk)
        before = snapshot(item, ["title", "detail", "position"])
        item.title, item.detail = title, detail
        if position is not None:
            item.position = position
        item.save()
        record(actor=actor, action="investigation.update_checklist_item", target=item.template,
               summary=_("Item “%(title)s” of “%(name)s” changed") % {"title": title, "name": item.template.name},
               changes={"item": item.pk, **diff(before, snapshot(item, ["title", "detail", "position"]))})
    return item


def remove_checklist_item(*, actor, item: ChecklistItem) -> None:
    """Remove an item from its template; tasks made from it stay on their incidents."""
    _require_admin(actor)
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().select_related("template").get(pk=item.pk)
        template = item.template
        record(actor=actor, action="investigation.remove_checklist_item", target=template,
               summary=_("Item “%(title)s” removed from “%(name)s”") % {"title": item.title, "name": template.name},
               changes={"item": item.pk, "title": item.title})
        item.delete()


# Tasks -------------------------------------------------------------------------------------------


def matching_templates(incident: Incident, step: str):
    """The active templates for this step and the incident's attack type, or for any type."""
    types = [""] + ([incident.attack_type] if incident.attack_type else [])
    return ChecklistTemplate.objects.filter(active=True, step=step, attack_type__in=types)


def add_checklist_tasks(*, actor, incident: Incident, step: str) -> list[Task]:
    """Make a task from every item of the active templates matching the incident's attack type (or any) and
    the step. Idempotent: an item that already gave a task on this incident gives no second one. The lead's
    procedure calls this when an incident enters a step (actor=None for the system)."""
    _check_step(step)
    _require_worker(actor, incident)
    with transaction.atomic():
        # Serialises two calls for the same incident (two people moving it at once).
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        items = list(ChecklistItem.objects.filter(template__in=matching_templates(incident, step))
                     .select_related("template").order_by("template__position", "template_id", "position", "id"))
        done = set(Task.objects.filter(incident=incident, template_item__in=items)
                   .values_list("template_item_id", flat=True))
        start = Task.objects.filter(incident=incident, step=step).aggregate(top=Max("position"))["top"] or 0
        new = [Task(incident=incident, step=step, title=item.title, detail=item.detail, template_item=item,
                    position=start + n, created_by=actor if actor is not None else None)
               for n, item in enumerate((i for i in items if i.pk not in done), start=1)]
        Task.objects.bulk_create(new)
        if new:
            record(actor=actor, action="investigation.add_checklist_tasks", target=incident,
                   summary=_("%(n)s checklist tasks added for step “%(step)s”") % {
                       "n": len(new), "step": Step(step).label},
                   changes={"step": step, "tasks": [t.title for t in new],
                            "templates": sorted({i.template.name for i in items if i.pk not in done})})
    return new


def _clean_assignee(assignee, incident: Incident):
    if assignee is not None and not on_response_team(assignee, incident):
        raise ValidationError({"assignee": _("%(name)s is not on this incident's response team: only the standing "
                                             "office, the team leads and dispatched members can be given a task.")
                               % {"name": assignee.get_full_name()}})
    return assignee


def add_task(*, actor, incident: Incident, step: str, title: str, detail: str = "", assignee=None,
             due_on=None) -> Task:
    """A task added by hand."""
    _require_worker(actor, incident)
    _check_step(step)
    title = _clean_text(title, "title", _("title"))
    detail = _clean_text(detail, "detail", _("detail"), required=False, length=TEXT_LENGTH)
    _clean_assignee(assignee, incident)
    with transaction.atomic():
        top = Task.objects.filter(incident=incident, step=step).aggregate(top=Max("position"))["top"] or 0
        task = Task.objects.create(incident=incident, step=step, title=title, detail=detail, assignee=assignee,
                                   due_on=due_on, position=top + 1, created_by=actor)
        record(actor=actor, action="investigation.add_task", target=incident,
               summary=_("Task added: %(title)s") % {"title": title},
               changes={"task": task.pk, "step": step, "title": title, "assignee": assignee, "due_on": due_on})
    return task


def update_task(*, actor, task: Task, assignee=_UNSET, due_on=_UNSET, status: str | None = None) -> Task:
    """Change a task's assignee, due date or status; only what is passed changes (assignee=None unassigns)."""
    _require_worker(actor, task.incident)
    if status is not None and status not in TaskStatus.values:
        raise ValidationError({"status": _("Choose a status: to do, in progress, done or not applicable.")})
    if assignee is not _UNSET:
        _clean_assignee(assignee, task.incident)
    fields = ["assignee", "due_on", "status", "completed_at", "completed_by"]
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("incident").get(pk=task.pk)
        before = snapshot(task, fields)
        if assignee is not _UNSET:
            task.assignee = assignee
        if due_on is not _UNSET:
            task.due_on = due_on
        if status is not None and status != task.status:
            task.status = status
            closed = status in (TaskStatus.DONE, TaskStatus.NOT_APPLICABLE)
            task.completed_at = timezone.now() if closed else None
            task.completed_by = actor if closed else None
        task.save()
        changes = diff(before, snapshot(task, fields))
        if changes:
            record(actor=actor, action="investigation.update_task", target=task.incident,
                   summary=_("Task “%(title)s”: %(status)s") % {"title": task.title,
                                                                "status": task.get_status_display()},
                   changes={"task": task.pk, **changes})
    return task


# Indicators --------------------------------------------------------------------------------------


def _save_search_text(incident: Incident) -> None:
    refresh_search_text(incident)
    Incident.objects.filter(pk=incident.pk).update(search_text=incident.search_text)


def report_text(incident: Incident) -> str:
    """The free text indicators are extracted from: the report's description, recommendations and other
    free fields, the verification note, and the timeline's entries."""
    parts = [incident.description, incident.recommendations, incident.detection_detail, incident.system_purpose,
             incident.attachment_other, incident.services_other, incident.security_measures_other,
             incident.verification_note]
    parts += list(incident.timeline_events.values_list("text", flat=True))
    return "\n".join(p for p in parts if p)


def extract_indicators(*, actor, incident: Incident) -> list[Indicator]:
    """Add the indicators found in the report's free text (source "extracted"); those already on the
    incident are left alone, so running it twice adds nothing."""
    _require_worker(actor, incident)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        found = indicators.extract(report_text(incident))
        have = set(incident.indicators.values_list("kind", "value"))
        new = [Indicator(incident=incident, kind=kind, value=value, source=EXTRACTED)
               for kind, value in found if (kind, value) not in have]
        Indicator.objects.bulk_create(new)  # the incident row is locked: nobody adds the same ones meanwhile
        if new:
            _save_search_text(incident)
        record(actor=actor, action="investigation.extract_indicators", target=incident,
               summary=_("%(n)s new indicators extracted from the report") % {"n": len(new)},
               changes={"added": [f"{i.kind}:{i.value}" for i in new], "found": len(found)})
    return new


def add_indicator(*, actor, incident: Incident, kind: str, value: str) -> Indicator:
    """One indicator typed by hand; defanged forms are accepted and stored refanged."""
    _require_worker(actor, incident)
    if kind not in IndicatorKind.values:
        raise ValidationError({"kind": _("Choose the kind: IP, domain, URL, e-mail, MD5, SHA-1, SHA-256 or "
                                         "file name.")})
    try:
        value = indicators.normalise(kind, value)
    except ValueError as exc:
        raise ValidationError({"value": str(exc)}) from None
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.indicators.filter(kind=kind, value=value).exists():
            raise ValidationError({"value": _("%(value)s is already an indicator of this incident.")
                                   % {"value": value}})
        indicator = Indicator.objects.create(incident=incident, kind=kind, value=value, source=MANUAL)
        _save_search_text(incident)
        record(actor=actor, action="investigation.add_indicator", target=incident,
               summary=_("Indicator added: %(kind)s %(value)s") % {
                   "kind": indicator.get_kind_display(), "value": indicators.defang(value, kind)},
               changes={"kind": kind, "value": value})
    return indicator


def remove_indicator(*, actor, indicator: Indicator) -> None:
    _require_worker(actor, indicator.incident)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=indicator.incident_id)
        Indicator.objects.filter(pk=indicator.pk).delete()
        _save_search_text(incident)
        record(actor=actor, action="investigation.remove_indicator", target=incident,
               summary=_("Indicator removed: %(kind)s %(value)s") % {
                   "kind": indicator.get_kind_display(), "value": indicators.defang(indicator.value, indicator.kind)},
               changes={"kind": indicator.kind, "value": indicator.value, "source": indicator.source})


# Timeline ----------------------------------------------------------------------------------------


def _clean_event(occurred_at, kind, text) -> tuple:
    errors = {}
    if occurred_at is None:
        errors["occurred_at"] = _("Enter when it happened.")
    elif timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = _("The time is in the future.")
    if kind not in TimelineKind.values:
        errors["kind"] = _("Choose the kind: detection, action, finding, communication or note.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write what happened.")
    elif len(text) > TEXT_LENGTH:
        errors["text"] = _("At most %(n)s characters.") % {"n": TEXT_LENGTH}
    if errors:
        raise ValidationError(errors)
    return occurred_at, kind, text


def add_timeline_event(*, actor, incident: Incident, occurred_at, kind: str, text: str) -> TimelineEvent:
    _require_worker(actor, incident)
    occurred_at, kind, text = _clean_event(occurred_at, kind, text)
    with transaction.atomic():
        event = TimelineEvent.objects.create(incident=incident, occurred_at=occurred_at, kind=kind, text=text,
                                             author=actor)
        record(actor=actor, action="investigation.add_timeline_event", target=incident,
               summary=_("Timeline: %(kind)s at %(time)s") % {
                   "kind": event.get_kind_display(),
                   "time": timezone.localtime(occurred_at).strftime("%d/%m/%Y %H:%M")},
               changes={"event": event.pk, "occurred_at": occurred_at, "kind": kind, "text": text})
    return event


def can_edit_event(user, event: TimelineEvent) -> bool:
    """Its author, on the day it was written (local time)."""
    return (user is not None and user.is_authenticated and event.author_id == user.pk
            and timezone.localdate(event.created_at) == timezone.localdate())


def edit_timeline_event(*, actor, event: TimelineEvent, occurred_at, kind: str, text: str) -> TimelineEvent:
    """Correct one's own entry on the day it was written; later, add a new entry instead."""
    _require_worker(actor, event.incident)
    if not can_edit_event(actor, event):
        raise PermissionDenied(_("Only its author may correct a timeline entry, and only on the day it was "
                                 "written; add a new entry instead."))
    occurred_at, kind, text = _clean_event(occurred_at, kind, text)
    fields = ["occurred_at", "kind", "text"]
    with transaction.atomic():
        event = TimelineEvent.objects.select_for_update().select_related("incident").get(pk=event.pk)
        before = snapshot(event, fields)
        event.occurred_at, event.kind, event.text = occurred_at, kind, text
        event.edited_at = timezone.now()
        event.save()
        record(actor=actor, action="investigation.edit_timeline_event", target=event.incident,
               summary=_("Timeline entry corrected"), changes={"event": event.pk,
                                                             **diff(before, snapshot(event, fields))})
    return event


def assignable_users(incident: Incident):
    """The people a task on this incident can be given to (for forms)."""
    from ungcuu.accounts.models import User

    return (User.objects.filter(is_active=True)
            .filter(Q(role_assignments__role__in=TRIAGE_ROLES)
                    | Q(dispatches__incident=incident, dispatches__release__isnull=True))
            .distinct().order_by("full_name", "username"))
