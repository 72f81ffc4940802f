"""Every state change of dossiers: one audited function each, called by web, API, CLI and tasks.

A change of focal point opens the 24-hour deadline of TT 20/2017 Điều 6.1.b ("cập nhật thông tin về Đầu mối
ứng cứu sự cố, trong vòng 24 giờ khi có thay đổi"); recording the notice to the national coordinator meets it.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.deadlines import actions as deadlines
from ungcuu.deadlines.models import DeadlineKind
from ungcuu.dossiers.models import (
    EDITOR_ROLES,
    Dossier,
    Expert,
    FocalPoint,
    FocalPointChange,
    FocalPointRole,
    NoticeMeans,
    StaffEntry,
)

DOSSIER_FIELDS = [
    "member_code", "name", "parent_body", "address", "phone", "fax", "email", "website", "security_leader",
    "security_leader_position", "reception_address", "reception_landline", "reception_mobile", "reception_fax",
    "reception_email", "capabilities", "staff_management", "staff_defence", "staff_protection", "staff_assessment",
]
FOCAL_POINT_FIELDS = ["full_name", "position", "address", "landline", "mobile", "fax", "email"]
STAFF_FIELDS = ["staff_management", "staff_defence", "staff_protection", "staff_assessment"]


def require_editor(actor) -> None:
    if actor is not None and not actor.has_any_role(*EDITOR_ROLES):
        raise PermissionDenied(_("Only the standing office and the team leads keep the member dossiers."))


def _unknown(fields: dict, allowed: list[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({unknown[0]: _("Unknown field.")})


def _apply(obj, fields: dict, exclude: list[str]) -> dict:
    """Set the fields, validate the object as the model does; the changes as {field: [old, new]}."""
    changes = {}
    for field, value in fields.items():
        if field in STAFF_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError({field: _("Give a whole number, 0 or more.")})
        else:
            value = (value or "").strip()
        old = getattr(obj, field)
        if old != value:
            changes[field] = [old, value]
            setattr(obj, field, value)
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    return changes


@transaction.atomic
def create_dossier(*, actor, organisation, systems=(), **fields) -> Dossier:
    """Open the Biểu mẫu 01 dossier of an organisation, filled from the registry where it knows."""
    require_editor(actor)
    _unknown(fields, DOSSIER_FIELDS)
    if Dossier.objects.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation already has a dossier.")})
    defaults = {"name": organisation.name, "address": organisation.address, "phone": organisation.phone,
                "email": organisation.email}
    dossier = Dossier(organisation=organisation)
    _apply(dossier, {**defaults, **fields}, exclude=["organisation", "confirmed_by"])
    if not dossier.name:
        raise ValidationError({"name": _("Give the organisation's name.")})
    dossier.save()
    dossier.systems.set(list(dict.fromkeys(systems)))
    record(actor=actor, action="dossiers.create", target=dossier,
           summary=_("Member dossier opened: %(name)s") % {"name": dossier.name},
           changes={"organisation": organisation.name, **{f: getattr(dossier, f) for f in DOSSIER_FIELDS},
                    "systems": [str(s) for s in dossier.systems.all()]})
    return dossier


@transaction.atomic
def update_dossier(*, actor, dossier, systems=None, **fields) -> Dossier:
    """Change sections 1, 2, 4, 5 and 7 of a dossier; `systems` (if given) replaces the systems in charge."""
    require_editor(actor)
    _unknown(fields, DOSSIER_FIELDS)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    changes = _apply(dossier, fields, exclude=["organisation", "confirmed_by"])
    if "name" in fields and not dossier.name:
        raise ValidationError({"name": _("Give the organisation's name.")})
    dossier.save()
    if systems is not None:
        before = sorted(str(s) for s in dossier.systems.all())
        dossier.systems.set(list(dict.fromkeys(systems)))
        after = sorted(str(s) for s in dossier.systems.all())
        if before != after:
            changes["systems"] = [before, after]
    record(actor=actor, action="dossiers.update", target=dossier,
           summary=_("Member dossier updated: %(name)s") % {"name": dossier.name}, changes=changes)
    return dossier


@transaction.atomic
def confirm_dossier(*, actor, dossier) -> Dossier:
    """Record that the dossier was reviewed and is up to date (the yearly update, TT 20 Điều 5.3)."""
    require_editor(actor)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    before, today = dossier.confirmed_on, timezone.localdate()
    dossier.confirmed_on = today
    dossier.confirmed_by = actor if actor is not None and actor.pk else None
    dossier.save(update_fields=["confirmed_on", "confirmed_by", "updated_at"])
    record(actor=actor, action="dossiers.confirm", target=dossier,
           summary=_("Member dossier confirmed up to date: %(name)s") % {"name": dossier.name},
           changes={"confirmed_on": [before, today]})
    return dossier


def current_focal_point(dossier, role: str) -> FocalPoint | None:
    return dossier.focal_points.filter(role=role, until__isnull=True).first()


@transaction.atomic
def change_focal_point(*, actor, dossier, role: str, person=None, **fields) -> FocalPointChange:
    """Set a new main or backup 24/7 focal point. The change is recorded and must be notified to the
    national coordinator within 24 hours (TT 20/2017 Điều 6.1.b): a FOCAL_POINT_NOTICE deadline opens."""
    require_editor(actor)
    _unknown(fields, FOCAL_POINT_FIELDS)
    if role not in FocalPointRole.values:
        raise ValidationError({"role": _("Choose the main or the backup focal point.")})
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    now = timezone.now()
    if person is not None:
        fields = {"full_name": person.full_name, "position": person.position, "mobile": person.phone,
                  "email": person.email, **{k: v for k, v in fields.items() if v}}
    focal_point = FocalPoint(dossier=dossier, role=role, person=person, since=now)
    _apply(focal_point, fields, exclude=["dossier", "person", "until"])
    previous = current_focal_point(dossier, role)
    if previous is not None:
        same = all(getattr(previous, f) == getattr(focal_point, f) for f in FOCAL_POINT_FIELDS)
        if same and previous.person_id == focal_point.person_id:
            raise ValidationError({"full_name": _("This is already the current focal point.")})
        previous.until = now
        previous.save(update_fields=["until"])
    try:
        with transaction.atomic():
            focal_point.save()
    except IntegrityError:
        raise ValidationError({"role": _("The focal point was changed at the same moment; reload.")}) from None
    change = FocalPointChange.objects.create(dossier=dossier, role=role, previous=previous, new=focal_point,
                                             changed_at=now, changed_by=actor if actor is not None and actor.pk
                                             else None)
    record(actor=actor, action="dossiers.change_focal_point", target=dossier,
           summary=_("%(role)s changed: %(name)s") % {"role": focal_point.get_role_display(),
                                                       "name": focal_point.full_name},
           changes={"role": role, "previous": previous.full_name if previous else None,
                    **{f: getattr(focal_point, f) for f in FOCAL_POINT_FIELDS}})
    deadlines.start_deadline(
        kind=DeadlineKind.FOCAL_POINT_NOTICE, start=now, subject=change, organisation=dossier.organisation,
        actor=actor, note=_("Notify the national coordinator of the new %(role)s of %(name)s") % {
            "role": str(focal_point.get_role_display()).lower(), "name": dossier.name})
    return change


@transaction.atomic
def record_focal_point_notice(*, actor, dossier, sent_at: datetime, means: str, reference: str = "") -> list:
    """Record that the national coordinator was notified of the pending focal point changes of a dossier:
    meets their 24-hour deadlines (on time or late). Returns the changes notified."""
    require_editor(actor)
    if means not in NoticeMeans.values:
        raise ValidationError({"means": _("Choose how the notice was sent.")})
    if not isinstance(sent_at, datetime) or timezone.is_naive(sent_at):
        raise ValidationError({"sent_at": _("Give the date and time the notice was sent.")})
    if sent_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"sent_at": _("The notice cannot be sent in the future.")})
    reference = (reference or "").strip()
    if len(reference) > 200:
        raise ValidationError({"reference": _("At most %(n)s characters.") % {"n": 200}})
    pending = list(FocalPointChange.objects.select_for_update().filter(dossier=dossier, notified_at__isnull=True)
                   .order_by("changed_at", "pk"))
    if not pending:
        raise ValidationError({"sent_at": _("No focal point change is waiting to be notified.")})
    # Times are typed to the minute: a notice in the minute of the change covers it.
    early = [c for c in pending if sent_at < c.changed_at.replace(second=0, microsecond=0)]
    if len(early) == len(pending):
        raise ValidationError({"sent_at": _("The notice was sent before the change it reports.")})
    notified = [c for c in pending if c not in early]
    for change in notified:
        change.notified_at, change.notice_means, change.notice_reference = sent_at, means, reference
        change.notified_by = actor if actor is not None and actor.pk else None
        change.save(update_fields=["notified_at", "notice_means", "notice_reference", "notified_by"])
        deadlines.meet_deadline(kind=DeadlineKind.FOCAL_POINT_NOTICE, subject=change,
                                at=max(sent_at, change.changed_at), actor=actor)
    record(actor=actor, action="dossiers.record_focal_point_notice", target=dossier,
           summary=_("Focal point change notified to the national coordinator (%(means)s %(reference)s)")
           % {"means": NoticeMeans(means).label, "reference": reference},
           changes={"changes": [c.pk for c in notified], "sent_at": sent_at, "means": means, "reference": reference})
    return notified


@transaction.atomic
def add_staff_entry(*, actor, dossier, field: str, level: str, certificate: str = "", count: int = 1) -> StaffEntry:
    """Add a line to section 6 (IT/security staff by field, level, certificate)."""
    require_editor(actor)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValidationError({"count": _("Give a whole number, at least 1.")})
    entry = StaffEntry(dossier=dossier, count=count)
    _apply(entry, {"field": field, "level": level, "certificate": certificate}, exclude=["dossier"])
    entry.save()
    record(actor=actor, action="dossiers.add_staff", target=dossier,
           summary=_("Staff added to the dossier: %(entry)s") % {"entry": entry},
           changes={"field": entry.field, "level": entry.level, "certificate": entry.certificate, "count": count})
    return entry


@transaction.atomic
def remove_staff_entry(*, actor, entry) -> None:
    require_editor(actor)
    record(actor=actor, action="dossiers.remove_staff", target=entry.dossier,
           summary=_("Staff removed from the dossier: %(entry)s") % {"entry": entry},
           changes={"field": entry.field, "level": entry.level, "count": entry.count})
    entry.delete()


@transaction.atomic
def add_expert(*, actor, dossier, full_name: str, school: str = "", speciality: str = "", degree: str = "",
               graduated: str = "") -> Expert:
    """Add an expert to section 8."""
    require_editor(actor)
    graduated = (graduated or "").strip()
    if graduated:
        month, _sep, year = graduated.partition("/")
        if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12 and len(year) == 4):
            raise ValidationError({"graduated": _("Write the month and year as mm/yyyy.")})
        graduated = f"{int(month):02d}/{year}"
    expert = Expert(dossier=dossier)
    _apply(expert, {"full_name": full_name, "school": school, "speciality": speciality, "degree": degree,
                    "graduated": graduated}, exclude=["dossier"])
    expert.save()
    record(actor=actor, action="dossiers.add_expert", target=dossier,
           summary=_("Expert added to the dossier: %(name)s") % {"name": expert.full_name},
           changes={"full_name": expert.full_name, "school": expert.school, "speciality": expert.speciality,
                    "degree": expert.degree, "graduated": expert.graduated})
    return expert


@transaction.atomic
def remove_expert(*, actor, expert) -> None:
    require_editor(actor)
    record(actor=actor, action="dossiers.remove_expert", target=expert.dossier,
           summary=_("Expert removed from the dossier: %(name)s") % {"name": expert.full_name},
           changes={"full_name": expert.full_name})
    expert.delete()
