"""The investigation record of an incident (SPEC §7): checklist tasks, the timeline and notes.

Indicators live in the incidents app (`ungcuu.incidents.models.Indicator`); this app extracts and
manages them (indicators.py, actions.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import AttackType, Incident
from ungcuu.incidents.procedure import Step


class ChecklistTemplate(models.Model):
    """An ordered list of things to do at one step of the procedure, for one attack type or any."""

    name = models.CharField(_("name"), max_length=200)
    attack_type = models.CharField(_("attack type"), max_length=30, blank=True, choices=AttackType.choices,
                                   help_text=_("Leave empty for every incident."))
    step = models.CharField(_("procedure step"), max_length=30, choices=Step.choices)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True,
                              help_text=_("The document the list comes from, e.g. a seed decision and its section."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["step", "position", "id"]
        indexes = [models.Index(fields=["step", "active", "attack_type"], name="checklist_step_active")]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """One line of a checklist template; becomes one task on an incident."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


OPEN_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_on__lt=today)


class Task(models.Model):
    """Something to do on an incident at a step, from a checklist or added by hand."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField(_("procedure step"), max_length=30, choices=Step.choices)
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="investigation_tasks")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO)
    template_item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="tasks")
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "step", "position", "id"]
        constraints = [
            # A checklist item gives at most one task per incident (add_checklist_tasks is idempotent).
            models.UniqueConstraint(fields=["incident", "template_item"], condition=Q(template_item__isnull=False),
                                    name="task_once_per_checklist_item"),
        ]
        indexes = [
            models.Index(fields=["incident", "step", "position"], name="task_incident_step"),
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_open"),
            models.Index(fields=["status", "due_on"], name="task_status_due"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < (today or timezone.localdate())

    def is_due_today(self, today=None) -> bool:
        return self.is_open and self.due_on is not None and self.due_on == (today or timezone.localdate())


class TimelineKind(models.TextChoices):
    DETECTION = "detection", _("Detection")
    ACTION = "action", _("Action")
    FINDING = "finding", _("Finding")
    COMMUNICATION = "communication", _("Communication")
    NOTE = "note", _("Note")


class TimelineEvent(models.Model):
    """Something that happened in the incident, or a note, at a stated time."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline_events")
    occurred_at = models.DateTimeField(_("occurred at"))
    kind = models.CharField(_("kind"), max_length=20, choices=TimelineKind.choices, default=TimelineKind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["incident", "occurred_at", "id"], name="timeline_incident_time")]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
