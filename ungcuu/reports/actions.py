"""Changes made by the reports app: an incident's outcome for Biểu mẫu 05 and a period's recommendations."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ungcuu.audit.actions import diff, record, snapshot
from ungcuu.incidents.models import TRIAGE_ROLES, Incident
from ungcuu.reports.models import IncidentOutcome, Recommendation, Supporter

OUTCOME_FIELDS = ["self_handled", "provincial_team", "national_coordinator", "other_support", "foreign_support",
                  "estimated_damage", "damage_note"]


def _require_team(actor) -> None:
    if actor is not None and not actor.has_any_role(*TRIAGE_ROLES):
        raise PermissionDenied(_("Only the standing office and the team leads record this."))


def _names(values) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return list(dict.fromkeys(" ".join(str(v).split()) for v in values or () if str(v).strip()))


def record_outcome(*, actor, incident: Incident, self_handled: bool = False, provincial_team: bool = False,
                   national_coordinator: bool = False, other_organisations=(), foreign_organisations=(),
                   estimated_damage: int | None = None, damage_note: str = "") -> IncidentOutcome:
    """Record who handled the incident and its estimated damage (the columns of Biểu mẫu 05)."""
    _require_team(actor)
    others, foreign = _names(other_organisations), _names(foreign_organisations)
    errors = {}
    if estimated_damage is not None and estimated_damage < 0:
        errors["estimated_damage"] = _("The estimated damage cannot be negative.")
    if not (self_handled or provincial_team or national_coordinator or others or foreign):
        errors["self_handled"] = _("Say who handled the incident: the organisation itself, the provincial team, "
                                   "other organisations, foreign organisations or the national coordinator.")
    if any(len(name) > 300 for name in others + foreign):
        errors["other_organisations"] = _("An organisation's name is at most 300 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        if incident.status in ("merged", "rejected"):
            raise ValidationError({"self_handled": _("A merged or rejected report is not counted; record the "
                                                     "outcome on the incident it belongs to.")})
        outcome, _created = IncidentOutcome.objects.get_or_create(incident=incident)
        before = snapshot(outcome, OUTCOME_FIELDS)
        before["supporters"] = [f"{'*' if s.foreign else ''}{s.name}" for s in outcome.supporters.all()]
        outcome.self_handled, outcome.provincial_team = bool(self_handled), bool(provincial_team)
        outcome.national_coordinator = bool(national_coordinator)
        outcome.other_support, outcome.foreign_support = bool(others), bool(foreign)
        outcome.estimated_damage, outcome.damage_note = estimated_damage, (damage_note or "").strip()[:500]
        outcome.updated_by = actor
        outcome.save()
        outcome.supporters.all().delete()
        Supporter.objects.bulk_create([Supporter(outcome=outcome, name=n, foreign=False) for n in others]
                                      + [Supporter(outcome=outcome, name=n, foreign=True) for n in foreign])
        after = snapshot(outcome, OUTCOME_FIELDS)
        after["supporters"] = [n for n in others] + [f"*{n}" for n in foreign]
        record(actor=actor, action="reports.outcome", target=incident,
               summary=_("Outcome recorded for the periodic report"), changes=diff(before, after))
    return outcome


def set_recommendations(*, actor, start, end, text: str) -> Recommendation:
    """Write section 4 ("Đề xuất kiến nghị") of the periodic report for the period [start, end)."""
    _require_team(actor)
    if start >= end:
        raise ValidationError({"end": _("The end of the period must be after its start.")})
    with transaction.atomic():
        item, _created = Recommendation.objects.select_for_update().get_or_create(start=start, end=end)
        before = {"text": item.text}
        item.text, item.updated_by = (text or "").strip(), actor
        item.save()
        record(actor=actor, action="reports.recommendations", target=item,
               summary=_("Recommendations of the periodic report %(start)s–%(end)s") % {
                   "start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
               changes=diff(before, {"text": item.text}))
    return item
