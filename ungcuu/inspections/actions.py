"""Every state change of inspections: one audited function each, called by web, API, CLI and tasks.

The duties (what is due for each system and organisation) are derived state: `schedule_duties` and
`record_result` recompute them and keep one open deadline per duty in the deadline engine (kinds inspection,
vulnerability_scan, threat_hunt; subject the system or the organisation; organisation the owner), whose scan
sends the reminders and escalations.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.deadlines import actions as deadline_actions
from ungcuu.deadlines.calendar import LOCAL, end_of_day, start_of_day
from ungcuu.deadlines.models import Deadline, Rule
from ungcuu.inspections import periods
from ungcuu.inspections.models import (
    RECORD_ROLES,
    Duty,
    DutyCode,
    Finding,
    Kind,
    PeriodOverride,
    Remediation,
    Result,
    Scope,
    Severity,
)
from ungcuu.registry.models import InformationSystem, Organisation

EARLIEST = date(2000, 1, 1)
MAX_MONTHS = 120
MAX_FINDINGS = 200


# Permissions -----------------------------------------------------------------------------------------


def can_record(user, *, system=None, organisation=None) -> bool:
    """The team and administrators record for any system; a system owner for systems their organisation owns
    or operates, and for their organisation's own organisation-wide inspection."""
    if user is None or not user.is_active:
        return False
    if user.has_any_role(*RECORD_ROLES):
        return True
    if not user.has_any_role("system_owner") or user.organisation_id is None or not user.organisation.path:
        return False
    path = user.organisation.path
    if system is not None:
        return system.owner.path.startswith(path) or system.operator.path.startswith(path)
    return organisation is not None and organisation.path.startswith(path)


def _require_administrator(actor) -> None:
    if actor is not None and not (actor.is_active and actor.has_any_role("administrator")):
        raise PermissionDenied(_("Only an administrator sets the provincial periods."))


# Periods ---------------------------------------------------------------------------------------------


def active_overrides() -> dict[str, PeriodOverride]:
    return {o.code: o for o in PeriodOverride.objects.active()}


def period_for(code: str, overrides: dict | None = None) -> tuple[int | None, PeriodOverride | None]:
    """The period in force for a duty: the provincial one if set (it is always stricter), else the national."""
    overrides = active_overrides() if overrides is None else overrides
    override = overrides.get(code)
    if override is not None:
        return override.months, override
    return periods.NATIONAL_PERIODS[code].months, None


def set_period_override(*, actor, code: str, months, source_document: str, article: str = "", reason: str = "",
                        province: str = "") -> PeriodOverride:
    """Set the province's period for a duty. Only a stricter (shorter) one is accepted; a looser one is refused
    with the national period and its source."""
    _require_administrator(actor)
    if code not in DutyCode.values:
        raise ValidationError({"code": _("Unknown duty %(code)s.") % {"code": code}})
    national = periods.NATIONAL_PERIODS[code]
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise ValidationError({"months": _("Give a whole number of months between 1 and %(max)s.")
                               % {"max": MAX_MONTHS}})
    if not periods.stricter(national.months, months):
        raise ValidationError({"months": _(
            "Refused: a provincial period may only be stricter (shorter) than the national one. %(source)s sets "
            "%(national)s months for this duty; %(months)s months would be looser or the same.") % {
            "source": national.source, "national": national.months, "months": months}})
    if not (source_document or "").strip():
        raise ValidationError({"source_document": _("Name the provincial document that sets this period.")})
    with transaction.atomic():
        previous = list(PeriodOverride.objects.active().filter(code=code).select_for_update())
        PeriodOverride.objects.filter(pk__in=[o.pk for o in previous]).update(active=False)
        override = PeriodOverride.objects.create(
            code=code, months=months, province=(province or "").strip(), source_document=source_document.strip(),
            article=(article or "").strip(), reason=(reason or "").strip(), created_by=actor)
        record(actor=actor, action="inspections.set_period_override", target=override,
               summary=_("Provincial period set: %(duty)s every %(months)s months (national: %(national)s)") % {
                   "duty": override.get_code_display(), "months": months,
                   "national": national.months if national.months else _("none")},
               changes={"code": code, "months": months, "national": national.months,
                        "source": override.source, "replaces": [o.pk for o in previous]})
        _schedule(actor=actor, today=timezone.localdate())
    return override


def withdraw_period_override(*, actor, override: PeriodOverride) -> PeriodOverride:
    """Go back to the national period for this duty."""
    _require_administrator(actor)
    with transaction.atomic():
        PeriodOverride.objects.filter(pk=override.pk).update(active=False)
        override.active = False
        record(actor=actor, action="inspections.withdraw_period_override", target=override,
               summary=_("Provincial period withdrawn: %(duty)s") % {"duty": override.get_code_display()},
               changes={"active": [True, False]})
        _schedule(actor=actor, today=timezone.localdate())
    return override


# Duties and their deadlines ------------------------------------------------------------------------


@dataclass
class _Want:
    """The duty one subject should have now."""

    code: str
    kind: str
    scope: str
    system: InformationSystem | None
    organisation: Organisation
    months: int
    override: PeriodOverride | None
    last_done_on: date | None
    base_on: date | None
    due_on: date


def _want(*, kind, system, organisation, last_done, base, overrides, today) -> _Want | None:
    scope = Scope.SYSTEM if system is not None else Scope.ORGANISATION
    code = periods.duty_code(kind, scope, system.level if system is not None else None)
    months, override = period_for(code, overrides)
    if months is None:
        return None
    due = periods.next_due(months=months, last_done=last_done, base=base, today=today)
    return _Want(code=code, kind=kind, scope=scope, system=system, organisation=organisation, months=months,
                 override=override, last_done_on=last_done, base_on=base if last_done is None else None, due_on=due)


def _note(want: _Want) -> str:
    subject = want.system.name if want.system is not None else want.organisation.name
    return f"{subject} — {DutyCode(want.code).label}"


def _deadline_subject(system, organisation):
    return system if system is not None else organisation


def _sync_deadline(want: _Want, open_deadline: Deadline | None, met_on: date | None) -> Deadline:
    """One open deadline per (kind, subject), due at the end of the duty's due date. A new result meets the open
    one; a changed due date (period, level, owner) cancels it; then the next one is started."""
    subject = _deadline_subject(want.system, want.organisation)
    due_at = end_of_day(want.due_on)
    if open_deadline is not None:
        if (met_on is None and open_deadline.due_at == due_at
                and open_deadline.organisation_id == want.organisation.pk):
            return open_deadline
        if met_on is not None:
            at = max(datetime.combine(met_on, time(12), tzinfo=LOCAL), open_deadline.start_at)
            deadline_actions.meet_deadline(kind=want.kind, subject=subject, at=at)
        else:
            deadline_actions.cancel_deadline(kind=want.kind, subject=subject,
                                             reason=_("The due date of the duty changed."))
    counted_from = want.last_done_on or want.base_on or want.due_on
    start = min(start_of_day(counted_from), due_at)
    # The engine needs its rule in force on the start day: a duty counted from before the rule set (a system
    # approved before 11/2017, never inspected) starts on the rule set's first day.
    first = _rule_start(want.kind)
    if first is not None and start < start_of_day(first):
        start = start_of_day(first)
        due_at = max(due_at, start)
    return deadline_actions.start_deadline(kind=want.kind, start=start, subject=subject, due=due_at,
                                           organisation=want.organisation, note=_note(want))


def _rule_start(kind: str) -> date | None:
    return (Rule.objects.filter(kind=kind).order_by("rule_set__effective_from")
            .values_list("rule_set__effective_from", flat=True).first())


def _apply(*, actor, want: _Want | None, duty: Duty | None, open_deadline: Deadline | None,
           met_on: date | None = None, kind: str, system=None, organisation=None) -> tuple[Duty | None, str]:
    """Bring one subject's duty and deadline to `want`; returns the duty and what happened
    (created/updated/removed/unchanged, or absent: none wanted, none there)."""
    if want is None:
        if duty is None and open_deadline is None:
            return None, "absent"
        if open_deadline is not None:
            deadline_actions.cancel_deadline(kind=kind, subject=_deadline_subject(system, organisation),
                                             reason=_("The duty no longer applies."))
        if duty is not None:
            record(actor=actor, action="inspections.remove_duty", target=duty,
                   summary=_("Duty no longer applies: %(duty)s") % {"duty": str(duty)},
                   changes={"code": duty.code, "due_on": duty.due_on})
            duty.delete()
        return None, "removed"
    fields = {"code": want.code, "scope": want.scope, "organisation_id": want.organisation.pk, "months": want.months,
              "override_id": want.override.pk if want.override else None, "last_done_on": want.last_done_on,
              "base_on": want.base_on, "due_on": want.due_on}
    deadline = _sync_deadline(want, open_deadline, met_on)
    fields["deadline_id"] = deadline.pk
    if duty is None:
        duty = Duty.objects.create(kind=want.kind, system=want.system, **fields)
        record(actor=actor, action="inspections.open_duty", target=duty,
               summary=_("Duty opened: %(duty)s, due %(due)s") % {"duty": str(duty), "due": f"{want.due_on:%d/%m/%Y}"},
               changes={**fields, "source": duty.source()})
        return duty, "created"
    before = {name: getattr(duty, name) for name in fields}
    changed = {name: [before[name], value] for name, value in fields.items() if before[name] != value}
    if not changed:
        return duty, "unchanged"
    for name, value in fields.items():
        setattr(duty, name, value)
    duty.save()
    record(actor=actor, action="inspections.update_duty", target=duty,
           summary=_("Duty due %(due)s: %(duty)s") % {"duty": str(duty), "due": f"{want.due_on:%d/%m/%Y}"},
           changes=changed)
    return duty, "updated"


def _open_deadlines(kinds=None) -> dict:
    rows = Deadline.objects.open().filter(incident__isnull=True, kind__in=kinds or Kind.values,
                                          subject_type__in=["registry.informationsystem", "registry.organisation"])
    return {(d.kind, d.subject_type, d.subject_id): d for d in rows}


def _key(kind, system, organisation):
    if system is not None:
        return kind, "registry.informationsystem", str(system.pk)
    return kind, "registry.organisation", str(organisation.pk)


def _schedule(*, actor, today: date) -> dict:
    """Open the missing duties and deadlines for every system and owner organisation, update the changed ones
    and remove those that no longer apply. Reads in a fixed number of queries; writes only what changed."""
    counts = {"created": 0, "updated": 0, "removed": 0, "unchanged": 0}
    overrides = active_overrides()
    systems = list(InformationSystem.objects.filter(is_active=True).select_related("owner").order_by("pk"))
    last = {(row["kind"], row["system"]): row["last"] for row in
            Result.objects.filter(system__isnull=False).values("kind", "system").annotate(last=Max("performed_on"))}
    last_org = {row["organisation"]: row["last"] for row in
                Result.objects.filter(system__isnull=True, kind=Kind.INSPECTION).values("organisation")
                .annotate(last=Max("performed_on"))}
    duties = {(d.kind, d.system_id) if d.system_id else (d.kind, "org", d.organisation_id): d
              for d in Duty.objects.select_related("system", "organisation")}
    deadlines = _open_deadlines()
    seen = set()
    for system in systems:
        for kind in Kind.values:
            want = _want(kind=kind, system=system, organisation=system.owner, last_done=last.get((kind, system.pk)),
                         base=system.level_approved_on, overrides=overrides, today=today)
            duty = duties.get((kind, system.pk))
            seen.add((kind, system.pk))
            _duty, what = _apply(actor=actor, want=want, duty=duty,
                                 open_deadline=deadlines.get(_key(kind, system, None)), kind=kind, system=system)
            if what != "absent":
                counts[what] += 1
    owners = {}
    for system in systems:
        owners.setdefault(system.owner_id, system.owner)
    bases = {row["owner"]: row["first"] for row in InformationSystem.objects.filter(is_active=True)
             .values("owner").annotate(first=Min("level_approved_on"))}
    for organisation in owners.values():
        want = _want(kind=Kind.INSPECTION, system=None, organisation=organisation,
                     last_done=last_org.get(organisation.pk), base=bases.get(organisation.pk), overrides=overrides,
                     today=today)
        seen.add((Kind.INSPECTION, "org", organisation.pk))
        _duty, what = _apply(actor=actor, want=want, duty=duties.get((Kind.INSPECTION, "org", organisation.pk)),
                             open_deadline=deadlines.get(_key(Kind.INSPECTION, None, organisation)),
                             kind=Kind.INSPECTION, organisation=organisation)
        if what != "absent":
            counts[what] += 1
    # Duties of systems no longer in operation and of organisations that own none any more.
    for key, duty in duties.items():
        if key in seen:
            continue
        _apply(actor=actor, want=None, duty=duty,
               open_deadline=deadlines.get(_key(duty.kind, duty.system, duty.organisation)),
               kind=duty.kind, system=duty.system, organisation=duty.organisation)
        counts["removed"] += 1
    return counts


def schedule_duties(*, actor=None, today: date | None = None) -> dict:
    """Open the missing duties (with their deadlines) for all systems and owner organisations, and bring the
    others in step with levels, owners and periods. Idempotent: a second run changes nothing."""
    if actor is not None and not (actor.is_active and actor.has_any_role(*RECORD_ROLES)):
        raise PermissionDenied(_("Only the response team schedules the inspection duties."))
    with transaction.atomic():
        return _schedule(actor=actor, today=today or timezone.localdate())


def _sync_subject(*, actor, kind, system, organisation, met_on: date | None, today: date) -> Duty | None:
    """Recompute one subject's duty after a result (the open deadline met if the result is the latest)."""
    if system is not None:
        results = Result.objects.filter(system=system, kind=kind)
        base = system.level_approved_on
        applies = system.is_active
        duty = Duty.objects.filter(kind=kind, system=system).first()
    else:
        results = Result.objects.filter(system__isnull=True, organisation=organisation, kind=kind)
        owned = InformationSystem.objects.filter(is_active=True, owner=organisation)
        base = owned.aggregate(first=Min("level_approved_on"))["first"]
        applies = owned.exists()
        duty = Duty.objects.filter(kind=kind, system__isnull=True, organisation=organisation).first()
    last_done = results.aggregate(last=Max("performed_on"))["last"]
    previous = duty.last_done_on if duty is not None else None
    is_latest = met_on is not None and met_on == last_done and (previous is None or met_on > previous)
    want = _want(kind=kind, system=system, organisation=organisation, last_done=last_done, base=base,
                 overrides=active_overrides(), today=today) if applies else None
    open_deadline = Deadline.objects.open().filter(
        incident__isnull=True, kind=kind, subject_type=_key(kind, system, organisation)[1],
        subject_id=_key(kind, system, organisation)[2]).first()
    duty, _what = _apply(actor=actor, want=want, duty=duty, open_deadline=open_deadline,
                         met_on=met_on if is_latest else None, kind=kind, system=system, organisation=organisation)
    return duty


# Results and findings ------------------------------------------------------------------------------


def _date(value, field: str, *, not_before: date = EARLIEST, today: date) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError({field: _("Give a date.")})
    if value > today:
        raise ValidationError({field: _("The date %(day)s is in the future.") % {"day": f"{value:%d/%m/%Y}"}})
    if value < not_before:
        raise ValidationError({field: _("The date %(day)s is before %(earliest)s.") % {
            "day": f"{value:%d/%m/%Y}", "earliest": f"{not_before:%d/%m/%Y}"}})
    return value


def _clean_finding(row: dict, number: int, performed_on: date, today: date) -> dict:
    def error(message):
        return ValidationError({"findings": [_("Finding %(n)s: %(message)s") % {"n": number, "message": message}]})

    title = str(row.get("title") or "").strip()
    if not title:
        raise error(_("give its title."))
    if len(title) > 300:
        raise error(_("the title is longer than 300 characters."))
    severity = row.get("severity") or ""
    if severity not in Severity.values:
        raise error(_("choose a severity (low, medium, high, critical)."))
    status = row.get("status") or Remediation.OPEN
    if status not in Remediation.values:
        raise error(_("the remediation status is open, fixed or accepted."))
    status_on = row.get("status_on") or None
    if status == Remediation.OPEN:
        status_on = None
    elif status_on is None:
        raise error(_("give the date it was fixed or its risk accepted."))
    else:
        try:
            _date(status_on, "status_on", not_before=performed_on, today=today)
        except ValidationError as exc:
            raise error(exc.messages[0]) from None
    return {"title": title, "severity": severity, "remediation": str(row.get("remediation") or "").strip(),
            "status": status, "status_on": status_on}


def record_result(*, actor, kind: str, performed_on: date, summary: str, system=None, organisation=None,
                  body=None, body_name: str = "", performer: str = "", licensed: bool = False,
                  licence_reference: str = "", report_reference: str = "", evidence: str = "",
                  findings=()) -> Result:
    """Record an inspection, scan or hunt with its findings; the duty's next due date is recomputed and its
    deadline met and started again. An inspection of a level ≥ 3 system needs a licensed or designated body
    (NĐ 85/2016 Điều 20.2.c)."""
    today = timezone.localdate()
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose an inspection, a vulnerability scan or a threat hunt.")})
    if system is None and organisation is None:
        raise ValidationError({"system": _("Choose the information system or the organisation.")})
    if system is not None:
        scope, organisation, level = Scope.SYSTEM, system.owner, system.level
    else:
        scope, level = Scope.ORGANISATION, None
        if kind != Kind.INSPECTION:
            raise ValidationError({"kind": _("Vulnerability scans and threat hunts are recorded per information "
                                             "system (Chỉ thị 18/CT-TTg).")})
    if not can_record(actor, system=system, organisation=organisation):
        raise PermissionDenied(_("You may not record results for this system or organisation."))
    _date(performed_on, "performed_on", today=today)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Summarise the result.")})
    report_reference, evidence = (report_reference or "").strip(), (evidence or "").strip()
    if not report_reference and not evidence:
        raise ValidationError({"evidence": _("Give the report file reference or describe the evidence.")})
    body_name = (body_name or "").strip() if body is None else ""
    if periods.licensed_required(kind, scope, level):
        if body is None and not body_name:
            raise ValidationError({"body": _(
                "An inspection of a level-%(level)s system must be done by a licensed or designated body "
                "(Nghị định 85/2016/NĐ-CP Điều 20.2.c): name the inspecting body.") % {"level": level}})
        if not licensed:
            raise ValidationError({"licensed": _(
                "An inspection of a level-%(level)s system must be done by a body licensed or designated by the "
                "competent authority (Nghị định 85/2016/NĐ-CP Điều 20.2.c); %(body)s is not recorded as such, so "
                "this inspection cannot count.") % {"level": level, "body": body.name if body else body_name}})
    rows = list(findings or ())
    if len(rows) > MAX_FINDINGS:
        raise ValidationError({"findings": _("At most %(n)s findings per result.") % {"n": MAX_FINDINGS}})
    cleaned = [_clean_finding(row, number, performed_on, today) for number, row in enumerate(rows, start=1)]
    with transaction.atomic():
        # One writer per subject at a time: two results recorded at once must not both open the next duty.
        if system is not None:
            InformationSystem.objects.select_for_update().filter(pk=system.pk).first()
        else:
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        result = Result.objects.create(
            kind=kind, scope=scope, code=periods.duty_code(kind, scope, level), system=system,
            organisation=organisation, level=level, performed_on=performed_on, body=body, body_name=body_name,
            performer=(performer or "").strip(), licensed=bool(licensed),
            licence_reference=(licence_reference or "").strip(), summary=summary,
            report_reference=report_reference, evidence=evidence, recorded_by=actor)
        Finding.objects.bulk_create([Finding(result=result, **row) for row in cleaned])
        duty = _sync_subject(actor=actor, kind=kind, system=system, organisation=organisation, met_on=performed_on,
                             today=today)
        result.next_due_on = duty.due_on if duty is not None else None
        result.save(update_fields=["next_due_on"])
        record(actor=actor, action="inspections.record_result", target=result,
               summary=_("%(kind)s recorded for %(subject)s (%(day)s)") % {
                   "kind": result.get_kind_display(), "subject": result.subject, "day": f"{performed_on:%d/%m/%Y}"},
               changes={"kind": kind, "scope": scope, "system": system, "organisation": organisation,
                        "level": level, "performed_on": performed_on, "body": result.body_label,
                        "licensed": result.licensed, "findings": len(cleaned), "next_due_on": result.next_due_on})
    return result


def update_finding(*, actor, finding: Finding, status: str, status_on: date | None = None,
                   remediation: str | None = None) -> Finding:
    """Change a finding's remediation status (open, fixed, risk accepted) with its date, and its remediation."""
    result = finding.result
    if not can_record(actor, system=result.system, organisation=result.organisation):
        raise PermissionDenied(_("You may not update the findings of this system or organisation."))
    today = timezone.localdate()
    if status not in Remediation.values:
        raise ValidationError({"status": _("The remediation status is open, fixed or accepted.")})
    if status == Remediation.OPEN:
        status_on = None
    elif status_on is None:
        raise ValidationError({"status_on": _("Give the date it was fixed or its risk accepted.")})
    else:
        _date(status_on, "status_on", not_before=result.performed_on, today=today)
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        before = {"status": finding.status, "status_on": finding.status_on, "remediation": finding.remediation}
        finding.status, finding.status_on = status, status_on
        if remediation is not None:
            finding.remediation = remediation.strip()
        after = {"status": finding.status, "status_on": finding.status_on, "remediation": finding.remediation}
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if not changes:
            return finding
        finding.save()
        record(actor=actor, action="inspections.update_finding", target=finding,
               summary=_("Finding %(title)s: %(status)s") % {"title": finding.title,
                                                              "status": finding.get_status_display()},
               changes=changes)
    return finding
