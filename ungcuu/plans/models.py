"""Response plans with scenarios per information system, and the team's annual plan (SPEC §9).

A response plan (kế hoạch ứng phó sự cố) follows the outline of REGULATION §2.7: QĐ 05/2017 Phụ lục II for
systems of level 4–5 or on the national critical list, TT 20/2017 Phụ lục III for the others (TT 20 Điều 12.1);
the province's own plan (QĐ 05 Điều 16.1.c) follows QĐ 05 Phụ lục II and is approved by the provincial chairman.
Plans are versioned: a new version copies the previous one and is edited as a draft; an approved version is
frozen and replaces the one approved before it, which stays on record as superseded.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ungcuu.incidents.models import AttackType, Cause
from ungcuu.incidents.procedure import Step
from ungcuu.registry.models import InformationSystem, Organisation

# The team (SPEC §1) sees and drafts every plan; the owner and operator organisations see their systems' plans.
TEAM_ROLES = ("standing_officer", "team_lead", "deputy_lead", "team_member", "administrator")
PLAN_EDITOR_ROLES = ("standing_officer", "team_lead", "deputy_lead", "administrator")
# Who records the chairman's decision on the province's plan (QĐ 05 Điều 16.1.c).
PROVINCE_APPROVAL_ROLES = ("standing_officer", "team_lead", "administrator")
# Who sees the province's plan besides the team: oversight.
PROVINCE_PLAN_READERS = (*TEAM_ROLES, "steering_member", "auditor")
PROVINCE_APPROVER = "Chủ tịch UBND tỉnh"
ANNUAL_EDITOR_ROLES = ("standing_officer", "team_lead", "deputy_lead", "administrator")
ANNUAL_READER_ROLES = (*ANNUAL_EDITOR_ROLES, "team_member", "steering_member", "auditor")


class PlanScope(models.TextChoices):
    SYSTEM = "system", _("Information system")
    PROVINCE = "province", _("The whole province")


class Outline(models.TextChoices):
    QD05_PL2 = "qd05_pl2", _("QĐ 05/2017/QĐ-TTg Phụ lục II (level 4–5 or national critical systems)")
    TT20_PL3 = "tt20_pl3", _("TT 20/2017/TT-BTTTT Phụ lục III (other systems)")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved (in force)")
    SUPERSEDED = "superseded", _("Superseded by a later version")


# The plan's own sections, in outline order (REGULATION §2.7; the scenarios are section 3's body).
# (field, heading, hint). The headings are the reconstruction of both outlines; see docs/plans.md.
SECTIONS = [
    ("basis_purpose", _("1. Basis, purpose and requirements"),
     _("Legal basis; purpose; requirements.")),
    ("severity_criteria", _("1. Criteria to tell the nature and severity of an incident quickly"),
     _("Seed 000 §I.2 and §1.6: the plan sets criteria to determine quickly how serious an incident is.")),
    ("risk_current_state", _("2a. Current state and capacity to keep the systems secure"), ""),
    ("risk_threats", _("2b. Assessment and forecast of threats, incidents and cyber attacks"), ""),
    ("risk_impact", _("2c. Assessment and forecast of consequences, damage and impact"), ""),
    ("risk_resources", _("2d. Current means, equipment, tools and staff (contractors included)"), ""),
    ("continuity_priorities", _("3. Conditions and priorities for keeping the system running during the response"),
     _("Mandatory (TT 20/2017 Điều 12.2): a plan without it cannot be approved.")),
    ("operations", _("4. Standing duty, coordination, handling and response (notification, intake, triage)"), ""),
    ("training", _("5. Training, drills, education and awareness"), ""),
    ("readiness", _("6. Readiness: equipment, tools, software licences, technical services, experts, network"), ""),
    ("budget_organisation", _("7. Budget and organisation of the work (responsibilities per unit)"), ""),
]
SECTION_FIELDS = [field for field, _heading, _hint in SECTIONS]
MANDATORY_SECTION = "continuity_priorities"

# What QĐ 05 Điều 16.2 asks the level 4–5 plan to stress; shown above the outline.
OUTLINE_EMPHASIS = {
    Outline.QD05_PL2: _("QĐ 05/2017 Điều 16.2: stress the attack scenarios, the threats and likely incident "
                        "situations, the response options for each scenario, and training and drills."),
    Outline.TT20_PL3: _("TT 20/2017 Điều 12.1.b and 12.2: the outline of Phụ lục III, with the conditions and "
                        "priorities for keeping the system running as a mandatory part."),
}


def outline_for(system) -> str:
    """TT 20 Điều 12.1: level 4–5 or national critical → QĐ 05 Phụ lục II; otherwise TT 20 Phụ lục III.
    The province's own plan (no system) is a QĐ 05 Điều 16 plan."""
    if system is None or system.level >= 4 or system.national_critical:
        return Outline.QD05_PL2
    return Outline.TT20_PL3


class ResponsePlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Need-to-know: the team sees every plan; a system's plan is otherwise seen only by users of its owner
        and operator organisations (and those below them); the province's plan also by oversight."""
        if not user.is_authenticated:
            return self.none()
        if user.has_any_role(*TEAM_ROLES):
            return self
        visible = Q(scope=PlanScope.PROVINCE) if user.has_any_role(*PROVINCE_PLAN_READERS) else Q(pk__in=[])
        if user.organisation_id and user.organisation.path:
            path = user.organisation.path
            visible |= Q(scope=PlanScope.SYSTEM) & (Q(system__owner__path__startswith=path)
                                                    | Q(system__operator__path__startswith=path))
        return self.filter(visible)

    def current(self):
        return self.filter(status=PlanStatus.APPROVED)


class ResponsePlan(models.Model):
    """One version of the response plan of an information system, or of the whole province."""

    scope = models.CharField(_("scope"), max_length=20, choices=PlanScope.choices, default=PlanScope.SYSTEM)
    system = models.ForeignKey(InformationSystem, verbose_name=_("information system"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="response_plans")
    # "system:<id>" or "province": one series of versions per key, one draft and one approved version at a time.
    series = models.CharField(max_length=40, editable=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey("self", verbose_name=_("previous version"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="next_versions")
    title = models.CharField(_("title"), max_length=300)
    outline = models.CharField(_("outline"), max_length=20, choices=Outline.choices)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)

    basis_purpose = models.TextField(_("basis, purpose and requirements"), blank=True)
    severity_criteria = models.TextField(_("criteria for nature and severity"), blank=True)
    risk_current_state = models.TextField(_("current state and capacity"), blank=True)
    risk_threats = models.TextField(_("threats and attacks forecast"), blank=True)
    risk_impact = models.TextField(_("consequences and impact forecast"), blank=True)
    risk_resources = models.TextField(_("means, equipment and staff"), blank=True)
    continuity_priorities = models.TextField(_("conditions and priorities for keeping the system running"),
                                             blank=True)
    operations = models.TextField(_("standing duty and coordination"), blank=True)
    training = models.TextField(_("training and drills"), blank=True)
    readiness = models.TextField(_("readiness"), blank=True)
    budget_organisation = models.TextField(_("budget and organisation"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Approval (TT 20 Điều 12; QĐ 05 Điều 16.1.c)
    approver_authority = models.CharField(_("approving authority"), max_length=300, blank=True)
    approver_name = models.CharField(_("signed by"), max_length=200, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approval recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approval recorded at"), null=True, blank=True)

    objects = ResponsePlanQuerySet.as_manager()

    class Meta:
        ordering = ["series", "-version"]
        verbose_name = _("response plan")
        verbose_name_plural = _("response plans")
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="plan_version_unique"),
            models.UniqueConstraint(fields=["series"], condition=Q(status="approved"), name="plan_one_approved"),
            models.UniqueConstraint(fields=["series"], condition=Q(status="draft"), name="plan_one_draft"),
            models.CheckConstraint(condition=Q(scope="province", system__isnull=True)
                                   | Q(scope="system", system__isnull=False), name="plan_scope_system"),
        ]
        indexes = [
            models.Index(fields=["system", "status"], name="plan_system_status"),
            models.Index(fields=["status", "-updated_at"], name="plan_status_updated"),
            models.Index(fields=["-updated_at", "-id"], name="plan_updated"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    def sections(self) -> list[dict]:
        return [{"field": field, "heading": heading, "hint": hint, "text": getattr(self, field)}
                for field, heading, hint in SECTIONS]

    def emphasis(self):
        return OUTLINE_EMPHASIS.get(self.outline, "")


class Scenario(models.Model):
    """A situation the plan prepares for: one attack type, or one non-attack cause (REGULATION §2.7 item 3)."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE, related_name="scenarios")
    cause = models.CharField(_("cause"), max_length=30, choices=Cause.choices)
    attack_type = models.CharField(_("attack type"), max_length=30, choices=AttackType.choices, blank=True)
    title = models.CharField(_("title"), max_length=300)
    situation = models.TextField(_("situation and signs"), blank=True)
    identify_origin = models.TextField(_("how to identify the origin"), blank=True)
    isolate = models.TextField(_("how to isolate and contain"), blank=True)
    handle = models.TextField(_("how to handle and remedy"), blank=True)
    recover = models.TextField(_("how to recover"), blank=True)
    resources = models.TextField(_("resources"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.UniqueConstraint(fields=["plan", "cause", "attack_type"], name="scenario_once_per_kind"),
        ]
        indexes = [models.Index(fields=["plan", "cause", "attack_type"], name="scenario_kind")]

    def __str__(self):
        return self.title

    def kind_label(self) -> str:
        if self.attack_type:
            return str(AttackType(self.attack_type).label)
        return str(Cause(self.cause).label)


class ScenarioStep(models.Model):
    """One ordered step of a scenario; it becomes an investigation task at its procedure step."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    procedure_step = models.CharField(_("procedure step"), max_length=30, choices=Step.choices,
                                      default=Step.CONTAIN)

    class Meta:
        ordering = ["scenario", "position", "id"]

    def __str__(self):
        return self.title


class ScenarioTask(models.Model):
    """An investigation task made from a scenario step on an incident: the step gives at most one task."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    scenario_step = models.ForeignKey(ScenarioStep, on_delete=models.PROTECT, related_name="tasks")
    task = models.OneToOneField("investigation.Task", on_delete=models.CASCADE, related_name="scenario_source")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "scenario_step"], name="scenario_task_once")]

    def __str__(self):
        return f"{self.scenario_step} → {self.task_id}"


# The annual plan --------------------------------------------------------------------------------------------


class Period(models.TextChoices):
    QUARTERS = "quarters", _("In the given quarters")
    REGULARLY = "regularly", _("Regularly (all year)")
    IN_YEAR = "in_year", _("During the year")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


# Shown, never stored: a task not done after the end of its period (due_on) is overdue.
OVERDUE = "overdue"
QUARTER_LABELS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_end(year: int, period: str, quarters: str) -> datetime.date:
    """The last day of the task's period: the end of its last quarter, or 31/12."""
    if period == Period.QUARTERS and quarters:
        last = max(int(q) for q in quarters)
        if last < 4:
            return datetime.date(year, 3 * last + 1, 1) - datetime.timedelta(days=1)
    return datetime.date(year, 12, 31)


class AnnualPlan(models.Model):
    """The team's plan of preparedness tasks for one year (seed 004 appendix, seed 000 §II)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("plan document (number and date)"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")

    def __str__(self):
        return self.title


class AnnualTaskQuerySet(models.QuerySet):
    def overdue(self, today=None):
        return self.exclude(status=TaskStatus.DONE).filter(due_on__lt=today or timezone.localdate())


class AnnualTask(models.Model):
    """One row of the annual plan's task table: task, lead, co-operating units, period, status, evidence."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField(_("number"))
    content = models.TextField(_("task"))
    lead = models.ForeignKey(Organisation, verbose_name=_("lead unit"), on_delete=models.PROTECT,
                             related_name="annual_tasks_led")
    lead_note = models.CharField(_("lead units as written in the plan"), max_length=300, blank=True)
    co_operating = models.ManyToManyField(Organisation, verbose_name=_("co-operating units"), blank=True,
                                          related_name="annual_tasks_supported")
    co_operating_note = models.CharField(_("other co-operating units"), max_length=500, blank=True)
    period = models.CharField(_("period"), max_length=20, choices=Period.choices, default=Period.QUARTERS)
    quarters = models.CharField(_("quarters"), max_length=4, blank=True)  # "34" = Quý III; Quý IV
    due_on = models.DateField(_("end of period"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices,
                              default=TaskStatus.NOT_STARTED)
    evidence = models.TextField(_("evidence of completion"), blank=True)
    evidence_reference = models.CharField(_("document reference (number, date)"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("marked done at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnualTaskQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("annual plan task")
        verbose_name_plural = _("annual plan tasks")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="annual_task_number")]
        indexes = [
            models.Index(fields=["plan", "lead", "status"], name="annual_task_lead_status"),
            models.Index(fields=["plan", "status", "due_on"], name="annual_task_status_due"),
        ]

    def __str__(self):
        return f"{self.number}. {self.content[:60]}"

    def period_label(self) -> str:
        if self.period == Period.QUARTERS and self.quarters:
            return "; ".join(str(_("Quarter %(q)s")) % {"q": QUARTER_LABELS[int(q)]} for q in self.quarters)
        return str(Period(self.period).label)

    def shown_status(self, today=None) -> str:
        """The stored status, or "overdue" when not done after the end of its period."""
        if self.status != TaskStatus.DONE and self.due_on < (today or timezone.localdate()):
            return OVERDUE
        return self.status

    def shown_status_label(self, today=None) -> str:
        status = self.shown_status(today)
        return str(_("Overdue")) if status == OVERDUE else str(TaskStatus(status).label)


class ProgressNote(models.Model):
    """A dated note on an annual task's progress; notes are added, never edited."""

    task = models.ForeignKey(AnnualTask, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "created_at", "id"]

    def __str__(self):
        return self.text[:60]
