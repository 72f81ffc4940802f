"""Every state change of advisories: one audited function each, called by web, API, CLI and tasks.

A warning is written as a draft by the standing office or a lead, then sent: the recipients are the chosen
organisations plus (when asked) every organisation owning a registered system whose software matches an
affected product (diacritic- and case-insensitive, whole words). Each recipient gets one answer row per
matched (or, for a chosen organisation, owned) system, a notification, and a deadline on the warning's date.
The recipient acknowledges and answers per system; when every system is answered its deadline is met.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ungcuu.accounts.models import User
from ungcuu.advisories.models import (
    ANSWERED_STATUSES,
    CVE_PATTERN,
    MANAGE_ROLES,
    RECIPIENT_ROLES,
    Advisory,
    AdvisoryStatus,
    AffectedProduct,
    Answer,
    AnswerStatus,
    Recipient,
    Severity,
)
from ungcuu.audit.actions import diff, record, snapshot
from ungcuu.deadlines import actions as deadline_actions
from ungcuu.deadlines.models import DeadlineKind
from ungcuu.lib.text import fold
from ungcuu.notifications import actions as notification_actions
from ungcuu.registry.models import InformationSystem, Organisation, Service

# Notices go out in the recipients' language, whatever the sender's (as the deadline notices do).
NOTICE_LANGUAGE = "vi"
ADVISORY_FIELDS = ["title", "description", "cve_ids", "severity", "recommended_actions", "deadline", "source",
                   "source_organisation", "match_products"]
MAX_PRODUCTS = 50
MAX_CVES = 100


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_any_role(*MANAGE_ROLES))


def may_answer(user, recipient: Recipient) -> bool:
    """The recipient organisation's system owners and reporters; the standing office and leads on its behalf."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_any_role(*MANAGE_ROLES):
        return True
    return user.organisation_id == recipient.organisation_id and user.has_any_role(*RECIPIENT_ROLES)


def _require_manager(actor) -> None:
    if actor is not None and not can_manage(actor):
        raise PermissionDenied(_("Only the standing office, the team lead or a deputy lead may write and send "
                                 "warnings."))


def _day(value: date) -> str:
    return date_format(value, "d/m/Y")


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# Input ---------------------------------------------------------------------------------------------


def clean_cve_ids(value) -> list[str]:
    """CVE identifiers from a list or from text separated by commas, spaces or new lines; upper case, each
    once, in the order given. Raises ValidationError naming the ones that are not CVE-YYYY-NNNN(+)."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value or [])
    result, bad = [], []
    for item in items:
        text = str(item).strip().upper()
        if not text:
            continue
        if not CVE_PATTERN.match(text):
            bad.append(str(item).strip())
        elif text not in result:
            result.append(text)
    if bad:
        raise ValidationError({"cve_ids": _("Not a CVE identifier (CVE-YYYY-NNNN): %(list)s.")
                               % {"list": ", ".join(bad)}})
    if len(result) > MAX_CVES:
        raise ValidationError({"cve_ids": _("At most %(n)s CVE identifiers.") % {"n": MAX_CVES}})
    return result


def parse_products(value) -> list[tuple[str, str]]:
    """(product, versions) pairs from a list of pairs/dicts or from text, one product a line, "product | versions".
    Raises ValidationError for a line without a product name."""
    if isinstance(value, str):
        rows = []
        for line in value.splitlines():
            if not line.strip():
                continue
            product, _sep, versions = line.partition("|")
            rows.append((product, versions))
    else:
        rows = [(row.get("product", ""), row.get("versions", "")) if isinstance(row, dict) else tuple(row)
                for row in value or []]
    result, errors = [], []
    for number, (product, versions) in enumerate(rows, start=1):
        product, versions = " ".join(str(product).split()), " ".join(str(versions or "").split())
        if not product:
            errors.append(_("Line %(n)s: name the product before the “|”.") % {"n": number})
        elif len(product) > 200 or len(versions) > 300:
            errors.append(_("Line %(n)s is too long (product 200, versions 300 characters).") % {"n": number})
        else:
            result.append((product, versions))
    if not errors and len(result) > MAX_PRODUCTS:
        errors.append(_("At most %(n)s products.") % {"n": MAX_PRODUCTS})
    if errors:
        raise ValidationError({"products": errors})
    return result


def _clean(fields: dict, *, organisations, products, today: date) -> tuple[dict, list, list]:
    errors: dict = {}
    cleaned = dict(fields)
    for name in ("title", "description", "recommended_actions", "source"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    if not cleaned["title"]:
        errors["title"] = _("Give the warning a title.")
    elif len(cleaned["title"]) > 300:
        errors["title"] = _("Keep the title under 300 characters.")
    if not cleaned["description"]:
        errors["description"] = _("Describe the vulnerability or threat.")
    if len(cleaned["source"]) > 300:
        errors["source"] = _("Keep the source under 300 characters.")
    if cleaned.get("severity") not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    deadline = cleaned.get("deadline")
    if not isinstance(deadline, date):
        errors["deadline"] = _("Give the date by which agencies must answer.")
    elif deadline < today:
        errors["deadline"] = _("The answer date %(day)s has passed.") % {"day": _day(deadline)}
    source_org = cleaned.get("source_organisation")
    if source_org is not None and not isinstance(source_org, Organisation):
        errors["source_organisation"] = _("Unknown organisation.")
    cleaned["match_products"] = bool(cleaned.get("match_products"))
    try:
        cleaned["cve_ids"] = clean_cve_ids(cleaned.get("cve_ids") or [])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        rows = parse_products(products)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        rows = []
    organisations = list(dict.fromkeys(organisations or []))
    if any(not isinstance(o, Organisation) for o in organisations):
        errors["organisations"] = _("Unknown organisation.")
    if cleaned["match_products"] and not rows and "products" not in errors:
        errors["products"] = _("Name at least one affected product to find the agencies that run it.")
    if not cleaned["match_products"] and not organisations and "organisations" not in errors:
        errors["organisations"] = _("Choose the organisations to warn, or send to those running the products.")
    if errors:
        raise ValidationError(errors)
    return cleaned, rows, organisations


def _store_products(advisory: Advisory, rows) -> None:
    AffectedProduct.objects.filter(advisory=advisory).delete()
    AffectedProduct.objects.bulk_create([
        AffectedProduct(advisory=advisory, product=product, versions=versions, position=i)
        for i, (product, versions) in enumerate(rows)])


def _products_text(rows) -> list[str]:
    return [f"{p} {v}".strip() for p, v in rows]


def create_advisory(*, actor, title: str, description: str, deadline: date, products=(), cve_ids=(),
                    severity: str = Severity.HIGH, recommended_actions: str = "", source: str = "",
                    source_organisation=None, organisations=(), match_products: bool = True) -> Advisory:
    """Write a warning as a draft; nothing is sent until send_advisory."""
    _require_manager(actor)
    fields, rows, organisations = _clean(
        {"title": title, "description": description, "deadline": deadline, "cve_ids": cve_ids,
         "severity": severity, "recommended_actions": recommended_actions, "source": source,
         "source_organisation": source_organisation, "match_products": match_products},
        organisations=organisations, products=products, today=timezone.localdate())
    with transaction.atomic():
        advisory = Advisory.objects.create(issued_by=actor, **fields)
        advisory.organisations.set(organisations)
        _store_products(advisory, rows)
        record(actor=actor, action="advisories.create", target=advisory,
               summary=_("Warning drafted: %(title)s") % {"title": advisory.title},
               changes={**snapshot(advisory, ADVISORY_FIELDS), "products": _products_text(rows),
                        "organisations": organisations})
    return advisory


def update_advisory(*, actor, advisory: Advisory, title: str, description: str, deadline: date, products=(),
                    cve_ids=(), severity: str = Severity.HIGH, recommended_actions: str = "", source: str = "",
                    source_organisation=None, organisations=(), match_products: bool = True) -> Advisory:
    """Change a draft warning (a sent one is fixed: what the agencies received stays as it was)."""
    _require_manager(actor)
    fields, rows, organisations = _clean(
        {"title": title, "description": description, "deadline": deadline, "cve_ids": cve_ids,
         "severity": severity, "recommended_actions": recommended_actions, "source": source,
         "source_organisation": source_organisation, "match_products": match_products},
        organisations=organisations, products=products, today=timezone.localdate())
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status != AdvisoryStatus.DRAFT:
            raise ValidationError({"__all__": _("This warning was already sent; it can no longer be changed.")})
        before = {**snapshot(advisory, ADVISORY_FIELDS),
                  "products": [str(p) for p in advisory.products.all()],
                  "organisations": sorted(advisory.organisations.values_list("pk", flat=True))}
        for name, value in fields.items():
            setattr(advisory, name, value)
        advisory.save()
        advisory.organisations.set(organisations)
        _store_products(advisory, rows)
        after = {**snapshot(advisory, ADVISORY_FIELDS), "products": _products_text(rows),
                 "organisations": sorted(o.pk for o in organisations)}
        record(actor=actor, action="advisories.update", target=advisory,
               summary=_("Warning changed: %(title)s") % {"title": advisory.title}, changes=diff(before, after))
    return advisory


# Who a warning reaches -------------------------------------------------------------------------------


def _segments(system: InformationSystem) -> list[str]:
    """The registered software of a system, as pieces of text to show what matched."""
    parts = re.split(r"[;\n\r]+", system.os_versions or "")
    parts += [system.services_other or "", system.security_measures_other or ""]
    with translation.override("en"):
        parts += [str(Service(s).label) for s in system.services or [] if s in Service.values and s != "other"]
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def _pattern(product: str) -> re.Pattern:
    # Whole words of the folded text: "SQL Server" must not match "PostgreSQL".
    return re.compile(r"(?<![0-9a-z])" + re.escape(fold(product)) + r"(?![0-9a-z])")


def match_system(system: InformationSystem, products) -> str:
    """What of the system's software matches the products ("PostgreSQL ← PostgreSQL 14"), or "" when nothing."""
    patterns = [(product, _pattern(product)) for product in dict.fromkeys(products) if fold(product)]
    found = []
    for segment in _segments(system):
        folded = fold(segment)
        for product, pattern in patterns:
            if pattern.search(folded):
                found.append(f"{product} ← {segment}")
    return "; ".join(dict.fromkeys(found))[:500]


@dataclass
class Planned:
    """One organisation a warning would reach, and its systems with what matched (empty for owned-only)."""

    organisation: Organisation
    chosen: bool = False
    matched: bool = False
    systems: list = field(default_factory=list)  # [(system, matched_on)]


def plan_recipients(advisory: Advisory) -> list[Planned]:
    """Who the warning reaches if sent now: the chosen organisations with every system they own, plus (when
    match_products) each owner of a registered system matching a product, with those systems."""
    products = [p.product for p in advisory.products.all()]
    chosen = list(advisory.organisations.all())
    chosen_ids = {o.pk for o in chosen}
    plans: dict[int, Planned] = {o.pk: Planned(organisation=o, chosen=True) for o in chosen}
    systems = InformationSystem.objects.filter(is_active=True).select_related("owner").only(
        "name", "owner", "os_versions", "services", "services_other", "security_measures_other").order_by("name", "pk")
    if not advisory.match_products:
        systems = systems.filter(owner_id__in=chosen_ids)
    for system in systems:
        matched_on = match_system(system, products) if advisory.match_products else ""
        if not matched_on and system.owner_id not in chosen_ids:
            continue
        plan = plans.setdefault(system.owner_id, Planned(organisation=system.owner))
        plan.matched = plan.matched or bool(matched_on)
        plan.systems.append((system, matched_on))
    return sorted(plans.values(), key=lambda p: (p.organisation.name, p.organisation.pk))


def _recipient_users(organisation_ids) -> dict[int, list]:
    users: dict[int, list] = {}
    rows = User.objects.filter(is_active=True, organisation_id__in=organisation_ids,
                               role_assignments__role__in=RECIPIENT_ROLES).distinct().order_by("pk")
    for user in rows:
        users.setdefault(user.organisation_id, []).append(user)
    return users


def _notice(advisory: Advisory, recipient: Recipient, products: list[str], reminder: bool = False) -> tuple[str, str]:
    with translation.override(NOTICE_LANGUAGE):
        values = {"title": advisory.title, "day": _day(advisory.deadline)}
        subject = (_("Reminder: answer the warning “%(title)s” by %(day)s") if reminder
                   else _("Warning: %(title)s (answer by %(day)s)")) % values
        lines = [subject, "", _("Severity: %(s)s") % {"s": advisory.get_severity_display()}]
        if advisory.cve_ids:
            lines.append(_("CVE: %(list)s") % {"list": ", ".join(advisory.cve_ids)})
        if products:
            lines.append(_("Affected products: %(list)s") % {"list": "; ".join(products)})
        if advisory.source:
            lines.append(_("Source: %(source)s") % {"source": advisory.source})
        lines += ["", advisory.description]
        if advisory.recommended_actions:
            lines += ["", _("Recommended actions:"), advisory.recommended_actions]
        lines += ["", _("Acknowledge and answer for each of your systems by %(day)s: %(url)s") % {
            "day": values["day"], "url": _link(reverse("advisories:recipient", args=[recipient.pk]))}]
    return subject[:300], "\n".join(lines)


def _notify(advisory: Advisory, recipient: Recipient, users, key: str, actor, products: list[str],
            reminder: bool = False) -> int:
    subject, body = _notice(advisory, recipient, products, reminder)
    email = recipient.organisation.email
    created = notification_actions.notify(
        event="advisories.remind" if reminder else "advisories.sent", subject=subject, body=body, users=users,
        emails=[email] if email else [], key=key, actor=actor)
    return len(created)


def send_advisory(*, actor, advisory: Advisory) -> list[Recipient]:
    """Send a draft: one recipient row per organisation reached, one answer row per system, a notice to each
    organisation's people and a deadline per recipient on the warning's date."""
    _require_manager(actor)
    now = timezone.now()
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status != AdvisoryStatus.DRAFT:
            raise ValidationError({"__all__": _("This warning was already sent.")})
        if advisory.deadline < timezone.localdate(now):
            raise ValidationError({"deadline": _("The answer date %(day)s has passed; change it before sending.")
                                   % {"day": _day(advisory.deadline)}})
        plans = plan_recipients(advisory)
        if not plans:
            raise ValidationError({"__all__": _("No registered system runs the affected products and no "
                                                "organisation is chosen: nobody would receive this warning.")})
        recipients = Recipient.objects.bulk_create([
            Recipient(advisory=advisory, organisation=p.organisation, chosen=p.chosen, matched=p.matched, sent_at=now)
            for p in plans])
        if any(r.pk is None for r in recipients):  # databases without RETURNING ids
            recipients = list(Recipient.objects.filter(advisory=advisory).order_by("organisation__name", "pk"))
        by_org = {r.organisation_id: r for r in recipients}
        Answer.objects.bulk_create([
            Answer(recipient=by_org[p.organisation.pk], advisory=advisory, system=system, matched_on=matched_on)
            for p in plans for system, matched_on in p.systems])
        advisory.status = AdvisoryStatus.SENT
        advisory.sent_at = now
        advisory.save(update_fields=["status", "sent_at", "updated_at"])
        users = _recipient_users(list(by_org))
        products = [str(p) for p in advisory.products.all()]
        for plan in plans:
            recipient = by_org[plan.organisation.pk]
            recipient.organisation = plan.organisation
            deadline_actions.start_deadline(
                kind=DeadlineKind.ADVISORY_ANSWER, start=now, due=advisory.due_at, subject=recipient,
                organisation=plan.organisation, actor=actor, note=advisory.title[:200])
            _notify(advisory, recipient, users.get(plan.organisation.pk, []),
                    f"advisory:{advisory.pk}:sent:{plan.organisation.pk}", actor, products)
        record(actor=actor, action="advisories.send", target=advisory,
               summary=_("Warning sent to %(n)s organisations: %(title)s") % {"n": len(plans), "title": advisory.title},
               changes={"status": [AdvisoryStatus.DRAFT, AdvisoryStatus.SENT], "sent_at": now,
                        "recipients": [{"organisation": p.organisation, "chosen": p.chosen,
                                        "systems": [{"system": s, "matched_on": m} for s, m in p.systems]}
                                       for p in plans]})
    return recipients


def close_advisory(*, actor, advisory: Advisory, reason: str = "") -> Advisory:
    """Close a sent warning: no more answers; the recipients' open deadlines are cancelled."""
    _require_manager(actor)
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status != AdvisoryStatus.SENT:
            raise ValidationError({"__all__": _("Only a sent warning can be closed.")})
        advisory.status = AdvisoryStatus.CLOSED
        advisory.closed_at = timezone.now()
        advisory.save(update_fields=["status", "closed_at", "updated_at"])
        for recipient in Recipient.objects.filter(advisory=advisory, completed_at__isnull=True):
            deadline_actions.cancel_deadline(kind=DeadlineKind.ADVISORY_ANSWER, subject=recipient, actor=actor,
                                             reason=_("Warning closed"))
        record(actor=actor, action="advisories.close", target=advisory,
               summary=_("Warning closed: %(title)s") % {"title": advisory.title},
               changes={"status": [AdvisoryStatus.SENT, AdvisoryStatus.CLOSED], "reason": reason.strip()[:300]})
    return advisory


# The recipient's side ------------------------------------------------------------------------------


def _require_answerable(actor, recipient: Recipient) -> None:
    if not may_answer(actor, recipient):
        raise PermissionDenied(_("Only the people of %(org)s answer this warning for it.")
                               % {"org": recipient.organisation.name})
    if recipient.advisory.status != AdvisoryStatus.SENT:
        raise ValidationError({"__all__": _("This warning is closed; it takes no more answers.")})


def _locked_recipient(recipient: Recipient) -> Recipient:
    return (Recipient.objects.select_for_update(of=("self",)).select_related("advisory", "organisation")
            .get(pk=recipient.pk))


def _complete_if_answered(actor, recipient: Recipient, now) -> bool:
    """Mark the recipient complete (and meet its deadline) once acknowledged and every system answered."""
    if recipient.completed_at is not None or recipient.acknowledged_at is None:
        return False
    if recipient.answers.exclude(status__in=ANSWERED_STATUSES).exists():
        return False
    recipient.completed_at = now
    recipient.save(update_fields=["completed_at"])
    # The deadline engine lets only the team act on deadlines without an incident: the system meets it.
    deadline_actions.meet_deadline(kind=DeadlineKind.ADVISORY_ANSWER, subject=recipient, at=now, actor=None)
    return True


def acknowledge_advisory(*, actor, recipient: Recipient) -> Recipient:
    """The recipient organisation confirms it received the warning (its deadline runs until every system is
    answered; a recipient without systems is complete at once)."""
    if actor is None:
        raise PermissionDenied(_("Sign in to acknowledge a warning."))
    recipient = Recipient.objects.select_related("advisory", "organisation").get(pk=recipient.pk)
    _require_answerable(actor, recipient)
    now = timezone.now()
    with transaction.atomic():
        recipient = _locked_recipient(recipient)
        _require_answerable(actor, recipient)  # again under the lock: the warning may have closed meanwhile
        if recipient.acknowledged_at is not None:
            raise ValidationError({"__all__": _("%(org)s acknowledged this warning on %(when)s.") % {
                "org": recipient.organisation.name,
                "when": date_format(timezone.localtime(recipient.acknowledged_at), "d/m/Y H:i")}})
        recipient.acknowledged_at = now
        recipient.acknowledged_by = actor
        recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
        completed = _complete_if_answered(actor, recipient, now)
        record(actor=actor, action="advisories.acknowledge", target=recipient,
               summary=_("%(org)s acknowledged the warning “%(title)s”") % {
                   "org": recipient.organisation.name, "title": recipient.advisory.title},
               changes={"acknowledged_at": [None, now], "completed": completed})
    return recipient


def answer_advisory(*, actor, answer: Answer, status: str, note: str = "") -> Answer:
    """The recipient's answer for one system: not affected, fixed, mitigated, or cannot fix (with the reason).
    Answering acknowledges the warning if not done yet; a later answer replaces it (the audit log keeps each)."""
    if actor is None:
        raise PermissionDenied(_("Sign in to answer a warning."))
    answer = Answer.objects.select_related("recipient__advisory", "recipient__organisation", "system").get(pk=answer.pk)
    _require_answerable(actor, answer.recipient)
    note = (note or "").strip()
    if status not in ANSWERED_STATUSES:
        raise ValidationError({"status": _("Choose: not affected, fixed, mitigated or cannot fix.")})
    if status == AnswerStatus.CANNOT_FIX and not note:
        raise ValidationError({"note": _("Say why the system cannot be fixed, and what is done meanwhile.")})
    if len(note) > 2000:
        raise ValidationError({"note": _("Keep the note under 2000 characters.")})
    now = timezone.now()
    with transaction.atomic():
        recipient = _locked_recipient(answer.recipient)
        _require_answerable(actor, recipient)  # again under the lock: the warning may have closed meanwhile
        answer = Answer.objects.select_for_update(of=("self",)).select_related("system").get(pk=answer.pk)
        before = snapshot(answer, ["status", "note"])
        if before == {"status": status, "note": note}:
            return answer
        answer.status, answer.note, answer.answered_at, answer.answered_by = status, note, now, actor
        answer.save(update_fields=["status", "note", "answered_at", "answered_by"])
        acknowledged = recipient.acknowledged_at is None
        if acknowledged:
            recipient.acknowledged_at, recipient.acknowledged_by = now, actor
            recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
        completed = _complete_if_answered(actor, recipient, now)
        record(actor=actor, action="advisories.answer", target=answer,
               summary=_("%(org)s answered for %(system)s: %(status)s") % {
                   "org": recipient.organisation.name, "system": answer.system.name,
                   "status": answer.get_status_display()},
               changes={**diff(before, snapshot(answer, ["status", "note"])), "advisory": recipient.advisory,
                        "acknowledged": acknowledged, "completed": completed})
        answer.recipient = recipient
    return answer


# Reminders -------------------------------------------------------------------------------------------


def remind_non_responders(*, actor, advisory: Advisory) -> list[Recipient]:
    """One notice to each recipient that has not acknowledged or not answered every system; a recipient reminded
    today is skipped (pressing twice the same day sends nothing new). Returns the recipients reminded."""
    _require_manager(actor)
    today = timezone.localdate()
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
        if advisory.status != AdvisoryStatus.SENT:
            raise ValidationError({"__all__": _("Only a sent, open warning has recipients to remind.")})
        due = list(Recipient.objects.filter(advisory=advisory).not_responded()
                   .exclude(last_reminded_on=today).select_related("organisation").order_by("organisation__name"))
        if not due:
            return []
        users = _recipient_users([r.organisation_id for r in due])
        deliveries = 0
        products = [str(p) for p in advisory.products.all()]
        for recipient in due:
            deliveries += _notify(advisory, recipient, users.get(recipient.organisation_id, []),
                                  f"advisory:{advisory.pk}:remind:{recipient.organisation_id}:{today.isoformat()}",
                                  actor, products, reminder=True)
            recipient.last_reminded_on = today
            recipient.reminder_count += 1
            recipient.save(update_fields=["last_reminded_on", "reminder_count"])
        record(actor=actor, action="advisories.remind", target=advisory,
               summary=_("Reminder sent to %(n)s organisations that have not answered") % {"n": len(due)},
               changes={"recipients": [r.organisation for r in due], "deliveries": deliveries, "on": today})
    return due
