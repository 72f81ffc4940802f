"""Deadline actions: the public API other apps call to start and meet deadlines, plus the calendar and
override changes. Each is one transaction with its audit entry."""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ungcuu.accounts.models import Role
from ungcuu.audit.actions import record
from ungcuu.deadlines import calendar
from ungcuu.deadlines.models import (
    ACKNOWLEDGE_KINDS,
    OPEN,
    PERIOD_SUBJECT,
    Comparison,
    Counting,
    Deadline,
    DeadlineKind,
    Holiday,
    HolidayKind,
    Override,
    Rule,
)

TEAM_ROLES = ("standing_officer", "team_lead", "deputy_lead", "administrator")
# The language of the notices the scan sends: the recipients', whatever the scan's own.
NOTICE_LANGUAGE = "vi"


@dataclass(frozen=True)
class Due:
    """When a deadline falls and why: the national rule, the provincial override if any, and its flag."""

    due_at: datetime
    rule: Rule
    override: Override | None
    flagged_looser: bool
    comparison: str = ""


def _kind(kind: str) -> str:
    if kind not in DeadlineKind.values:
        raise ValidationError({"kind": _("Unknown deadline kind %(kind)s.") % {"kind": kind}})
    return kind


def _aware(moment: datetime, field: str) -> datetime:
    if not isinstance(moment, datetime) or timezone.is_naive(moment):
        raise ValidationError({field: _("Give a date and time with its time zone.")})
    return moment


def compute_due(*, kind: str, start: datetime, on: date | None = None) -> Due:
    """When a deadline of `kind` counted from `start` falls, under the rules in force on `on` (default: the
    local date of `start`) and the active provincial override."""
    _kind(kind)
    _aware(start, "start")
    on = on or calendar.local_date(start)
    rule = Rule.objects.for_kind(kind, on)
    if rule is None:
        raise ValidationError({"kind": _("No deadline rule for %(kind)s is in force on %(day)s.")
                               % {"kind": kind, "day": f"{on:%d/%m/%Y}"}})
    if rule.counting == Counting.EXPLICIT:
        raise ValidationError({"due": _("This deadline is the one written on the document: give it.")})
    override = Override.objects.active().filter(kind=kind).first()
    comparison = override.compare_to(rule) if override else ""
    amount = override.amount if override else rule.amount
    if rule.counting == Counting.DAYS:
        first = calendar.local_date(start)
        # Long enough for the period plus the longest run of days off after it.
        work_calendar = Holiday.objects.calendar(first, first + timedelta(days=amount + 60))
        due_at = calendar.due_after_days(start, amount, work_calendar)
    elif rule.counting == Counting.HOURS:
        due_at = calendar.due_after_hours(start, amount)
    else:
        due_at = calendar.due_before_fixed_date(start, rule.amount, rule.month)
    return Due(due_at=due_at, rule=rule, override=override, flagged_looser=comparison == Comparison.LOOSER,
               comparison=comparison)


def _subject(subject) -> tuple[str, str]:
    """(app_label.model, id) of a model instance, or a (type, id) pair as given; ("", "") for none."""
    if subject is None:
        return "", ""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk)
    subject_type, subject_id = subject
    return str(subject_type), str(subject_id)


def _check_actor(actor, incident) -> None:
    """The system (actor None) may always; a person only on an incident they can see, and only the team
    on deadlines without an incident (the periodic reports)."""
    if actor is None:
        return
    if not actor.is_active:
        raise PermissionDenied(_("This account is not active."))
    if incident is None:
        if not actor.has_any_role(*TEAM_ROLES):
            raise PermissionDenied(_("Only the response team manages deadlines without an incident."))
        return
    from ungcuu.incidents.models import Incident

    if not Incident.objects.visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied(_("You cannot see this incident."))


def _open_for(kind, incident, subject_type, subject_id):
    return Deadline.objects.filter(OPEN, kind=kind, incident=incident, subject_type=subject_type,
                                   subject_id=subject_id)


def start_deadline(*, kind: str, start: datetime, incident=None, subject=None, due: datetime | None = None,
                   responsible=None, organisation=None, actor=None, note: str = "") -> Deadline:
    """Start a deadline; an open one for the same kind, incident and subject is returned unchanged."""
    _kind(kind)
    _aware(start, "start")
    subject_type, subject_id = _subject(subject)
    _check_actor(actor, incident)
    existing = _open_for(kind, incident, subject_type, subject_id).first()
    if existing is not None:
        return existing
    if due is not None:
        _aware(due, "due")
        if due < start:
            raise ValidationError({"due": _("The due time is before the start.")})
        rule = Rule.objects.for_kind(kind, calendar.local_date(start))
        if rule is None:
            raise ValidationError({"kind": _("No deadline rule for %(kind)s is in force.") % {"kind": kind}})
        computed = Due(due_at=due, rule=rule, override=None, flagged_looser=False)
    else:
        computed = compute_due(kind=kind, start=start)
    deadline = Deadline(
        kind=kind, incident=incident, subject_type=subject_type, subject_id=subject_id, start_at=start,
        due_at=computed.due_at, rule=computed.rule, override=computed.override, comparison=computed.comparison,
        responsible=responsible, organisation=organisation, note=(note or "")[:500],
    )
    try:
        with transaction.atomic():
            deadline.save()
            record(actor=actor, action="deadlines.start", target=deadline,
                   summary=_("Deadline started: %(kind)s, due %(due)s") % {
                       "kind": deadline.get_kind_display(),
                       "due": f"{timezone.localtime(deadline.due_at):%d/%m/%Y %H:%M}"},
                   changes={"kind": kind, "incident": incident, "subject": f"{subject_type}:{subject_id}",
                            "start_at": start, "due_at": deadline.due_at, "rule": computed.rule,
                            "override": computed.override, "comparison": computed.comparison})
    except IntegrityError:
        # Another transaction opened the same deadline at the same moment: return theirs.
        existing = _open_for(kind, incident, subject_type, subject_id).first()
        if existing is None:
            raise
        return existing
    return deadline


def meet_deadline(*, kind: str, incident=None, subject=None, at: datetime | None = None,
                  actor=None) -> Deadline | None:
    """Mark the open deadline of this kind, incident and subject as met (at `at`, default now); None if
    there is no open one."""
    _kind(kind)
    subject_type, subject_id = _subject(subject)
    _check_actor(actor, incident)
    met_at = _aware(at, "at") if at is not None else timezone.now()
    with transaction.atomic():
        deadline = _open_for(kind, incident, subject_type, subject_id).select_for_update().first()
        if deadline is None:
            return None
        deadline.met_at = met_at
        deadline.save(update_fields=["met_at"])
        late = met_at > deadline.due_at
        record(actor=actor, action="deadlines.meet", target=deadline,
               summary=(_("Deadline met late: %(kind)s") if late else _("Deadline met: %(kind)s"))
               % {"kind": deadline.get_kind_display()},
               changes={"met_at": [None, met_at], "late": late})
    return deadline


def cancel_deadline(*, kind: str, incident=None, subject=None, actor=None, reason: str = "") -> Deadline | None:
    """Cancel the open deadline of this kind, incident and subject (an order withdrawn, a member released);
    None if there is no open one."""
    _kind(kind)
    subject_type, subject_id = _subject(subject)
    _check_actor(actor, incident)
    with transaction.atomic():
        deadline = _open_for(kind, incident, subject_type, subject_id).select_for_update().first()
        if deadline is None:
            return None
        deadline.cancelled_at = timezone.now()
        deadline.save(update_fields=["cancelled_at"])
        record(actor=actor, action="deadlines.cancel", target=deadline,
               summary=_("Deadline cancelled: %(kind)s") % {"kind": deadline.get_kind_display()},
               changes={"cancelled_at": [None, deadline.cancelled_at], "reason": reason})
    return deadline


def cancel_deadlines(*, incident, actor=None, reason: str = "") -> int:
    """Cancel every open deadline of an incident (rejected, merged, withdrawn); returns how many."""
    _check_actor(actor, incident)
    now = timezone.now()
    with transaction.atomic():
        rows = list(Deadline.objects.filter(OPEN, incident=incident).select_for_update().order_by("pk"))
        if not rows:
            return 0
        Deadline.objects.filter(pk__in=[d.pk for d in rows]).update(cancelled_at=now)
        for deadline in rows:
            record(actor=actor, action="deadlines.cancel", target=deadline,
                   summary=_("Deadline cancelled: %(kind)s") % {"kind": deadline.get_kind_display()},
                   changes={"cancelled_at": [None, now], "reason": reason})
    return len(rows)


def open_periodic_deadlines(*, year: int, actor=None) -> list[Deadline]:
    """Open the half-year (before 20/6) and annual (before 15/12) reports of `year` (TT 20/2017 Điều 6.1.c).
    A report of the year already met or cancelled is not opened again."""
    if not isinstance(year, int) or not 2000 <= year <= 2999:
        raise ValidationError({"year": _("Give a year between 2000 and 2999.")})
    _check_actor(actor, None)
    from ungcuu.registry.models import Deployment

    organisation = Deployment.current().province
    start = datetime(year, 1, 1, tzinfo=calendar.LOCAL)
    existing = {d.kind: d for d in Deadline.objects.filter(subject_type=PERIOD_SUBJECT, subject_id=str(year))
                .order_by("pk")}
    return [existing.get(kind) or start_deadline(
        kind=kind, start=start, subject=(PERIOD_SUBJECT, str(year)), organisation=organisation, actor=actor,
        note=_("Report for %(year)s") % {"year": year})
        for kind in (DeadlineKind.HALFYEAR_REPORT, DeadlineKind.ANNUAL_REPORT)]


def set_override(*, actor, province: str, kind: str, amount: int, source_document: str, article: str = "",
                 reason: str = "") -> Override:
    """Replace the national figure of a days/hours rule with the province's; a looser one is kept but flagged."""
    if actor is not None and not actor.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator changes the deadline rules."))
    _kind(kind)
    rule = Rule.objects.for_kind(kind, timezone.localdate())
    if rule is None or rule.counting not in (Counting.DAYS, Counting.HOURS):
        raise ValidationError({"kind": _("Only deadlines counted in days or hours can be overridden.")})
    if not isinstance(amount, int) or not 1 <= amount <= 365 * 24:
        raise ValidationError({"amount": _("Give a whole number of days or hours, at least 1.")})
    if not (source_document or "").strip():
        raise ValidationError({"source_document": _("Name the provincial document that sets this figure.")})
    with transaction.atomic():
        previous = list(Override.objects.active().filter(kind=kind).select_for_update())
        Override.objects.filter(pk__in=[o.pk for o in previous]).update(active=False)
        override = Override.objects.create(province=province.strip(), kind=kind, amount=amount,
                                           source_document=source_document.strip(), article=article.strip(),
                                           reason=reason.strip())
        comparison = override.compare_to(rule)
        record(actor=actor, action="deadlines.set_override", target=override,
               summary=_("Provincial deadline set: %(kind)s %(amount)s (%(comparison)s)") % {
                   "kind": override.get_kind_display(), "amount": amount,
                   "comparison": Comparison(comparison).label},
               changes={"kind": kind, "amount": amount, "national": rule.amount, "comparison": comparison,
                        "replaces": [o.pk for o in previous]})
    return override


def deactivate_override(*, actor, override: Override) -> Override:
    """Go back to the national figure for this kind."""
    if actor is not None and not actor.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator changes the deadline rules."))
    with transaction.atomic():
        Override.objects.filter(pk=override.pk).update(active=False)
        override.active = False
        record(actor=actor, action="deadlines.deactivate_override", target=override,
               summary=_("Provincial deadline withdrawn: %(kind)s") % {"kind": override.get_kind_display()},
               changes={"active": [True, False]})
    return override


def add_holiday(*, actor, day: date, name: str, source: str, kind: str = HolidayKind.PUBLIC_HOLIDAY,
                confirmed: bool = True) -> Holiday:
    """Add a day to the official calendar (a holiday, a day off, or a worked weekend day)."""
    if actor is not None and not actor.has_any_role("administrator"):
        raise PermissionDenied(_("Only an administrator changes the holiday calendar."))
    if kind not in HolidayKind.values:
        raise ValidationError({"kind": _("Unknown kind of day %(kind)s.") % {"kind": kind}})
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the holiday's name.")})
    if not (source or "").strip():
        raise ValidationError({"source": _("Name the text that sets this day (law or official notice).")})
    if kind == HolidayKind.WORKING_DAY and day.weekday() < 5:
        raise ValidationError({"kind": _("A make-up working day is a Saturday or Sunday.")})
    with transaction.atomic():
        if Holiday.objects.filter(date=day).exists():
            raise ValidationError({"day": _("%(day)s is already in the calendar.") % {"day": f"{day:%d/%m/%Y}"}})
        holiday = Holiday.objects.create(date=day, name=name.strip(), kind=kind, source=source.strip(),
                                         confirmed=confirmed)
        record(actor=actor, action="deadlines.add_holiday", target=holiday,
               summary=_("Holiday added: %(day)s %(name)s") % {"day": f"{day:%d/%m/%Y}", "name": holiday.name},
               changes={"date": day, "name": holiday.name, "kind": kind, "source": holiday.source,
                        "confirmed": confirmed})
    return holiday


# Reminders, escalations and chasers ---------------------------------------------------------------


def reminder_hours() -> list[int]:
    """Lead times of the reminders before a deadline, largest first (setting DEADLINE_REMINDER_HOURS)."""
    return sorted({int(h) for h in getattr(settings, "DEADLINE_REMINDER_HOURS", (24, 2)) if int(h) > 0},
                  reverse=True)


def chase_interval() -> timedelta:
    """How often an unacknowledged receipt is chased after its due time (setting DEADLINE_CHASE_HOURS)."""
    return timedelta(hours=max(1, int(getattr(settings, "DEADLINE_CHASE_HOURS", 4))))


def _team(*roles) -> list:
    from ungcuu.accounts.models import User

    return list(User.objects.filter(is_active=True, role_assignments__role__in=roles).distinct().order_by("pk"))


def _message(deadline: Deadline, what: str) -> tuple[str, str]:
    """Subject and body of a notice about a deadline, in the recipients' language (NOTICE_LANGUAGE)."""
    with translation.override(NOTICE_LANGUAGE):
        due = f"{timezone.localtime(deadline.due_at):%d/%m/%Y %H:%M}"
        where = deadline.incident.reference if deadline.incident_id else deadline.note
        # The kind is a noun that may itself end in "due" ("Coordination order due"): the time follows
        # its own word, never "due" again.
        subjects = {
            "remind": _("Reminder: %(kind)s, deadline %(due)s (%(where)s)"),
            "escalate": _("Overdue: %(kind)s, deadline %(due)s (%(where)s)"),
            "chase": _("Please acknowledge: %(kind)s, deadline %(due)s (%(where)s)"),
        }
        values = {"kind": deadline.get_kind_display(), "due": due, "where": where}
        subject = subjects[what] % values
        rule = deadline.rule
        lines = [subject, ""]
        if rule is not None:
            lines.append(_("Rule: %(label)s — %(source)s %(article)s") % {
                "label": rule.label, "source": rule.source_document, "article": rule.article})
        if deadline.override_id:
            lines.append(_("Provincial figure: %(source)s %(article)s") % {
                "source": deadline.override.source_document, "article": deadline.override.article})
            if deadline.flagged_looser:
                lines.append(_("Note: this provincial figure is looser than the national rule."))
        if deadline.note:
            lines.append(deadline.note)
    return subject[:300], "\n".join(lines)


def _send(deadline: Deadline, what: str, key: str, users, now) -> int:
    from ungcuu.notifications.actions import notify

    subject, body = _message(deadline, what)
    emails = [deadline.organisation.email] if deadline.organisation_id and deadline.organisation.email else []
    created = notify(event=f"deadlines.{what}", subject=subject, body=body, users=users, emails=emails,
                     incident=deadline.incident, key=key)
    record(actor=None, action=f"deadlines.{what}", target=deadline, summary=subject,
           changes={"key": key, "deliveries": [d.pk for d in created], "at": now})
    return len(created)


def send_deadline_notices(*, now: datetime | None = None, actor=None) -> dict:
    """Reminders before open deadlines fall due, one escalation once overdue (the responsible person, team
    leads and standing officers), and for acknowledgements a chaser every DEADLINE_CHASE_HOURS until met.
    Returns how many notices of each sort were sent; running it twice sends nothing new."""
    if actor is not None and not actor.has_any_role(*TEAM_ROLES):
        raise PermissionDenied(_("Only the response team runs the deadline scan."))
    now = now or timezone.now()
    leads = reminder_hours()
    horizon = now + timedelta(hours=leads[0] if leads else 0)
    counts = {"remind": 0, "escalate": 0, "chase": 0}
    # Open deadlines inside the reminder horizon, except overdue ones already escalated that are not chased.
    candidates = list(
        Deadline.objects.open().filter(Q(escalated_at__isnull=True) | Q(kind__in=ACKNOWLEDGE_KINDS), due_at__lt=horizon)
        .select_related("incident", "responsible", "organisation", "rule", "override").order_by("due_at", "pk"))
    interval = chase_interval()
    team = functools.cache(_team)
    for deadline in candidates:
        responsible = [deadline.responsible] if deadline.responsible_id else []
        with transaction.atomic():
            if deadline.due_at > now:
                # The most recent reminder point already reached (a missed scan sends one, not all).
                due_leads = [h for h in leads if deadline.due_at - timedelta(hours=h) <= now
                             and deadline.due_at - timedelta(hours=h) > deadline.start_at]
                if not due_leads or (deadline.reminded_hours is not None and deadline.reminded_hours <= due_leads[-1]):
                    continue
                hours = due_leads[-1]
                users = responsible or team(Role.STANDING_OFFICER)
                _send(deadline, "remind", f"deadline:{deadline.pk}:remind:{hours}h", users, now)
                Deadline.objects.filter(pk=deadline.pk).update(reminded_hours=hours)
                counts["remind"] += 1
                continue
            if deadline.escalated_at is None:
                users = list(dict.fromkeys(responsible + team(Role.TEAM_LEAD, Role.STANDING_OFFICER)))
                _send(deadline, "escalate", f"deadline:{deadline.pk}:overdue", users, now)
                Deadline.objects.filter(pk=deadline.pk).update(escalated_at=now)
                counts["escalate"] += 1
                continue
            if deadline.kind in ACKNOWLEDGE_KINDS:
                due_chasers = int((now - deadline.due_at) / interval)
                if due_chasers > deadline.chase_count:
                    users = responsible
                    if not users and not (deadline.organisation_id and deadline.organisation.email):
                        users = team(Role.STANDING_OFFICER)
                    _send(deadline, "chase", f"deadline:{deadline.pk}:chase:{due_chasers}", users, now)
                    Deadline.objects.filter(pk=deadline.pk).update(chase_count=due_chasers)
                    counts["chase"] += 1
    return counts
