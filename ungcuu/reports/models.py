"""What the periodic report (Biểu mẫu 05) needs beyond the incident record.

How each incident was handled — by the organisation itself, with the provincial team, other
organisations, foreign organisations or the national coordinator — and the estimated damage are
recorded here, once per incident, as an `IncidentOutcome`. They are not derived from the
coordination app's support `Request`s: a request records what was *asked* (it may be withdrawn,
refused or answered "no"), not who actually helped, it says nothing of incidents handled without
help, and it carries no damage figure. The outcome form on the incident page is prefilled from
the incident's answered support requests, so the team confirms rather than retypes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentOutcome(models.Model):
    """How one incident was handled and what it cost: the columns of Biểu mẫu 05 (seed 001 Phụ lục 03)."""

    incident = models.OneToOneField("incidents.Incident", verbose_name=_("incident"), on_delete=models.CASCADE,
                                    related_name="outcome")
    self_handled = models.BooleanField(_("handled by the organisation itself"), default=False)
    provincial_team = models.BooleanField(_("supported by the provincial response team"), default=False)
    national_coordinator = models.BooleanField(_("supported by the national coordinator (VNCERT/CC)"),
                                               default=False)
    # Kept in step with the supporters below by the action: the report counts them in one aggregate query.
    other_support = models.BooleanField(_("supported by other organisations"), default=False, editable=False)
    foreign_support = models.BooleanField(_("supported by foreign organisations"), default=False, editable=False)
    estimated_damage = models.BigIntegerField(_("estimated damage (VND)"), null=True, blank=True)
    damage_note = models.CharField(_("damage note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("incident outcome")
        verbose_name_plural = _("incident outcomes")
        # The periodic report's table joins the outcome of each counted incident from this index alone.
        indexes = [models.Index(fields=["incident"], name="outcome_cover", include=[
            "self_handled", "provincial_team", "other_support", "foreign_support", "national_coordinator",
            "estimated_damage"])]

    def __str__(self):
        return f"{self.incident_id}"


class Supporter(models.Model):
    """An organisation (domestic or foreign) that helped handle an incident: lists 2 and 3 of Biểu mẫu 05."""

    outcome = models.ForeignKey(IncidentOutcome, on_delete=models.CASCADE, related_name="supporters")
    name = models.CharField(_("organisation"), max_length=300)
    foreign = models.BooleanField(_("foreign organisation"), default=False)

    class Meta:
        ordering = ["foreign", "name"]
        constraints = [models.UniqueConstraint(fields=["outcome", "name", "foreign"], name="supporter_once")]

    def __str__(self):
        return self.name


class Recommendation(models.Model):
    """Section 4 of Biểu mẫu 05 ("Đề xuất kiến nghị"): the text the team writes for one reporting period."""

    start = models.DateField(_("from"))
    end = models.DateField(_("to (exclusive)"))
    text = models.TextField(_("recommendations"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="recommendation_per_period")]

    def __str__(self):
        return f"{self.start}–{self.end}"


class DashboardSnapshot(models.Model):
    """The dashboard's 12-month figures as last computed by the worker, for a large incident table where
    computing them on every page view would take seconds (bench/RESULTS.md, 1M incidents). Not a record of
    anything: recomputed from the incidents at any time (reports.dashboard.refresh_history)."""

    key = models.CharField(max_length=40, unique=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    took_ms = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key} {self.computed_at:%Y-%m-%d %H:%M}"
