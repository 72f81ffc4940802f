"""The register page, the documents panel on the incident page, issuing and downloading."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ungcuu.documents import actions
from ungcuu.documents.content import REPORT_KINDS
from ungcuu.documents.forms import IssueForm, OrderDocumentForm
from ungcuu.documents.models import Document, DocumentKind
from ungcuu.evidence import store
from ungcuu.incidents.models import OVERSIGHT_ROLES, TRIAGE_ROLES, Incident
from ungcuu.lib.forms import flash_form_errors, next_or, perform
from ungcuu.lib.paging import paginate

PANEL_LIMIT = 50
REGISTER_ROLES = (*TRIAGE_ROLES, *OVERSIGHT_ROLES)
CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _register_rows(queryset):
    return queryset.select_related("incident", "issuer", "supersedes", "sent_report").only(
        "kind", "reference", "number", "year", "symbol", "issued_on", "summary", "signer_name", "signer_title",
        "signature_prefix", "recipients", "version", "order", "sent_report__sent_at",
        "pdf_sha256", "docx_sha256", "pdf_signed", "incident__reference", "issuer__name", "supersedes__reference")


def incident_panel_context(user, incident) -> dict:
    """The incident's documents and the issue form, in two queries at most."""
    if not user.has_any_role(*REGISTER_ROLES):
        return {"doc_visible": False}
    rows = list(_register_rows(Document.objects.visible_to(user).filter(incident=incident))[: PANEL_LIMIT + 1])
    can_issue = actions.may_issue(user)
    return {
        "doc_visible": True,
        "doc_rows": rows[:PANEL_LIMIT],
        "doc_more": len(rows) > PANEL_LIMIT,
        "doc_can_issue": can_issue,
        "doc_form": IssueForm(auto_id="doc_%s") if can_issue else None,
        "doc_sendable": list(REPORT_KINDS) if user.has_any_role(*TRIAGE_ROLES) else [],
    }


@login_required
def register(request):
    """Every issued document, newest first, filtered by kind."""
    if not request.user.has_any_role(*REGISTER_ROLES):
        raise PermissionDenied
    documents = _register_rows(Document.objects.visible_to(request.user))
    kind = request.GET.get("kind", "")
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    return render(request, "documents/register.html", {
        "page": paginate(request, documents), "kinds": DocumentKind.choices, "kind": kind,
        "doc_sendable": list(REPORT_KINDS) if request.user.has_any_role(*TRIAGE_ROLES) else []})


@login_required
@require_POST
def mark_sent(request, pk):
    """The document went out: it enters the incident's register of reports sent (and meets its deadlines)."""
    document = get_object_or_404(Document.objects.visible_to(request.user).select_related("incident"), pk=pk)
    back = next_or(request, reverse("documents:register"))
    perform(request, lambda: actions.mark_sent(actor=request.user, document=document),
            _("%(ref)s marked sent.") % {"ref": document.reference})
    return redirect(back)


@login_required
@require_POST
def issue_order_document(request, pk):
    """The printable coordination order, numbered as the order."""
    from ungcuu.coordination.models import CoordinationOrder

    order = get_object_or_404(CoordinationOrder.objects.select_related("incident"), pk=pk)
    if not Incident.objects.visible_to(request.user).filter(pk=order.incident_id).exists():
        raise Http404
    back = reverse("coordination:order", args=[order.pk])
    form = OrderDocumentForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        perform(request, lambda: actions.issue_order_document(actor=request.user, order=order, **form.cleaned_data),
                lambda document: _("%(ref)s issued.") % {"ref": document.reference})
    return redirect(back)


@login_required
@require_POST
def issue(request, reference):
    try:
        incident = Incident.objects.visible_to(request.user).lookup(reference).get()
    except Incident.DoesNotExist:
        raise Http404 from None
    back = reverse("incidents:detail", args=[incident.reference]) + "#documents"
    form = IssueForm(request.POST, auto_id="doc_%s")
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        perform(request, lambda: actions.issue_document(actor=request.user, incident=incident, **form.cleaned_data),
                lambda document: _("%(ref)s issued.") % {"ref": document.reference})
    return redirect(back)


def download_response(document: Document, fmt: str) -> FileResponse:
    """The DOCX or PDF as an attachment named after its number."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    sha = document.pdf_sha256 if fmt == "pdf" else document.docx_sha256
    try:
        handle = store.open_blob(sha)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=f"{document.file_stem}.{fmt}",
                            content_type=CONTENT_TYPES[fmt])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request, pk, fmt):
    document = get_object_or_404(Document.objects.visible_to(request.user), pk=pk)
    return download_response(document, fmt)
