"""Every change to reports and incidents: one audited, atomic function each.

Intake runs in two steps so that nothing submitted is lost (SPEC §3): `receive_submission` stores
the payload and files exactly as sent and commits; `submit_report` then validates them with the
one ReportForm and either makes the incident or marks the submission invalid with its errors.
Web pages, the public page, the API and (later) mail intake all call these.
"""

import datetime
import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.audit.actions import diff, record, snapshot
from ungcuu.evidence import store
from ungcuu.incidents import procedure, severity
from ungcuu.incidents.forms import ReportForm
from ungcuu.incidents.models import (
    TRIAGE_ROLES,
    AttachmentKind,
    AttackType,
    Cause,
    Channel,
    Effect,
    Incident,
    IncidentLink,
    IncidentReport,
    IncidentStatus,
    Indicator,
    IndicatorKind,
    ReferenceCounter,
    ReportKind,
    Severity,
    StepTransition,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    VerificationMethod,
)
from ungcuu.incidents.procedure import Step
from ungcuu.lib.sequence import take_next
from ungcuu.lib.text import fold
from ungcuu.registry.models import InformationSystem

REPORT_FIELDS = [
    "reporter_name", "reporter_address", "reporter_phone", "reporter_email", "contact_name", "contact_position",
    "contact_phone", "contact_email", "operator_name", "owner_name", "system_name", "system_level",
    "security_provider_name", "connectivity_provider_name", "description", "detected_at", "handling_status",
    "detection_method", "detection_detail", "notified_parties", "os_versions", "services", "services_other",
    "security_measures", "security_measures_other", "ip_addresses", "domains", "system_purpose",
    "attachment_kinds", "attachment_other", "confidential", "recommendations", "reported_at",
]
CLASSIFICATION_FIELDS = ["cause", "attack_type", "effects", "owner_can_handle", "system"]
TITLE_LENGTH = 120
logger = logging.getLogger(__name__)


def require_triage(actor) -> None:
    if actor is not None and not actor.has_any_role(*TRIAGE_ROLES):
        raise PermissionDenied(_("Only the standing office or the team leads may triage incidents."))


def _require_open(incident: Incident) -> None:
    """A merged duplicate stays as it was when merged; changes go to the incident it was merged into."""
    if incident.status == IncidentStatus.MERGED:
        raise ValidationError({"__all__": _("This report was merged into %(ref)s; work on that incident.")
                               % {"ref": incident.merged_into.reference if incident.merged_into_id else "?"}})


# Intake ------------------------------------------------------------------------------------------


def _storable(value):
    """The value as both databases can keep it. Text cannot hold NUL or a lone surrogate and JSON columns
    refuse NaN and infinities (all of which a JSON body may carry): those become U+FFFD or their JSON
    spelling, so that the rest of what was sent is stored rather than lost with a server error."""
    if isinstance(value, str):
        value = value.replace("\x00", "\ufffd")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value)
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {_storable(str(key)): _storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(item) for item in value]
    return value


def _store_files(files) -> tuple[list[SubmissionFile], list[str]]:
    """Save each (kind, uploaded file) to the store; a refused file becomes an error, not a lost report."""
    kept, errors = [], []
    files = list(files)
    if len(files) > settings.REPORT_MAX_FILES:
        errors.append(_("At most %(n)s files can be sent with one report; the others were not kept.")
                      % {"n": settings.REPORT_MAX_FILES})
        files = files[: settings.REPORT_MAX_FILES]
    for kind, upload in files:
        name = _storable((getattr(upload, "name", "") or "file")[:255])
        try:
            blob = store.save(upload, name)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        except OSError:
            # A full or failing disk must not cost the report itself: it is kept and the sender told.
            logger.exception("Could not store the file %r of a report", name)
            errors.append(_("The file “%(name)s” could not be stored; send it again later.") % {"name": name})
            continue
        kept.append(SubmissionFile(kind=kind if kind in AttachmentKind.values else AttachmentKind.OTHER,
                                   original_name=name, sha256=blob.sha256, size=blob.size,
                                   content_type=(getattr(upload, "content_type", "") or "")[:100]))
    return kept, errors


def receive_submission(*, channel: str, payload, files=(), user=None, remote_addr=None, raw_body: str = "",
                       draft: Submission | None = None) -> Submission:
    """Store what was sent, before any check, and commit it. `payload` should be a dict; anything else
    (a JSON list, a string) is kept as text and will fail validation."""
    if not isinstance(payload, dict):
        raw_body = raw_body or str(payload)
        payload = {}
    payload, raw_body = _storable(payload), _storable(raw_body)
    kept, file_errors = _store_files(files)
    with transaction.atomic():
        submission = Submission.objects.create(
            channel=channel, payload=payload, raw_body=raw_body, submitted_by=user if user and user.pk else None,
            remote_addr=remote_addr, errors={"files": file_errors} if file_errors else {},
        )
        for item in kept:
            item.submission = submission
        SubmissionFile.objects.bulk_create(kept)
        if draft is not None:
            # Files attached while drafting travel with the report, and files sent now join the draft: should
            # the report be refused, the draft still has them all when it is corrected and sent again (it is
            # deleted once the report is accepted). The blobs are shared; only the rows are copied.
            carried = [_copy_file(item, submission) for item in draft.files.all()]
            carried += [_copy_file(item, draft) for item in kept]
            SubmissionFile.objects.bulk_create(carried)
    return submission


def _copy_file(item: SubmissionFile, submission: Submission) -> SubmissionFile:
    return SubmissionFile(submission=submission, kind=item.kind, original_name=item.original_name,
                          sha256=item.sha256, size=item.size, content_type=item.content_type)


def keep_as_draft(*, actor, submission: Submission) -> Submission:
    """A refused report of a signed-in user becomes a draft holding its files, so they need not be chosen again."""
    with transaction.atomic():
        draft = Submission.objects.create(channel=Channel.WEB_FORM, status=SubmissionStatus.DRAFT,
                                          submitted_by=actor, payload=submission.payload)
        SubmissionFile.objects.bulk_create([_copy_file(item, draft) for item in submission.files.all()])
    return draft


def save_draft(*, actor, payload: dict, files=(), draft: Submission | None = None) -> Submission:
    """Keep an unfinished report of a signed-in user; nothing is checked."""
    if draft is not None and (draft.submitted_by_id != actor.pk or draft.status != SubmissionStatus.DRAFT):
        raise PermissionDenied(_("This draft is not yours."))
    payload = _storable(payload)
    kept, file_errors = _store_files(files)
    with transaction.atomic():
        if draft is None:
            draft = Submission.objects.create(channel=Channel.WEB_FORM, status=SubmissionStatus.DRAFT,
                                              submitted_by=actor, payload=payload)
        else:
            draft.payload = payload
            draft.save(update_fields=["payload", "updated_at"])
        for item in kept:
            item.submission = draft
        SubmissionFile.objects.bulk_create(kept)
    if file_errors:
        raise ValidationError({"files": file_errors})
    return draft


def discard_draft(*, actor, draft: Submission) -> None:
    if draft.submitted_by_id != actor.pk or draft.status != SubmissionStatus.DRAFT:
        raise PermissionDenied(_("This draft is not yours."))
    with transaction.atomic():
        draft.files.all().delete()
        draft.delete()


def _reject_submission(submission: Submission, errors: dict) -> None:
    with transaction.atomic():
        submission.status = SubmissionStatus.INVALID
        submission.errors = errors
        submission.save(update_fields=["status", "errors", "updated_at"])


def _take_number(year: int) -> int:
    """The year's next reference number; reports queue on the counter, so it is taken as late as possible."""
    return take_next(ReferenceCounter, year=year)


def _reporting_organisation(actor, system):
    """The agency the report is about, for need-to-know: the reporter's own organisation, except when the
    standing office records a report received by phone or letter on an agency's system."""
    if actor is None or not actor.pk:
        return None
    if system is not None and actor.has_any_role(*TRIAGE_ROLES):
        return system.owner
    return actor.organisation


def _title(data: dict) -> str:
    first_line = next((line.strip() for line in data["description"].splitlines() if line.strip()), "")
    title = first_line
    if data.get("system_name") and fold(data["system_name"]) not in fold(first_line):
        title = f"{data['system_name']}: {first_line}"
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1].rstrip() + "…"


def refresh_search_text(incident: Incident, indicator_values=None) -> None:
    """Fold what search reads into one column; `indicator_values` saves a query when they are known."""
    values = [incident.reference, incident.title, incident.description, incident.reporter_name,
              incident.reporter_email, incident.contact_name, incident.contact_email, incident.system_name,
              incident.operator_name]
    if indicator_values is None:
        indicator_values = [i.value for i in incident.indicators.all()]
    values += list(indicator_values)
    incident.search_text = fold(" ".join(v for v in values if v))


def _add_report_indicators(incident: Incident) -> None:
    rows = [Indicator(incident=incident, kind=IndicatorKind.IP, value=ip) for ip in incident.ip_addresses]
    rows += [Indicator(incident=incident, kind=IndicatorKind.DOMAIN, value=d) for d in incident.domains]
    Indicator.objects.bulk_create(rows, ignore_conflicts=True)


def submit_report(*, submission: Submission, actor=None) -> Incident:
    """Validate a stored submission; make the incident, or mark the submission invalid and raise.

    The reporter's own fields are taken as sent; a signed-in user may only name a system they can see.
    """
    systems = InformationSystem.objects.visible_to(actor) if actor is not None and actor.pk else None
    form = ReportForm(data=submission.payload, systems=systems)
    errors = {field: list(messages) for field, messages in form.errors.items()} if not form.is_valid() else {}
    # A misspelt field name would otherwise be dropped without a word.
    for name in sorted(set(submission.payload) - set(form.fields)):
        errors[name] = [_("Unknown field.")]
    if submission.errors.get("files"):
        errors["files"] = submission.errors["files"]
    if errors:
        _reject_submission(submission, errors)
        raise ValidationError(errors)
    data = form.cleaned_data
    from ungcuu.evidence.models import CustodyAction, CustodyEvent, EvidenceFile
    from ungcuu.incidents.tasks import send_acknowledgement

    with transaction.atomic():
        now = timezone.now()
        year = timezone.localtime(now).year
        # A provisional reference (year 0 is never a real one); the number is taken last, see below.
        provisional = f"~{submission.pk}"
        incident = Incident(
            reference=provisional, year=0, number=submission.pk, title=_title(data),
            channel=submission.channel, created_by=actor if actor is not None and actor.pk else None,
            organisation=_reporting_organisation(actor, data.get("system")),
            system=data.get("system"), **{name: data[name] for name in REPORT_FIELDS},
        )
        if incident.system is not None and incident.system_level is None:
            incident.system_level = incident.system.level
        files = list(submission.files.all())
        # Files attached to the report count as "Thông tin gửi kèm" even when the box was not ticked.
        sent_kinds = {item.kind for item in files}
        incident.attachment_kinds = [k for k in AttachmentKind.values
                                     if k in sent_kinds or k in incident.attachment_kinds]
        refresh_search_text(incident, indicator_values=[*incident.ip_addresses, *incident.domains])
        incident.save()
        _add_report_indicators(incident)
        for item in files:
            evidence = EvidenceFile.objects.create(
                incident=incident, kind=item.kind, original_name=item.original_name, sha256=item.sha256,
                size=item.size, content_type=item.content_type, added_by=incident.created_by,
                description=_("Sent with the report (submission #%(id)s).") % {"id": submission.pk},
            )
            CustodyEvent.objects.create(evidence=evidence, action=CustodyAction.ADDED, actor=incident.created_by,
                                        note=_("Received with the report."), hash_ok=True)
        submission.status = SubmissionStatus.ACCEPTED
        submission.incident = incident
        submission.errors = {}
        submission.save(update_fields=["status", "incident", "errors", "updated_at"])
        # Numbered last: concurrent reports wait on the year's counter only for these few statements.
        incident.year, incident.number = year, _take_number(year)
        incident.reference = f"SC-{year}-{incident.number:04d}"
        incident.search_text = incident.search_text.replace(fold(provisional), fold(incident.reference), 1)
        Incident.objects.filter(pk=incident.pk).update(reference=incident.reference, year=incident.year,
                                                       number=incident.number, search_text=incident.search_text)
        record(actor=actor, action="incidents.report", target=incident, via=submission.channel,
               summary=_("Incident %(ref)s reported via %(channel)s") % {
                   "ref": incident.reference, "channel": submission.get_channel_display()},
               changes={"submission": submission.pk, "confidential": incident.confidential})
        # TT 20 Điều 9.2.a: the notification within 5 days of detection; Điều 10: acknowledge at once.
        _start_deadline("notify", incident=incident, start=incident.detected_at, actor=actor)
        _start_deadline("acknowledge_report", incident=incident, start=now, actor=actor)
        # Enqueued in this transaction: no acknowledgement for a report that was not saved.
        send_acknowledgement.enqueue(incident.pk)
    return incident


def report_incident(*, channel: str, payload, files=(), actor=None, remote_addr=None,
                    draft: Submission | None = None) -> tuple[Submission, Incident | None, dict]:
    """Receive then submit: (submission, incident or None, errors). The submission is always kept."""
    submission = receive_submission(channel=channel, payload=payload, files=files, user=actor,
                                    remote_addr=remote_addr, draft=draft)
    try:
        incident = submit_report(submission=submission, actor=actor)
    except ValidationError as exc:
        return submission, None, exc.message_dict
    if draft is not None:
        discard_draft(actor=actor, draft=draft)
    return submission, incident, {}


# Triage ------------------------------------------------------------------------------------------


def verify_sender(*, actor, incident: Incident, method: str, note: str = "") -> Incident:
    """Record how the sender was authenticated (TT 20 Điều 4.6) and by whom."""
    require_triage(actor)
    if method not in VerificationMethod.values:
        raise ValidationError({"verification_method": _("Choose how the sender was verified.")})
    if method == VerificationMethod.OTHER and not note.strip():
        raise ValidationError({"verification_note": _("Describe how the sender was verified.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_open(incident)
        before = snapshot(incident, ["verification_method", "verification_note", "status"])
        incident.verification_method = method
        incident.verification_note = note.strip()
        incident.verified_by = actor
        incident.verified_at = timezone.now()
        if incident.status == IncidentStatus.RECEIVED:
            incident.status = IncidentStatus.VERIFIED
        incident.save()
        record(actor=actor, action="incidents.verify", target=incident,
               summary=_("Sender verified: %(method)s") % {"method": incident.get_verification_method_display()},
               changes=diff(before, snapshot(incident, ["verification_method", "verification_note", "status"])))
    return incident


def classify(*, actor, incident: Incident, cause: str, attack_type: str = "", effects=(),
             owner_can_handle: bool | None = None, system=None) -> Incident:
    """Set cause, attack type, effects and whether the owner can cope; the serious test follows from them."""
    require_triage(actor)
    errors = {}
    if cause not in Cause.values:
        errors["cause"] = _("Choose the cause.")
    if cause == Cause.CYBER_ATTACK and attack_type not in AttackType.values:  # the API sends any text
        errors["attack_type"] = _("For a cyber attack, choose one of the 10 attack types.")
    elif cause != Cause.CYBER_ATTACK and attack_type:
        errors["attack_type"] = _("An attack type applies only when the cause is a cyber attack.")
    unknown = [e for e in effects if e not in Effect.values]
    if unknown:
        errors["effects"] = _("Unknown effect: %(values)s.") % {"values": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_open(incident)
        before = snapshot(incident, CLASSIFICATION_FIELDS)
        incident.cause = cause
        incident.attack_type = attack_type
        incident.effects = list(dict.fromkeys(effects))
        incident.owner_can_handle = owner_can_handle
        incident.system = system
        incident.classified_by = actor
        incident.classified_at = timezone.now()
        incident.save()
        if owner_can_handle is False:  # beyond the operator's capacity: the initial report at once (Điều 9.2.b)
            _start_deadline("initial_report", incident=incident, start=incident.classified_at, actor=actor)
        assessment = severity.assess_incident(incident)
        record(actor=actor, action="incidents.classify", target=incident,
               summary=_("Classified: %(cause)s %(type)s") % {
                   "cause": incident.get_cause_display(), "type": incident.get_attack_type_display()},
               changes={**diff(before, snapshot(incident, CLASSIFICATION_FIELDS)),
                        "meets_serious_criteria": assessment.meets_criteria})
    return incident


def propose_serious(*, actor, incident: Incident, note: str = "") -> Incident:
    """The province proposes 'serious' to the national coordinator (TT 20 Điều 10.1.c); it cannot decide."""
    require_triage(actor)
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).select_related("system").get(pk=incident.pk)
        _require_open(incident)
        assessment = severity.assess_incident(incident)
        if not assessment.meets_criteria:
            raise ValidationError({"severity": [_("The criteria of QĐ 05/2017 Điều 9 are not all met:")]
                                   + [r for r in assessment.reasons if r.startswith("✘")]})
        if incident.severity != Severity.NORMAL:
            raise ValidationError({"severity": _("The incident is already proposed or decided as serious.")})
        incident.severity = Severity.PROPOSED_SERIOUS
        incident.save(update_fields=["severity", "updated_at"])
        record(actor=actor, action="incidents.propose_serious", target=incident,
               summary=_("Proposed as serious to the national coordinator"),
               changes={"severity": [Severity.NORMAL, Severity.PROPOSED_SERIOUS], "note": note,
                        "reasons": assessment.reasons})
        # QĐ 05 Điều 14.2: the national coordinator now verifies and classifies; reporting is immediate.
        if procedure.path_of(incident.step) == procedure.Path.NORMAL:
            incident.resume_step = incident.step
            _enter_step(actor=actor, incident=incident, to_step=Step.SERIOUS_ASSESS, direction="switch",
                        reason=_("Proposed as serious"), at=timezone.now())
        _start_deadline("initial_report", incident=incident, start=timezone.now(), actor=actor)
    return incident


def record_severity_decision(*, actor, incident: Incident, serious: bool, decision: str) -> Incident:
    """Record the national coordinator's decision (QĐ 05 Điều 14.2), with its reference."""
    require_triage(actor)
    if not decision.strip():
        raise ValidationError({"decision": _("Give the number and date of the coordinator's decision.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_open(incident)
        old = incident.severity
        incident.severity = Severity.SERIOUS if serious else Severity.NORMAL
        incident.severity_decision = decision.strip()
        incident.save(update_fields=["severity", "severity_decision", "updated_at"])
        record(actor=actor, action="incidents.severity_decision", target=incident,
               summary=_("National coordinator's decision recorded: %(severity)s") % {
                   "severity": incident.get_severity_display()},
               changes={"severity": [old, incident.severity], "decision": incident.severity_decision})
        _follow_severity_decision(actor=actor, incident=incident)
    return incident


def _follow_severity_decision(*, actor, incident: Incident) -> None:
    """Serious: the emergency procedure from its step 3 (QĐ 05 Điều 14.3). Not serious: back to the normal
    procedure where it was (Điều 14.2)."""
    step, now = incident.step, timezone.now()
    if incident.severity == Severity.SERIOUS and step in (*procedure.NORMAL_ORDER, Step.SERIOUS_DETECT,
                                                          Step.SERIOUS_ASSESS):
        if procedure.path_of(step) == procedure.Path.NORMAL:
            incident.resume_step = step
        _enter_step(actor=actor, incident=incident, to_step=Step.SERIOUS_PLAN, direction="switch",
                    reason=incident.severity_decision, at=now)
    elif incident.severity == Severity.NORMAL and step == Step.SERIOUS_ASSESS:
        back_to = incident.resume_step or Step.RECEIVE_VERIFY
        incident.resume_step = ""
        _enter_step(actor=actor, incident=incident, to_step=back_to, direction="switch",
                    reason=incident.severity_decision, at=now)


def _cancel_deadlines(incident: Incident, actor, reason: str) -> None:
    from ungcuu.deadlines import actions as deadlines  # builds on this app

    deadlines.cancel_deadlines(incident=incident, actor=actor, reason=reason)


def _start_deadline(kind: str, **kwargs) -> None:
    from ungcuu.deadlines import actions as deadlines  # builds on this app

    try:
        deadlines.start_deadline(kind=kind, **kwargs)
    except ValidationError as exc:
        # A rule set without this rule must not refuse a report or a step; the gap is logged and visible
        # on the rules page.
        logger.warning("No %s deadline started for %s: %s", kind, kwargs.get("incident"), exc.messages)


def reject_report(*, actor, incident: Incident, reason: str) -> Incident:
    """Not an incident (a test, spam, a misunderstanding): kept, but closed as rejected."""
    require_triage(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this is not an incident.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status not in (IncidentStatus.RECEIVED, IncidentStatus.VERIFIED):
            raise ValidationError({"__all__": _("Only a report still in triage can be rejected.")})
        old = incident.status
        incident.status = IncidentStatus.REJECTED
        incident.save(update_fields=["status", "updated_at"])
        record(actor=actor, action="incidents.reject", target=incident, summary=_("Rejected: %(reason)s") % {
            "reason": reason.strip()}, changes={"status": [old, incident.status], "reason": reason.strip()})
        _cancel_deadlines(incident, actor, reason.strip())
    return incident


# Related incidents and duplicates ----------------------------------------------------------------


def related_candidates(incident: Incident, limit: int = 20):
    """Other incidents on the same registered system or sharing an indicator, newest first.

    Two indexed lookups rather than one OR across a join: at 100k incidents the OR with DISTINCT took 172 ms
    for an incident on a busy system (bench/RESULTS.md, issue 4).
    """
    ids = set()
    if incident.system_id:
        ids.update(Incident.objects.filter(system_id=incident.system_id).exclude(pk=incident.pk)
                   .order_by("-detected_at", "-id").values_list("pk", flat=True)[:limit])
    shared = Q()
    for kind, value in incident.indicators.values_list("kind", "value"):
        shared |= Q(kind=kind, value=value)
    if shared:
        ids.update(Indicator.objects.filter(shared).exclude(incident_id=incident.pk)
                   .order_by("-incident__detected_at", "-incident_id").values_list("incident_id", flat=True)[:limit])
    if not ids:
        return Incident.objects.none()
    return Incident.objects.filter(pk__in=ids).list_columns().order_by("-detected_at", "-id")[:limit]


def link_incidents(*, actor, incident: Incident, other: Incident, note: str = "") -> IncidentLink:
    require_triage(actor)
    if other.pk == incident.pk:
        raise ValidationError({"other": _("An incident cannot be linked to itself.")})
    source, target = sorted([incident, other], key=lambda i: i.pk)
    if IncidentLink.objects.filter(source=source, target=target).exists():
        raise ValidationError({"other": _("These incidents are already linked.")})
    with transaction.atomic():
        link = IncidentLink.objects.create(source=source, target=target, note=note.strip(), created_by=actor)
        record(actor=actor, action="incidents.link", target=incident,
               summary=_("Linked to %(ref)s") % {"ref": other.reference}, changes={"other": other.reference})
    return link


def unlink_incidents(*, actor, incident: Incident, other: Incident) -> None:
    require_triage(actor)
    with transaction.atomic():
        removed, _count = IncidentLink.objects.filter(
            Q(source=incident, target=other) | Q(source=other, target=incident)).delete()
        if removed:
            record(actor=actor, action="incidents.unlink", target=incident,
                   summary=_("Link to %(ref)s removed") % {"ref": other.reference}, changes={"other": other.reference})


def merge_incident(*, actor, duplicate: Incident, into: Incident, reason: str = "") -> Incident:
    """Mark `duplicate` as a duplicate of `into`. Both records stay whole: the duplicate keeps its
    report, evidence and history and becomes read-only; `into` gains its indicators and shows it."""
    require_triage(actor)
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An incident cannot be merged into itself.")})
    with transaction.atomic():
        # Both rows in one query, in id order: two opposite merges at once then queue instead of deadlocking.
        locked = Incident.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).order_by("pk")
        rows = {row.pk: row for row in locked}
        duplicate, into = rows[duplicate.pk], rows[into.pk]
        if into.status == IncidentStatus.MERGED:
            raise ValidationError({"into": _("%(ref)s is itself merged into another incident; merge into that one.")
                                   % {"ref": into.reference}})
        if duplicate.status == IncidentStatus.MERGED:
            raise ValidationError({"into": _("This incident is already merged.")})
        if duplicate.confidential and not into.confidential:
            # Its indicators would show on an incident that more people can see.
            raise ValidationError({"into": _("A confidential report can only be merged into a confidential "
                                             "incident.")})
        old = duplicate.status
        duplicate.status = IncidentStatus.MERGED
        duplicate.merged_into = into
        duplicate.save(update_fields=["status", "merged_into", "updated_at"])
        # Earlier duplicates of the duplicate now point at the survivor too.
        Incident.objects.filter(merged_into=duplicate).update(merged_into=into)
        Indicator.objects.bulk_create(
            [Indicator(incident=into, kind=i.kind, value=i.value, source=f"merged:{duplicate.reference}")
             for i in duplicate.indicators.all()], ignore_conflicts=True)
        refresh_search_text(into)
        into.save(update_fields=["search_text", "updated_at"])
        _cancel_deadlines(duplicate, actor, _("Merged into %(ref)s") % {"ref": into.reference})
        record(actor=actor, action="incidents.merge", target=duplicate,
               summary=_("Merged into %(ref)s") % {"ref": into.reference},
               changes={"status": [old, duplicate.status], "into": into.reference, "reason": reason})
        record(actor=actor, action="incidents.merge", target=into,
               summary=_("%(ref)s merged into this incident") % {"ref": duplicate.reference},
               changes={"duplicate": duplicate.reference, "reason": reason})
    return into


# The response procedure (TT 20/2017 Điều 11; QĐ 05/2017 Điều 14) ----------------------------------

_STILL_IN_TRIAGE = {Step.RECEIVE_VERIFY, Step.SERIOUS_DETECT, Step.SERIOUS_ASSESS}
BEFORE_RESPONSE_OPTION = {*_STILL_IN_TRIAGE, Step.INITIAL_RESPONSE, Step.CLOSED}
# Clocks differ a little between a client and the server.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def _step_label(step: str) -> str:
    return str(Step(step).label) if step in Step.values else step


def may_act_on_step(actor, incident: Incident, step: str) -> bool:
    """The roles that may move the incident on from `step`; "responders" are the members dispatched to it."""
    if actor is None:
        return True
    actors = procedure.STEPS[step].actors
    if actor.has_any_role(*[a for a in actors if a != "responders"]):
        return True
    # A member released from the incident (coordination) no longer works on it.
    return "responders" in actors and incident.responders.filter(user=actor, release__isnull=True).exists()


def missing_for(incident: Incident, to_step: str) -> list[str]:
    """What the record still lacks before the incident may enter `to_step` (empty when nothing)."""
    missing = []
    current = incident.step
    if current == Step.RECEIVE_VERIFY and to_step == Step.INITIAL_RESPONSE:
        if not incident.verified_at:
            missing.append(_("the sender has not been verified (TT 20 Điều 10)"))
        if not incident.cause:
            missing.append(_("the incident has not been classified (cause)"))
    if current == Step.RESPONSE_OPTION:
        if not incident.response_option.strip():
            missing.append(_("the chosen response option"))
        if not incident.response_option_approved_by.strip():
            missing.append(_("the approval of the response option by the system owner or the team lead"))
    if current == Step.REPORT and not incident.reports.filter(
            kind__in=[ReportKind.NOTICE, ReportKind.INITIAL]).exists():
        missing.append(_("the incident notification or initial report sent to the owner, the provincial unit and "
                         "VNCERT/CC (TT 20 Điều 9.2)"))
    if current == Step.SERIOUS_ASSESS:
        if to_step == Step.SERIOUS_PLAN and incident.severity != Severity.SERIOUS:
            missing.append(_("the national coordinator's decision that the incident is serious"))
        if to_step == Step.INITIAL_RESPONSE and incident.severity == Severity.SERIOUS:
            missing.append(_("the incident was decided serious: it follows the emergency procedure"))
    if to_step == Step.CLOSED:
        for field in ("root_cause", "lasting_fix", "prevention_proposals"):
            if not getattr(incident, field).strip():
                missing.append(str(Incident._meta.get_field(field).verbose_name))
        if not incident.reports.filter(kind=ReportKind.FINAL).exists():
            missing.append(_("the final report (Biểu mẫu 04): the national coordinator counts an incident closed "
                             "only once it has it (TT 20 Điều 9.2.b)"))
    return missing


def _enter_step(*, actor, incident: Incident, to_step: str, direction: str, reason: str, at) -> StepTransition:
    """Move the locked incident to `to_step` and record the move; the caller checked that it is allowed."""
    old_step, old_status = incident.step, incident.status
    incident.step, incident.step_changed_at = to_step, at
    if to_step == Step.CLOSED:
        incident.status, incident.closed_at = IncidentStatus.CLOSED, at
    elif to_step not in _STILL_IN_TRIAGE:
        incident.status = IncidentStatus.IN_RESPONSE
    reopened = False
    if (old_step, to_step) in procedure.RESPONSE_ENDS:
        incident.response_ended_at = at
    elif direction == procedure.BACK and incident.response_ended_at:
        # The evaluation failed (QĐ 05 Điều 14.6 → 14.5): the response is not over after all.
        incident.response_ended_at, reopened = None, True
    incident.save()
    transition = StepTransition.objects.create(incident=incident, from_step=old_step, to_step=to_step,
                                               direction=direction, reason=reason, actor=actor, at=at)
    changes = {"step": [old_step, to_step], "reason": reason}
    if old_status != incident.status:
        changes["status"] = [old_status, incident.status]
    summary = (_("Back to %(step)s: %(reason)s") if direction == procedure.BACK else _("Step: %(step)s")) % {
        "step": _step_label(to_step), "reason": reason}
    record(actor=actor, action="incidents.step", target=incident, summary=summary, changes=changes)
    _after_step_entered(actor=actor, incident=incident, old_step=old_step, to_step=to_step, at=at,
                        reopened=reopened)
    return transition


def _after_step_entered(*, actor, incident: Incident, old_step: str, to_step: str, at, reopened: bool) -> None:
    """What entering a step starts elsewhere: the checklist tasks of the step, the final report's deadline."""
    from ungcuu.investigation import actions as investigation  # builds on this app

    # By the system: the move was authorised, whoever made it (a steering member records 1d).
    investigation.add_checklist_tasks(actor=None, incident=incident, step=to_step)
    if (old_step, to_step) in procedure.RESPONSE_ENDS:
        _start_deadline("final_report", start=at, incident=incident, actor=actor)
    elif reopened:
        from ungcuu.deadlines import actions as deadlines  # builds on this app

        deadlines.cancel_deadline(kind="final_report", incident=incident, actor=actor,
                                  reason=_("The response went back to “%(step)s”.") % {"step": _step_label(to_step)})
    if to_step == Step.CLOSED:
        # What is still open (acknowledgements, orders) ends with the incident; the record keeps it as cancelled.
        _cancel_deadlines(incident, actor, _("Incident closed"))


def move_step(*, actor, incident: Incident, to_step: str, reason: str = "", at=None) -> Incident:
    """Take the incident to the next step of its procedure, refusing moves the procedure does not allow."""
    reason = (reason or "").strip()
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        _require_open(incident)
        if incident.status == IncidentStatus.REJECTED:
            raise ValidationError({"to_step": _("This report was rejected as not an incident.")})
        current = incident.step
        if to_step not in Step.values:
            raise ValidationError({"to_step": _("Unknown step “%(step)s”.") % {"step": to_step}})
        moves = procedure.allowed_moves(current)
        if to_step not in moves:
            allowed = ", ".join(f"“{_step_label(s)}”" for s in moves) or _("none: the procedure is over")
            raise ValidationError({"to_step": _(
                "“%(to)s” cannot follow “%(current)s”: steps are taken in the order of the procedure. "
                "Allowed next: %(allowed)s.") % {"to": _step_label(to_step), "current": _step_label(current),
                                                  "allowed": allowed}})
        if not may_act_on_step(actor, incident, current):
            raise PermissionDenied(_("You may not move this incident on from “%(step)s”.")
                                   % {"step": _step_label(current)})
        if to_step == Step.CLOSED and actor is not None and not actor.has_any_role(*procedure.LEADS):
            raise PermissionDenied(_("Only the team lead or a deputy may close an incident."))
        direction = moves[to_step]
        if direction == procedure.BACK and not reason:
            raise ValidationError({"reason": _("Say what failed: the system goes back to “%(step)s”.")
                                   % {"step": _step_label(to_step)}})
        if current == Step.DIRECTION and not reason:
            raise ValidationError({"reason": _("Record the steering committee's direction.")})
        missing = missing_for(incident, to_step)
        if missing:
            heading = _("Before “%(step)s”, the record still needs:") % {"step": _step_label(to_step)}
            raise ValidationError({"to_step": [heading, *missing]})
        _enter_step(actor=actor, incident=incident, to_step=to_step, direction=direction, reason=reason,
                    at=at or timezone.now())
    return incident


def record_response_option(*, actor, incident: Incident, option: str, approved_by: str, approved_at=None) -> Incident:
    """Step 1c: the option chosen and who approved it (TT 20 Điều 11.1.c)."""
    require_triage(actor)
    option, approved_by = (option or "").strip(), (approved_by or "").strip()
    errors = {}
    if not option:
        errors["option"] = _("Describe the response option chosen.")
    if not approved_by:
        errors["approved_by"] = _("Say who approved it (the system owner or the team lead).")
    if errors:
        raise ValidationError(errors)
    approved_at = approved_at or timezone.now()
    if approved_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"approved_at": _("The approval cannot be in the future.")})
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        _require_open(incident)
        if incident.step in BEFORE_RESPONSE_OPTION:
            raise ValidationError({"option": _("The response option is chosen at step 1c, after the initial "
                                               "response; the incident is at “%(step)s”.")
                                   % {"step": _step_label(incident.step)}})
        before = snapshot(incident, ["response_option", "response_option_approved_by"])
        incident.response_option, incident.response_option_approved_by = option, approved_by
        incident.response_option_approved_at = approved_at
        incident.save(update_fields=["response_option", "response_option_approved_by",
                                     "response_option_approved_at", "updated_at"])
        record(actor=actor, action="incidents.response_option", target=incident,
               summary=_("Response option approved by %(who)s") % {"who": approved_by},
               changes=diff(before, snapshot(incident, ["response_option", "response_option_approved_by"])))
    return incident


CLOSE_OUT_FIELDS = ["root_cause", "lasting_fix", "prevention_proposals", "lessons_learned"]


def record_close_out(*, actor, incident: Incident, root_cause: str, lasting_fix: str, prevention_proposals: str,
                     lessons_learned: str = "") -> Incident:
    """What the team records before handing back (seed 001 Điều 16; TT 20 Điều 11.4)."""
    values = {"root_cause": root_cause, "lasting_fix": lasting_fix, "prevention_proposals": prevention_proposals,
              "lessons_learned": lessons_learned}
    values = {k: (v or "").strip() for k, v in values.items()}
    errors = {k: _("This is required to close the incident.") for k in CLOSE_OUT_FIELDS[:3] if not values[k]}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        _require_open(incident)
        if not may_act_on_step(actor, incident, incident.step):
            raise PermissionDenied(_("You may not record the close-out of this incident."))
        if incident.step not in procedure.CLOSE_OUT_STEPS:
            raise ValidationError({"root_cause": _("The close-out is recorded once the system is verified after "
                                                   "recovery; the incident is at “%(step)s”.")
                                   % {"step": _step_label(incident.step)}})
        before = snapshot(incident, CLOSE_OUT_FIELDS)
        for field, value in values.items():
            setattr(incident, field, value)
        incident.save(update_fields=[*CLOSE_OUT_FIELDS, "updated_at"])
        record(actor=actor, action="incidents.close_out", target=incident,
               summary=_("Root cause, lasting fix and prevention proposals recorded"),
               changes=diff(before, snapshot(incident, CLOSE_OUT_FIELDS)))
    return incident


# The deadline each report meets (deadlines app kinds).
REPORT_MEETS = {ReportKind.NOTICE: ["notify"], ReportKind.INITIAL: ["notify", "initial_report"],
                ReportKind.FINAL: ["final_report"]}


def record_report(*, actor, incident: Incident, kind: str, number: str, issued_on, recipients: str,
                  sent_at=None, summary: str = "") -> IncidentReport:
    """A notice or report sent (TT 20 Điều 9.3; QĐ 05 Điều 11.2), with its number and recipients."""
    require_triage(actor)
    number, recipients = (number or "").strip(), (recipients or "").strip()
    errors = {}
    if kind not in ReportKind.values:
        errors["kind"] = _("Choose the kind of report.")
    if not number:
        errors["number"] = _("Give the document's number and symbol.")
    if not issued_on:
        errors["issued_on"] = _("Give the document's date.")
    if not recipients:
        errors["recipients"] = _("Say to whom it was sent.")
    sent_at = sent_at or timezone.now()
    if sent_at > timezone.now() + FUTURE_TOLERANCE:
        errors["sent_at"] = _("A report cannot be sent in the future.")
    if issued_on and issued_on > timezone.localdate(sent_at):
        errors["issued_on"] = _("The document cannot be dated after it was sent.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        _require_open(incident)
        if kind == ReportKind.FINAL and not incident.response_ended_at:
            raise ValidationError({"kind": _("The final report comes after the response has ended (the system "
                                             "verified after recovery).")})
        report = IncidentReport.objects.create(incident=incident, kind=kind, number=number, issued_on=issued_on,
                                               sent_at=sent_at, recipients=recipients, summary=summary.strip(),
                                               created_by=actor)
        record(actor=actor, action="incidents.report_sent", target=incident,
               summary=_("%(kind)s %(number)s sent to %(to)s") % {
                   "kind": report.get_kind_display(), "number": number, "to": recipients},
               changes={"kind": kind, "number": number, "issued_on": str(issued_on)})
        from ungcuu.deadlines import actions as deadlines  # builds on this app

        for deadline_kind in REPORT_MEETS.get(kind, []):
            deadlines.meet_deadline(kind=deadline_kind, incident=incident, at=sent_at, actor=actor)
    return report
