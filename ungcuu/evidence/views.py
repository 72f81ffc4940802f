"""Evidence pages: thin views that find what the user may see, validate a form and call an action.

A file is reachable exactly when its incident is visible to the user (need-to-know); anything else is
a 404, so that an outsider cannot even learn that the file exists.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ungcuu.evidence import actions, download
from ungcuu.evidence.forms import EvidenceForm, HandOverForm
from ungcuu.evidence.models import CustodyEvent, EvidenceFile
from ungcuu.incidents.models import Incident
from ungcuu.lib.forms import add_action_errors, next_or


def evidence_context(user, incident: Incident) -> dict:
    """What `evidence/panel.html` needs on the incident page, in a fixed number of queries."""
    files = list(
        EvidenceFile.objects.filter(incident=incident).select_related("added_by")
        .prefetch_related(Prefetch("custody", queryset=CustodyEvent.objects.select_related("actor")))
    )
    for evidence in files:
        checks = [event for event in evidence.custody.all() if event.hash_ok is not None]
        evidence.last_check = checks[-1] if checks else None
    return {
        "incident": incident,
        "evidence_files": files,
        "can_add_evidence": incident.status not in actions.CLOSED_TO_EVIDENCE
        and actions.can_add_evidence(user, incident),
        "evidence_form": EvidenceForm(),
        "evidence_max_bytes": settings.EVIDENCE_MAX_BYTES,
        "evidence_zip_password": download.ZIP_PASSWORD,
    }


def _visible_incident(request, reference: str) -> Incident:
    return get_object_or_404(Incident.objects.visible_to(request.user).lookup(reference))


def _visible_evidence(request, pk: int) -> EvidenceFile:
    visible = Incident.objects.visible_to(request.user).values("pk")
    return get_object_or_404(EvidenceFile.objects.select_related("incident", "added_by").filter(
        incident__in=visible), pk=pk)


def _render_detail(request, evidence: EvidenceFile, hand_over_form=None, error: str = "", status: int = 200):
    return render(request, "evidence/detail.html", {
        "evidence": evidence,
        "incident": evidence.incident,
        "custody": evidence.custody.select_related("actor"),
        "can_handle": actions.can_handle_evidence(request.user, evidence.incident),
        "hand_over_form": hand_over_form or HandOverForm(),
        "evidence_zip_password": download.ZIP_PASSWORD,
        "error": error,
    }, status=status)


@login_required
def add(request, reference):
    """Upload a file to an incident; errors (size limit included) are shown on the form."""
    incident = _visible_incident(request, reference)
    if not actions.can_add_evidence(request.user, incident):
        raise PermissionDenied(_("You may not add evidence to this incident."))
    form = EvidenceForm(request.POST, request.FILES) if request.method == "POST" else EvidenceForm()
    if request.method == "POST" and form.is_valid():
        try:
            evidence = actions.add_evidence(actor=request.user, incident=incident, upload=form.cleaned_data["file"],
                                            kind=form.cleaned_data["kind"],
                                            description=form.cleaned_data["description"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” added as evidence, SHA-256 %(sha)s.") % {
                "name": evidence.original_name, "sha": evidence.sha256})
            return redirect(next_or(request, reverse("evidence:detail", args=[evidence.pk])))
    return render(request, "evidence/add.html", {"incident": incident, "form": form,
                                                 "evidence_max_bytes": settings.EVIDENCE_MAX_BYTES,
                                                 "next": request.POST.get("next", "")})


@login_required
@require_GET
def detail(request, pk):
    return _render_detail(request, _visible_evidence(request, pk))


@login_required
@require_GET
def download_file(request, pk):
    """The file as an attachment (malware: in an encrypted ZIP); refused when its hash no longer matches."""
    evidence = _visible_evidence(request, pk)
    try:
        return download.download(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        return _render_detail(request, evidence, error=" ".join(exc.messages), status=409)


@login_required
@require_POST
def hand_over(request, pk):
    evidence = _visible_evidence(request, pk)
    form = HandOverForm(request.POST)
    if form.is_valid():
        try:
            event = actions.hand_over(actor=request.user, evidence=evidence, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Handed over to %(recipient)s.") % {"recipient": event.recipient})
            if not event.hash_ok:
                messages.error(request, _("Warning: the file no longer matches its SHA-256; this is recorded "
                                          "with the hand-over."))
            return redirect("evidence:detail", evidence.pk)
    return _render_detail(request, evidence, hand_over_form=form)


@login_required
@require_POST
def verify(request, pk):
    evidence = _visible_evidence(request, pk)
    event = actions.verify_hash(actor=request.user, evidence=evidence)
    if event.hash_ok:
        messages.success(request, _("The file still matches its SHA-256."))
    else:
        messages.error(request, _("The file no longer matches its SHA-256: %(note)s") % {"note": event.note})
    return redirect("evidence:detail", evidence.pk)
