"""Incident pages: report (signed-in and public), drafts, list, detail, triage, submissions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.advisories.views import incident_panel_context as advisories_panel
from ungcuu.alerts.views import incident_panel_context as alerts_panel
from ungcuu.audit.models import AuditEntry
from ungcuu.coordination.views import incident_panel_context as coordination_panel
from ungcuu.deadlines.views import incident_panel_context as deadlines_panel
from ungcuu.documents.views import incident_panel_context as documents_panel
from ungcuu.evidence.views import evidence_context
from ungcuu.incidents import actions, procedure, search, severity, suggestions
from ungcuu.incidents.forms import (
    SECTIONS,
    UPLOAD_KINDS,
    ClassificationForm,
    IncidentFilterForm,
    LinkForm,
    MergeForm,
    RejectForm,
    ReportForm,
    SeverityDecisionForm,
    VerificationForm,
)
from ungcuu.incidents.models import (
    TRIAGE_ROLES,
    AttachmentKind,
    Channel,
    Incident,
    IncidentLink,
    NotifiedParty,
    Submission,
    SubmissionStatus,
)
from ungcuu.investigation.views import incident_panel_context as investigation_panel
from ungcuu.lib.forms import add_action_errors
from ungcuu.lib.paging import paginate
from ungcuu.mailintake.views import incident_panel_context as mailintake_panel
from ungcuu.notifications.views import incident_panel_context as notifications_panel
from ungcuu.plans.views import incident_panel_context as plans_panel
from ungcuu.registry.models import InformationSystem, Person, SecurityMeasure, Service
from ungcuu.reports.views import incident_panel_context as reports_panel
from ungcuu.sharing.views import incident_panel_context as sharing_panel

HISTORY_LIMIT = 200


def _is_triage(user) -> bool:
    return user.has_any_role(*TRIAGE_ROLES)


def _uploads(request):
    return [(kind, upload) for kind, field in UPLOAD_KINDS for upload in request.FILES.getlist(field)]


def _payload(request) -> dict:
    """The form as sent, lists kept as lists, without the CSRF token and buttons."""
    # A browser sends an empty file input as a field with an empty value; files come in request.FILES.
    skipped = {"csrfmiddlewaretoken", "action", *(field for _kind, field in UPLOAD_KINDS)}
    return {key: (values if len(values) > 1 or key in ReportForm.list_fields else values[0])
            for key, values in request.POST.lists() if key not in skipped}


def _initial_for(user) -> dict:
    """A signed-in agency user's organisation and contact details, pre-filled (they can change them)."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"reported_at": now, "confidential": "no"}
    organisation = user.organisation
    if organisation is not None:
        initial.update(reporter_name=organisation.name, reporter_address=organisation.address,
                       reporter_phone=organisation.phone, reporter_email=organisation.email,
                       operator_name=organisation.name)
    person = Person.objects.filter(user=user).first()
    initial.update(contact_name=user.get_full_name(), contact_email=user.email,
                   contact_position=person.position if person else "", contact_phone=person.phone if person else "")
    return initial


def system_initial(system: InformationSystem) -> dict:
    """What choosing a registered system fills in (Biểu mẫu 03 §3 and §9)."""
    providers = ", ".join(p.name for p in system.connectivity_providers.all())
    return {
        "system": system.pk, "operator_name": system.operator.name, "owner_name": system.owner.name,
        "system_name": system.name, "system_level": system.level,
        "security_provider_name": system.security_provider.name if system.security_provider else "",
        "connectivity_provider_name": providers, "os_versions": system.os_versions,
        "services": [s for s in system.services if s in ("web", "mail", "database")],
        "services_other": system.services_other,
        "security_measures": [m for m in system.security_measures if m in ("antivirus", "firewall", "ids")],
        "security_measures_other": system.security_measures_other, "system_purpose": system.purpose,
        "ip_addresses": [n.cidr.split("/")[0] if n.cidr.endswith(("/32", "/128")) else n.cidr
                         for n in system.networks.all()],  # ranges are accepted by the form as they are
        "domains": [d.domain for d in system.domains.all()],
    }


def _visible_systems(user):
    return InformationSystem.objects.visible_to(user).select_related("owner", "operator").order_by("name")


def report_sections(incident: Incident) -> list:
    """The report as (heading, [(label, value)]) in the order of Biểu mẫu 03, with choices spelled out."""
    labels = {name: field.label for name, field in ReportForm.base_fields.items()}
    choice_lists = {"notified_parties": NotifiedParty, "services": Service, "security_measures": SecurityMeasure,
                    "attachment_kinds": AttachmentKind}
    sections = []
    for heading, names in SECTIONS:
        rows = []
        for name in names:
            value = getattr(incident, name)
            if name in choice_lists:
                value = "; ".join(str(choice_lists[name](v).label) for v in value if v in choice_lists[name].values)
            elif name in ("ip_addresses", "domains"):
                value = ", ".join(value)
            elif name in ("detected_at", "reported_at"):
                value = date_format(timezone.localtime(value), "d/m/Y H:i")
            elif name == "confidential":
                value = _("Yes") if value else _("No")
            elif hasattr(incident, f"get_{name}_display"):
                value = getattr(incident, f"get_{name}_display")() if value not in (None, "") else ""
            rows.append((labels[name], value))
        sections.append((heading, rows))
    return sections


def _render_report(request, form, *, draft=None, public=False, status=200):
    drafts = [] if public else Submission.objects.filter(
        submitted_by=request.user, status=SubmissionStatus.DRAFT).order_by("-updated_at")[:20]
    return render(request, "incidents/report_form.html", {
        "form": form, "draft": draft, "public": public, "drafts": drafts,
        "upload_kinds": UPLOAD_KINDS, "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }, status=status)


def _submit(request, *, channel, actor, draft=None, public=False):
    submission, incident, errors = actions.report_incident(
        channel=channel, payload=_payload(request), files=_uploads(request), actor=actor,
        remote_addr=request.META.get("REMOTE_ADDR"), draft=draft)
    if incident is None:
        if not public and draft is None and submission.files.exists():
            # The browser forgets chosen files on the error page: keep them on a draft the user goes on with.
            draft = actions.keep_as_draft(actor=actor, submission=submission)
        form = ReportForm(data=submission.payload, systems=None if public else _visible_systems(actor))
        form.is_valid()
        for field, field_errors in errors.items():
            if field not in form.fields and field_errors:
                form.add_error(None, field_errors)
        messages.error(request, _("The report was saved as submission #%(id)s but is not complete: "
                                  "correct the fields marked below and send it again.") % {"id": submission.pk})
        return _render_report(request, form, draft=draft, public=public, status=422)
    return render(request, "incidents/acknowledgement.html", {"incident": incident, "public": public})


@login_required
def report_new(request, draft_id=None):
    draft = None
    if draft_id is not None:
        draft = get_object_or_404(Submission, pk=draft_id, submitted_by=request.user, status=SubmissionStatus.DRAFT)
    systems = _visible_systems(request.user)
    if request.method == "POST":
        if request.POST.get("action") == "draft":
            try:
                draft = actions.save_draft(actor=request.user, payload=_payload(request), files=_uploads(request),
                                           draft=draft)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return _render_report(request, ReportForm(data=_payload(request), systems=systems), draft=draft,
                                      status=422)
            messages.success(request, _("Draft saved. You can finish it later from this page."))
            return redirect("incidents:draft", draft_id=draft.pk)
        if request.POST.get("action") == "discard" and draft is not None:
            actions.discard_draft(actor=request.user, draft=draft)
            messages.success(request, _("Draft deleted."))
            return redirect("incidents:report")
        return _submit(request, channel=Channel.WEB_FORM, actor=request.user, draft=draft)
    if draft is not None:
        form = ReportForm(initial=draft.payload, systems=systems)
    else:
        form = ReportForm(initial=_initial_for(request.user), systems=systems)
    return _render_report(request, form, draft=draft)


@login_required
@require_POST
def system_fields(request):
    """htmx: the report's system sections (3 and 9, posted) re-rendered with a registered system's details.
    POST, not GET: what the reporter typed must not end up in URLs and access logs."""
    system_id = request.POST.get("system", "")
    if not (system_id.isascii() and system_id.isdigit()):
        raise Http404
    system = get_object_or_404(_visible_systems(request.user).prefetch_related(
        "networks", "domains", "connectivity_providers"), pk=int(system_id))
    data = {key: (values if key in ReportForm.list_fields else values[0])
            for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
    data.update(system_initial(system))
    form = ReportForm(initial=data, systems=_visible_systems(request.user))
    return render(request, "incidents/_system_sections.html", {"form": form})


def public_report(request):
    """Anyone who notices an attack may report (TT 20 Điều 9.2.c); such reports start unverified.

    Without an account the page is open to abuse, so a request's size is checked before it is read and
    an address may send only so many reports an hour (the hotline remains for more)."""
    if request.method == "POST":
        refusal = _public_refusal(request)
        if refusal is not None:
            return refusal
        return _submit(request, channel=Channel.PUBLIC_FORM, actor=None, public=True)
    form = ReportForm(initial={"reported_at": timezone.localtime().replace(second=0, microsecond=0),
                               "confidential": "no"})
    return _render_report(request, form, public=True)


def _public_refusal(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit_mb = settings.PUBLIC_REPORT_MAX_BYTES // (1024 * 1024)
    if length > settings.PUBLIC_REPORT_MAX_BYTES:
        message = _("The report with its files is larger than %(limit)s MB. Send fewer or smaller files, or "
                    "call the standing office.") % {"limit": limit_mb}
        return render(request, "incidents/public_refused.html", {"message": message}, status=413)
    since = timezone.now() - timezone.timedelta(hours=1)
    recent = Submission.objects.filter(channel=Channel.PUBLIC_FORM, remote_addr=request.META.get("REMOTE_ADDR"),
                                       received_at__gte=since).count()
    if recent >= settings.PUBLIC_REPORTS_PER_HOUR:
        message = _("Too many reports were sent from your address in the last hour. Please call the standing "
                    "office, or try again later.")
        return render(request, "incidents/public_refused.html", {"message": message}, status=429)
    return None


@login_required
def incident_list(request):
    form = IncidentFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if request.GET else search.IncidentFilters()
    rows = Incident.objects.visible_to(request.user).list_columns()
    result = search.page(rows, filters, size=settings.PAGE_SIZE, after=request.GET.get("after", ""),
                         before=request.GET.get("before", ""))
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    return render(request, "incidents/incident_list.html", {
        "form": form, "controls": form.controls(), "page": result, "query": query.urlencode(),
        "can_triage": _is_triage(request.user),
    })


def _get_incident(request, reference) -> Incident:
    queryset = Incident.objects.visible_to(request.user).select_related(
        "organisation", "system__owner", "system__operator", "created_by", "verified_by", "classified_by",
        "merged_into")
    try:
        return queryset.lookup(reference).get()
    except Incident.DoesNotExist:
        raise Http404 from None


@login_required
def incident_detail(request, reference, forms=None):

    incident = _get_incident(request, reference)
    triage = _is_triage(request.user)
    forms = forms or {}
    history = AuditEntry.objects.filter(object_type=incident._meta.label_lower, object_id=str(incident.pk)).order_by(
        "-seq")[:HISTORY_LIMIT]
    link_rows = IncidentLink.objects.filter(Q(source=incident) | Q(target=incident)).select_related("source", "target")
    linked = [link.target if link.source_id == incident.pk else link.source for link in link_rows]
    visible = Incident.objects.visible_to(request.user)
    visible_ids = set(visible.filter(pk__in=[i.pk for i in linked]).values_list("pk", flat=True))
    context = {
        "incident": incident, "can_triage": triage, "history": history,
        "merged_into_visible": bool(incident.merged_into_id) and visible.filter(pk=incident.merged_into_id).exists(),
        "report_sections": report_sections(incident),
        "assessment": severity.assess_incident(incident),
        "procedure": procedure.summary(incident),
        "linked": [i for i in linked if i.pk in visible_ids],
        "merged": visible.filter(merged_into=incident).only("reference", "title"),
        "related": [i for i in actions.related_candidates(incident) if i.pk not in {x.pk for x in linked}]
        if triage else [],
        "submissions": incident.submissions.all() if triage else [],
        **evidence_context(request.user, incident),
        # Each app's panel on this page: its template is <app>/_incident_panel.html.
        **deadlines_panel(request.user, incident),
        **coordination_panel(request.user, incident),
        **investigation_panel(request.user, incident),
        **notifications_panel(request.user, incident),
        **sharing_panel(request.user, incident),
        **reports_panel(request.user, incident),
        **documents_panel(request.user, incident),
        **plans_panel(request.user, incident),
        **alerts_panel(request.user, incident),
        **mailintake_panel(request.user, incident),
        **advisories_panel(request.user, incident),
    }
    if triage:
        # Suggested classification (SPEC §4), until the incident is classified (or when asked): shown beside the
        # form; the form is filled only when the person asks.
        use_suggestion = not forms and request.GET.get("use_suggestion") == "1"
        suggestion = (suggestions.suggest_for_incident(incident)
                      if incident.status != "merged" and (use_suggestion or not incident.cause) else None)
        use_suggestion = use_suggestion and suggestion is not None
        context.update(
            suggestion=suggestion, suggestion_used=use_suggestion,
            verify_form=forms.get("verify") or VerificationForm(auto_id="verify_%s", initial={
                "verification_method": incident.verification_method, "verification_note": incident.verification_note}),
            classify_form=forms.get("classify") or ClassificationForm(auto_id="classify_%s", initial={
                "cause": incident.cause, "attack_type": incident.attack_type, "effects": incident.effects,
                "owner_can_handle": {True: "yes", False: "no"}.get(incident.owner_can_handle, ""),
                "system": incident.system_id, **(suggestions.form_initial(suggestion) if use_suggestion else {})}),
            decision_form=forms.get("decision") or SeverityDecisionForm(auto_id="decision_%s"),
            reject_form=forms.get("reject") or RejectForm(auto_id="reject_%s"),
            merge_form=forms.get("merge") or MergeForm(auto_id="merge_%s"),
            link_form=forms.get("link") or LinkForm(auto_id="link_%s"),
            severity_error=forms.get("severity_error"),
        )
    return render(request, "incidents/incident_detail.html", context, status=422 if forms else 200)


def _triage_post(request, reference, form_class, key, call):
    """Validate a triage form, call its action; on error show the detail page with the form's messages."""
    actions.require_triage(request.user)
    incident = _get_incident(request, reference)
    form = form_class(request.POST, auto_id=f"{key}_%s")
    if form.is_valid():
        try:
            call(incident, form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("incidents:detail", reference=incident.reference)
    return incident_detail(request, reference, forms={key: form})


@login_required
@require_POST
def verify(request, reference):
    return _triage_post(request, reference, VerificationForm, "verify", lambda incident, data: actions.verify_sender(
        actor=request.user, incident=incident, method=data["verification_method"],
        note=data["verification_note"]))


@login_required
@require_POST
def classify(request, reference):
    return _triage_post(request, reference, ClassificationForm, "classify", lambda incident, data: actions.classify(
        actor=request.user, incident=incident, cause=data["cause"], attack_type=data["attack_type"],
        effects=data["effects"], owner_can_handle=data["owner_can_handle"], system=data["system"]))


@login_required
@require_POST
def propose_serious(request, reference):
    actions.require_triage(request.user)
    incident = _get_incident(request, reference)
    try:
        actions.propose_serious(actor=request.user, incident=incident, note=request.POST.get("note", ""))
    except ValidationError as exc:
        return incident_detail(request, reference, forms={"severity_error": exc.messages})
    messages.success(request, _("Proposed as serious. The national coordinator decides; record its decision here."))
    return redirect("incidents:detail", reference=incident.reference)


@login_required
@require_POST
def severity_decision(request, reference):
    return _triage_post(request, reference, SeverityDecisionForm, "decision",
                        lambda incident, data: actions.record_severity_decision(
                            actor=request.user, incident=incident, serious=data["severity"] == "serious",
                            decision=data["decision"]))


@login_required
@require_POST
def reject(request, reference):
    return _triage_post(request, reference, RejectForm, "reject", lambda incident, data: actions.reject_report(
        actor=request.user, incident=incident, reason=data["reason"]))


def _other(request, reference_text, field):
    try:
        return Incident.objects.visible_to(request.user).lookup(reference_text).get()
    except Incident.DoesNotExist:
        raise ValidationError({field: _("No incident with reference %(ref)s.") % {"ref": reference_text}}) from None


@login_required
@require_POST
def merge(request, reference):
    return _triage_post(request, reference, MergeForm, "merge", lambda incident, data: actions.merge_incident(
        actor=request.user, duplicate=incident, into=_other(request, data["into"], "into"), reason=data["reason"]))


@login_required
@require_POST
def link(request, reference):
    return _triage_post(request, reference, LinkForm, "link", lambda incident, data: actions.link_incidents(
        actor=request.user, incident=incident, other=_other(request, data["other"], "other"), note=data["note"]))


@login_required
@require_POST
def unlink(request, reference, other):
    actions.require_triage(request.user)
    incident = _get_incident(request, reference)
    other_incident = _get_incident(request, other)
    actions.unlink_incidents(actor=request.user, incident=incident, other=other_incident)
    messages.success(request, _("Link removed."))
    return redirect("incidents:detail", reference=incident.reference)


@login_required
def submission_list(request):
    actions.require_triage(request.user)
    status = request.GET.get("status", SubmissionStatus.INVALID)
    rows = Submission.objects.exclude(status=SubmissionStatus.DRAFT).select_related("submitted_by", "incident")
    if status in SubmissionStatus.values:
        rows = rows.filter(status=status)
    return render(request, "incidents/submission_list.html", {
        "page": paginate(request, rows), "status": status,
        "statuses": [s for s in SubmissionStatus.choices if s[0] != SubmissionStatus.DRAFT],
    })


@login_required
def submission_detail(request, pk):
    actions.require_triage(request.user)
    submission = get_object_or_404(Submission.objects.select_related("submitted_by", "incident").exclude(
        status=SubmissionStatus.DRAFT), pk=pk)
    return render(request, "incidents/submission_detail.html", {
        "submission": submission, "files": submission.files.all(),
        "fields": [(name, submission.payload.get(name)) for name in sorted(submission.payload)],
    })
