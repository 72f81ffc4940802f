"""Issuing and re-issuing official documents: content from the record, number taken last, files stored, audited."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.documents import content, render, signing
from ungcuu.documents.models import Document, DocumentCounter, DocumentKind, SignaturePrefix
from ungcuu.evidence import store
from ungcuu.incidents.models import TRIAGE_ROLES, Incident, IncidentStatus
from ungcuu.lib.sequence import take_next
from ungcuu.registry.models import Deployment, Organisation

ISSUE_ROLES = TRIAGE_ROLES  # standing_officer, team_lead, deputy_lead
DEFAULT_PLACE = "Quảng Ngãi"
DEFAULT_SYMBOL_SUFFIX = "ĐƯCSC"


def may_issue(user) -> bool:
    return bool(user and user.is_authenticated and user.has_any_role(*ISSUE_ROLES))


def require_issue_role(actor) -> None:
    if not may_issue(actor):
        raise PermissionDenied(_("Only the standing office, the team lead or a deputy lead may issue documents."))


def default_symbol(kind: str) -> str:
    """"BC-ĐƯCSC": the type's abbreviation (NĐ 30/2020 Phụ lục III) and the issuer's (DOCUMENTS_SYMBOL_SUFFIX)."""
    suffix = getattr(settings, "DOCUMENTS_SYMBOL_SUFFIX", "") or DEFAULT_SYMBOL_SUFFIX
    return f"{content.KIND_TYPES[kind][1]}-{suffix}"


def default_issuer(actor) -> Organisation | None:
    deployment = Deployment.current()
    return deployment.standing_office if deployment.standing_office_id else getattr(actor, "organisation", None)


def _heading(issuer: Organisation) -> tuple[str, str]:
    """The issuing body's two lines: the body above it and its own name (the team's, as the deployment calls it)."""
    deployment = Deployment.current()
    if deployment.province_name:
        parent = f"UBND TỈNH {deployment.province_name}"
    else:
        parent = issuer.parent.name if issuer.parent_id else ""
    own = deployment.team_name if deployment.team_name and issuer.pk == deployment.standing_office_id \
        else issuer.name
    return parent.upper(), own.upper()


def _place() -> str:
    return Deployment.current().province_name or getattr(settings, "DOCUMENTS_PLACE", "") or DEFAULT_PLACE


def signature_lines(prefix: str, authority: str, title: str) -> list[str]:
    """"KT. TRƯỞNG BAN" over "PHÓ TRƯỞNG BAN" (NĐ 30/2020 Điều 13); the head alone signs under their title."""
    if prefix:
        return [f"{prefix} {authority.upper()}".strip(), title.upper()]
    return [title.upper()]


def _clean_recipients(recipients) -> list[str]:
    if isinstance(recipients, str):
        recipients = recipients.splitlines()
    return [r.strip().lstrip("-").strip().rstrip(";").strip() for r in recipients or [] if r and r.strip(" -;")]


def _validate(*, kind, incident, signer_name, signer_title, signature_prefix, signer_authority, recipients,
              issued_on, issuer) -> dict:
    errors = {}
    if kind not in DocumentKind.values:
        errors["kind"] = _("Choose the kind of document.")
    if kind == DocumentKind.COORDINATION_ORDER:
        errors["kind"] = _("A coordination order's document is issued from the order (it carries the order's "
                           "number): issue the order first, then its document on the order's page.")
    elif incident is None:
        errors["incident"] = _("This document is about an incident: choose it.")
    if not signer_name:
        errors["signer_name"] = _("Give the signer's full name.")
    if not signer_title:
        errors["signer_title"] = _("Give the signer's title.")
    if signature_prefix not in SignaturePrefix.values:
        errors["signature_prefix"] = _("Choose KT., TM., TL., TUQ. or none.")
    elif signature_prefix and not signer_authority:
        errors["signer_authority"] = _("With %(prefix)s, give the title of the head signed for (e.g. TRƯỞNG BAN).") \
            % {"prefix": signature_prefix}
    if not recipients:
        errors["recipients"] = _("List the recipients (Nơi nhận), one a line.")
    if issued_on > timezone.localdate():
        errors["issued_on"] = _("A document cannot be dated in the future.")
    if issuer is None:
        errors["issuer"] = _("Say which organisation issues the document (the deployment has no standing office).")
    return errors


def _build(document: Document, incident: Incident | None, sections: list[dict]) -> dict:
    parent, own = _heading(document.issuer)
    return {
        "parent_body": parent, "issuing_body": own, "reference": document.reference,
        "date_line": content.date_line(document.place, document.issued_on),
        "doc_type": content.KIND_TYPES[document.kind][0], "summary": document.summary, "sections": sections,
        "signature_lines": signature_lines(document.signature_prefix, document.signer_authority,
                                           document.signer_title),
        "signer_name": document.signer_name, "recipients": document.recipients,
        "incident": content.incident_fields(incident) if incident else {},
    }


def _render_and_store(document: Document, context: dict) -> None:
    with translation.override("vi"):
        docx = render.render_docx(document.kind, context)
        pdf = render.render_pdf(context)
    if signing.configured():
        pdf = signing.sign_pdf(pdf, reason=f"{document.reference} {document.summary}", location=document.place)
        document.pdf_signed = True
    stem = document.file_stem
    docx_blob = store.save_bytes(docx, f"{stem}.docx")
    pdf_blob = store.save_bytes(pdf, f"{stem}.pdf")
    document.docx_sha256, document.docx_size = docx_blob.sha256, docx_blob.size
    document.pdf_sha256, document.pdf_size = pdf_blob.sha256, pdf_blob.size


def issue_document(*, actor, kind: str, incident: Incident | None, signer_name: str, signer_title: str,
                   recipients, signature_prefix: str = "", signer_authority: str = "", summary: str = "",
                   note: str = "", attachments: str = "", issued_on: datetime.date | None = None,
                   issuer: Organisation | None = None, symbol: str = "", supersedes: Document | None = None,
                   ) -> Document:
    """Issue a document about an incident: content from its record, the issuer's next number, DOCX and PDF."""
    require_issue_role(actor)
    signer_name, signer_title = (signer_name or "").strip(), (signer_title or "").strip()
    signer_authority, signature_prefix = (signer_authority or "").strip(), (signature_prefix or "").strip()
    recipients = _clean_recipients(recipients)
    issued_on = issued_on or timezone.localdate()
    issuer = issuer or default_issuer(actor)
    errors = _validate(kind=kind, incident=incident, signer_name=signer_name, signer_title=signer_title,
                       signature_prefix=signature_prefix, signer_authority=signer_authority, recipients=recipients,
                       issued_on=issued_on, issuer=issuer)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if incident is not None:
            incident = Incident.objects.select_related("organisation").get(pk=incident.pk)
            if incident.status in (IncidentStatus.MERGED, IncidentStatus.REJECTED):
                raise ValidationError({"incident": _("No documents are issued about a merged or rejected report.")})
        with translation.override("vi"):
            sections = content.BUILDERS[kind](incident, note=(note or "").strip(), attachments=attachments or "")
        ref = incident.reference if incident else ""
        document = Document(
            kind=kind, incident=incident, issuer=issuer, year=issued_on.year, number=0,
            symbol=(symbol or default_symbol(kind)).strip()[:50], issued_on=issued_on, place=_place(),
            summary=((summary or "").strip() or content.DEFAULT_SUMMARIES[kind].format(ref=ref)).strip()[:500],
            signer_name=signer_name[:200], signer_title=signer_title[:200], signature_prefix=signature_prefix,
            signer_authority=signer_authority[:200], recipients=recipients, created_by=actor,
            version=supersedes.version + 1 if supersedes else 1, supersedes=supersedes,
            body={"sections": sections, "note": note or "", "attachments": attachments or ""},
        )
        # The number last (NĐ 30/2020 Điều 15: gap-free): the counter row stays locked only until the commit,
        # and a refusal above leaves no hole. Rendering needs the number, so it follows.
        document.number = take_next(DocumentCounter, issuer=issuer, year=issued_on.year)
        document.reference = Document.format_reference(document.number, document.symbol)
        _render_and_store(document, _build(document, incident, sections))
        document.save()
        record(actor=actor, action="documents.issue", target=document,
               summary=_("%(kind)s %(ref)s issued") % {"kind": document.get_kind_display(), "ref": document.reference},
               changes={"kind": kind, "reference": document.reference, "incident": ref,
                        "issued_on": str(issued_on), "signer": signer_name, "recipients": recipients,
                        "docx_sha256": document.docx_sha256, "pdf_sha256": document.pdf_sha256,
                        "supersedes": supersedes.reference if supersedes else None})
    return document


def reissue_document(*, actor, document: Document, reason: str, signer_name: str = "", signer_title: str = "",
                     recipients=None, signature_prefix: str | None = None, signer_authority: str | None = None,
                     summary: str = "", note: str | None = None, issued_on: datetime.date | None = None) -> Document:
    """Issue a new version of a document (new number, content rebuilt from the record now); the old one stays."""
    require_issue_role(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the document is re-issued.")})
    with transaction.atomic():
        old = Document.objects.select_for_update().get(pk=document.pk)
        if old.order_id:
            raise ValidationError({"document": _("An order is not re-issued: cancel it and issue a new order.")})
        if Document.objects.filter(supersedes=old).exists():
            raise ValidationError({"document": _("%(ref)s was already re-issued; re-issue its latest version.")
                                   % {"ref": old.reference}})
        new = issue_document(
            actor=actor, kind=old.kind, incident=old.incident, issuer=old.issuer, symbol=old.symbol,
            signer_name=signer_name or old.signer_name, signer_title=signer_title or old.signer_title,
            recipients=old.recipients if recipients is None else recipients,
            signature_prefix=old.signature_prefix if signature_prefix is None else signature_prefix,
            signer_authority=old.signer_authority if signer_authority is None else signer_authority,
            summary=summary or old.summary, note=old.body.get("note", "") if note is None else note,
            attachments=old.body.get("attachments", ""), issued_on=issued_on, supersedes=old)
        record(actor=actor, action="documents.reissue", target=old,
               summary=_("%(old)s re-issued as %(new)s: %(reason)s") % {
                   "old": old.reference, "new": new.reference, "reason": reason.strip()},
               changes={"superseded_by": new.reference, "reason": reason.strip()})
    return new


def issue_order_document(*, actor, order, signer_title: str, signer_name: str = "", signature_prefix: str = "",
                         signer_authority: str = "", issued_on: datetime.date | None = None) -> Document:
    """The printable coordination order (Biểu mẫu 06): the order's own number, date and content; once per order."""
    from ungcuu.coordination.models import CoordinationOrder

    require_issue_role(actor)
    signer_name = (signer_name or order.signer or "").strip()
    signer_title, signer_authority = (signer_title or "").strip(), (signer_authority or "").strip()
    signature_prefix = (signature_prefix or "").strip()
    with transaction.atomic():
        order = CoordinationOrder.objects.select_for_update(of=("self",)).select_related("incident", "issuer").get(
            pk=order.pk)
        recipients = [r.name for r in order.recipients.select_related("user", "organisation")] + ["Lưu: VT"]
        issued_on = issued_on or timezone.localdate(order.issued_at)
        errors = _validate(kind=DocumentKind.INITIAL_REPORT, incident=order.incident, signer_name=signer_name,
                           signer_title=signer_title, signature_prefix=signature_prefix,
                           signer_authority=signer_authority, recipients=recipients, issued_on=issued_on,
                           issuer=order.issuer)
        if order.is_cancelled:
            errors["order"] = _("The order was cancelled.")
        elif Document.objects.filter(order=order).exists():
            errors["order"] = _("The order's document was already issued.")
        elif order.issuer_id is None or not order.number:
            errors["order"] = _("This order was numbered before orders joined the document register: it has no "
                                "document.")
        if errors:
            raise ValidationError(errors)
        with translation.override("vi"):
            sections = content.coordination_order(order)
        document = Document(
            kind=DocumentKind.COORDINATION_ORDER, incident=order.incident, issuer=order.issuer, year=order.year,
            number=order.number, symbol=order.symbol, reference=order.reference, issued_on=issued_on, place=_place(),
            summary=content.DEFAULT_SUMMARIES[DocumentKind.COORDINATION_ORDER].format(ref=order.incident.reference),
            signer_name=signer_name[:200], signer_title=signer_title[:200], signature_prefix=signature_prefix,
            signer_authority=signer_authority[:200], recipients=recipients, created_by=actor, order=order,
            body={"sections": sections, "note": "", "attachments": ""},
        )
        _render_and_store(document, _build(document, order.incident, sections))
        document.save()
        record(actor=actor, action="documents.issue_order", target=document,
               summary=_("Coordination order %(ref)s printed") % {"ref": document.reference},
               changes={"order": order.pk, "reference": document.reference, "incident": order.incident.reference,
                        "docx_sha256": document.docx_sha256, "pdf_sha256": document.pdf_sha256})
    return document


def mark_sent(*, actor, document: Document, sent_at: datetime.datetime | None = None) -> Document:
    """The document was sent to its recipients: it enters the incident's register of reports sent, which meets
    the notification and report deadlines (TT 20 Điều 9.3) — the number, date and recipients are the document's."""
    from ungcuu.incidents import actions as incident_actions  # the register and its deadlines live there

    report_kind = content.REPORT_KINDS.get(document.kind)
    if report_kind is None or document.incident_id is None:
        raise ValidationError({"document": _("Only reports and requests about an incident enter its register.")})
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).select_related("incident").get(pk=document.pk)
        if document.sent_report_id:
            raise ValidationError({"document": _("%(ref)s is already marked sent.") % {"ref": document.reference}})
        if Document.objects.filter(supersedes=document).exists():
            raise ValidationError({"document": _("%(ref)s was re-issued: send its latest version.")
                                   % {"ref": document.reference}})
        report = incident_actions.record_report(
            actor=actor, incident=document.incident, kind=report_kind, number=document.reference,
            issued_on=document.issued_on, recipients="\n".join(document.recipients), sent_at=sent_at,
            summary=document.summary)
        document.sent_report = report
        document.save(update_fields=["sent_report"])
    return document
