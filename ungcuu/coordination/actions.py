"""Every change of team coordination: one audited, atomic function each (SPEC §6).

Dispatch needs the team lead, or a deputy lead inside a written, unrevoked delegation (seed 001 Điều 16.1);
`can_dispatch` says why not. Dispatches and orders start acknowledgement deadlines in the deadlines app and
acknowledgements meet them (TT 20/2017 Điều 10: receivers confirm "ngay").
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ungcuu.audit.actions import record
from ungcuu.coordination.models import (
    CLOSED_INCIDENT_STATES,
    ORDER_ROLES,
    TEAM_ROLES,
    WRITTEN_CHANNELS,
    AcknowledgementVia,
    AddresseeKind,
    CoordinationOrder,
    Delegation,
    OrderChannel,
    OrderRecipient,
    Release,
    Request,
    RequestKind,
    RequestStatus,
)
from ungcuu.deadlines import actions as deadline_actions
from ungcuu.incidents.models import Incident, Responder
from ungcuu.lib.sequence import take_next
from ungcuu.notifications import actions as notification_actions

DEFAULT_ORDER_SYMBOL = "LĐP-ĐƯCSC"


def _day(value: date) -> str:
    return date_format(value, "d/m/Y")


def _local_date(at: datetime | None) -> date:
    return timezone.localdate(at) if at is not None else timezone.localdate()


# Delegation and the right to dispatch --------------------------------------------------------------


@dataclass(frozen=True)
class DispatchRight:
    """Whether a person may dispatch at a moment, and why (or why not). True/False in a condition."""

    allowed: bool
    reason: str
    delegation: Delegation | None = None

    def __bool__(self) -> bool:
        return self.allowed


def can_dispatch(user, at: datetime | None = None) -> DispatchRight:
    """The team lead always; a deputy lead only on a day inside an unrevoked delegation (inclusive dates,
    Asia/Ho_Chi_Minh)."""
    if user is None or not user.is_authenticated:
        return DispatchRight(False, _("Sign in to dispatch members."))
    if user.has_any_role("team_lead"):
        return DispatchRight(True, _("Team lead."))
    if not user.has_any_role("deputy_lead"):
        return DispatchRight(False, _("Only the team lead, or a deputy lead holding the team lead's written "
                                      "delegation, may dispatch members."))
    day = _local_date(at)
    delegations = list(Delegation.objects.filter(delegate=user).order_by("-ends_on", "-id")[:20])
    for delegation in delegations:
        if delegation.covers(day) and not delegation.is_revoked:
            return DispatchRight(True, _("Delegation %(ref)s, valid until %(end)s.") % {
                "ref": delegation.reference, "end": _day(delegation.ends_on)}, delegation)
    covering = [d for d in delegations if d.covers(day)]
    if covering:
        revoked = covering[0]
        return DispatchRight(False, _("Your delegation %(ref)s was revoked on %(date)s.") % {
            "ref": revoked.reference, "date": _day(timezone.localdate(revoked.revoked_at))}, revoked)
    past = [d for d in delegations if d.ends_on < day]
    future = [d for d in delegations if d.starts_on > day and not d.is_revoked]
    if future:
        first = min(future, key=lambda d: d.starts_on)
        return DispatchRight(False, _("Your delegation %(ref)s only starts on %(date)s.") % {
            "ref": first.reference, "date": _day(first.starts_on)}, first)
    if past:
        return DispatchRight(False, _("Your delegation %(ref)s ended on %(date)s.") % {
            "ref": past[0].reference, "date": _day(past[0].ends_on)}, past[0])
    return DispatchRight(False, _("You hold no written delegation from the team lead to dispatch members."))


def require_dispatch(user, at: datetime | None = None) -> DispatchRight:
    right = can_dispatch(user, at)
    if not right:
        raise PermissionDenied(right.reason)
    return right


def grant_delegation(*, actor, delegate, reference: str, starts_on: date, ends_on: date, scope: str = "") -> Delegation:
    """The team lead authorises a deputy lead, in writing and for a period, to dispatch members."""
    if actor is not None and not actor.has_any_role("team_lead"):
        raise PermissionDenied(_("Only the team lead may delegate the dispatch of members."))
    errors = {}
    if delegate is None or not delegate.has_any_role("deputy_lead"):
        errors["delegate"] = _("%(name)s is not a deputy lead.") % {"name": delegate or "?"}
    if not (reference or "").strip():
        errors["reference"] = _("Give the number and symbol of the written authorisation.")
    if starts_on is None:
        errors["starts_on"] = _("Give the first day of the delegation.")
    if ends_on is None:
        errors["ends_on"] = _("Give the last day of the delegation.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first day.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation = Delegation.objects.create(delegate=delegate, reference=reference.strip()[:100],
                                               starts_on=starts_on, ends_on=ends_on, scope=scope.strip(),
                                               created_by=actor)
        record(actor=actor, action="coordination.grant_delegation", target=delegation,
               summary=_("Delegation %(ref)s to %(name)s, %(start)s–%(end)s") % {
                   "ref": delegation.reference, "name": delegate.get_full_name(), "start": _day(starts_on),
                   "end": _day(ends_on)},
               changes={"delegate": delegate.pk, "starts_on": starts_on, "ends_on": ends_on, "scope": scope})
    return delegation


def revoke_delegation(*, actor, delegation: Delegation, reason: str = "") -> Delegation:
    """End a delegation before its last day."""
    if actor is not None and not actor.has_any_role("team_lead"):
        raise PermissionDenied(_("Only the team lead may revoke a delegation."))
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.is_revoked:
            raise ValidationError({"__all__": _("This delegation was already revoked.")})
        delegation.revoked_at = timezone.now()
        delegation.revoked_by = actor
        delegation.revoke_reason = reason.strip()[:300]
        delegation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(actor=actor, action="coordination.revoke_delegation", target=delegation,
               summary=_("Delegation %(ref)s revoked") % {"ref": delegation.reference},
               changes={"revoked_at": delegation.revoked_at, "reason": delegation.revoke_reason})
    return delegation


# Dispatch ------------------------------------------------------------------------------------------


def _deadline_actor(actor, incident):
    """Who meets or starts a deadline: the actor, or the system when the actor cannot see the incident (a member
    addressed by an order on an incident they are not dispatched to). Their own action is audited either way."""
    if actor is None or Incident.objects.visible_to(actor).filter(pk=incident.pk).exists():
        return actor
    return None


def _cancel_deadline(*, kind: str, incident, subject, actor, reason: str) -> None:
    deadline_actions.cancel_deadline(kind=kind, incident=incident, subject=subject,
                                     actor=_deadline_actor(actor, incident), reason=reason)


def _link(path: str) -> str:
    """An absolute link for a message read outside the site (e-mail, webhook)."""
    return f"{settings.SITE_URL}{path}"


def _notify_dispatch(responder: Responder, actor) -> None:
    incident = responder.incident
    notification_actions.notify(
        event="dispatch", users=[responder.user], incident=incident, actor=actor,
        key=f"dispatch:{responder.pk}:{responder.dispatched_at:%Y%m%d%H%M%S%f}",
        subject=_("[%(ref)s] You are dispatched to incident %(ref)s") % {"ref": incident.reference},
        body=_("You are dispatched to incident %(ref)s (%(title)s) as %(role)s by %(by)s.\n"
               "Acknowledge on the incident page: %(url)s") % {
            "ref": incident.reference, "title": incident.title, "role": responder.role or "-",
            "url": _link(reverse("incidents:detail", args=[incident.reference])),
            "by": actor.get_full_name() if actor is not None else "ungcuu"})


def _notify_order(order: CoordinationOrder, recipients: list, actor) -> None:
    incident = order.incident
    subject = _("[%(ref)s] Coordination order %(order)s") % {"ref": incident.reference, "order": order.reference}
    body = _("%(content)s\n\nTo be done by: %(due)s\nContact point: %(contact)s\nSigned by: %(signer)s\n"
             "Please acknowledge receipt at once.") % {
        "content": order.content, "due": date_format(timezone.localtime(order.due_at), "d/m/Y H:i"),
        "contact": order.contact_point, "signer": order.signer}
    users = [r.user for r in recipients if r.user_id]
    emails = [r.email for r in recipients if r.organisation_id and r.email]
    key = f"order:{order.pk}"
    if users:
        # Team members acknowledge on the order's page; organisations have no account to open it with.
        link = _link(reverse("coordination:order", args=[order.pk]))
        notification_actions.notify(
            event="coordination_order", users=users, incident=incident, actor=actor, key=key, subject=subject,
            body=body + "\n" + _("Acknowledge on the order's page: %(url)s") % {"url": link})
    if emails or not users:
        notification_actions.notify(event="coordination_order", emails=emails, incident=incident, actor=actor,
                                    key=key, subject=subject, body=body)


def _require_open_incident(incident: Incident) -> None:
    if incident.status in CLOSED_INCIDENT_STATES:
        raise ValidationError({"__all__": _("The incident %(ref)s is %(status)s; nobody can be dispatched to it.")
                               % {"ref": incident.reference, "status": incident.get_status_display()}})


def dispatch_member(*, actor, incident: Incident, user, role: str = "", note: str = "") -> Responder:
    """Put a team member on an incident (gives them access), start their acknowledgement deadline, tell them."""
    now = timezone.now()
    if actor is not None:
        require_dispatch(actor, now)
    if user is None or not user.is_active or not user.has_any_role(*TEAM_ROLES):
        raise ValidationError({"user": _("%(name)s is not on the response team.") % {"name": user or "?"}})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_open_incident(incident)
        responder = Responder.objects.filter(incident=incident, user=user).select_related("release").first()
        again = False
        if responder is not None:
            release = getattr(responder, "release", None)
            if release is None:
                raise ValidationError({"user": _("%(name)s is already dispatched to this incident.")
                                       % {"name": user.get_full_name()}})
            # Released earlier and called back: the same row starts over (the audit log keeps the first round).
            release.delete()
            Responder.objects.filter(pk=responder.pk).update(role=role[:100], dispatched_by=actor, dispatched_at=now,
                                                             acknowledged_at=None)
            responder.refresh_from_db()
            again = True
        else:
            responder = Responder.objects.create(incident=incident, user=user, role=role[:100], dispatched_by=actor)
        responder.incident = incident
        deadline_actions.start_deadline(kind="acknowledge_dispatch", start=responder.dispatched_at,
                                        incident=incident, subject=responder, responsible=user, actor=actor)
        record(actor=actor, action="coordination.dispatch", target=incident,
               summary=(_("%(name)s dispatched again") if again else _("%(name)s dispatched")) % {
                   "name": user.get_full_name()},
               changes={"user": user.pk, "role": role, "note": note, "responder": responder.pk})
        _notify_dispatch(responder, actor)
    return responder


def acknowledge_dispatch(*, actor, responder: Responder) -> Responder:
    """The dispatched member confirms they received the dispatch; this meets their deadline."""
    if actor is None or actor.pk != responder.user_id:
        raise PermissionDenied(_("Only the dispatched member can acknowledge their dispatch."))
    with transaction.atomic():
        responder = Responder.objects.select_for_update().select_related("incident").get(pk=responder.pk)
        if responder.acknowledged_at is not None:
            raise ValidationError({"__all__": _("You acknowledged this dispatch on %(when)s.") % {
                "when": date_format(timezone.localtime(responder.acknowledged_at), "d/m/Y H:i")}})
        if Release.objects.filter(responder=responder).exists():
            raise ValidationError({"__all__": _("You were released from this incident.")})
        responder.acknowledged_at = timezone.now()
        responder.save(update_fields=["acknowledged_at"])
        deadline_actions.meet_deadline(kind="acknowledge_dispatch", incident=responder.incident,
                                       subject=responder, at=responder.acknowledged_at, actor=actor)
        record(actor=actor, action="coordination.acknowledge_dispatch", target=responder.incident,
               summary=_("%(name)s acknowledged the dispatch") % {"name": actor.get_full_name()},
               changes={"responder": responder.pk, "acknowledged_at": responder.acknowledged_at})
    return responder


def release_member(*, actor, responder: Responder, note: str = "") -> Release:
    """End a member's work on the incident. They keep read access to what they worked on."""
    if actor is not None:
        require_dispatch(actor)
    with transaction.atomic():
        responder = Responder.objects.select_for_update().select_related("incident", "user").get(pk=responder.pk)
        if Release.objects.filter(responder=responder).exists():
            raise ValidationError({"__all__": _("%(name)s was already released.") % {
                "name": responder.user.get_full_name()}})
        release = Release.objects.create(responder=responder, released_at=timezone.now(), released_by=actor,
                                         note=note.strip()[:300])
        # Released before acknowledging: nothing is owed any more (a met deadline stays met).
        _cancel_deadline(kind="acknowledge_dispatch", incident=responder.incident, subject=responder, actor=actor,
                         reason=_("%(name)s released") % {"name": responder.user.get_full_name()})
        record(actor=actor, action="coordination.release", target=responder.incident,
               summary=_("%(name)s released") % {"name": responder.user.get_full_name()},
               changes={"responder": responder.pk, "note": release.note})
    return release


# Coordination orders (Biểu mẫu 06) -----------------------------------------------------------------


def require_order_role(actor) -> None:
    if actor is not None and not actor.has_any_role(*ORDER_ROLES):
        raise PermissionDenied(_("Only the standing office, the team lead or a deputy lead may issue coordination "
                                 "orders and requests."))


def _take_order_number(issuer, year: int) -> int:
    """The issuer's next document number of the year, unique and without gaps (locked until the commit): orders
    share the sequence of the issuer's other official documents (NĐ 30/2020 Điều 15)."""
    from ungcuu.documents.models import DocumentCounter

    return take_next(DocumentCounter, issuer=issuer, year=year)


def _recipient_rows(users, organisations, channel: str = "") -> tuple[list[OrderRecipient], dict]:
    """Recipients from team accounts and (organisation, e-mail) pairs; the e-mail defaults to the registry's and
    is required only for an order sent by e-mail (a phone or fax order needs none)."""
    rows, errors = [], {}
    seen_users, seen_orgs = set(), set()
    for user in users:
        if user is None or not user.is_active or not user.has_any_role(*TEAM_ROLES):
            errors.setdefault("users", []).append(_("%(name)s is not on the response team.") % {"name": user or "?"})
        elif user.pk not in seen_users:
            seen_users.add(user.pk)
            rows.append(OrderRecipient(user=user, email=user.email))
    for organisation, email in organisations:
        email = (email or organisation.email or "").strip()
        if email or channel == OrderChannel.EMAIL:
            try:
                validate_email(email)
            except ValidationError:
                message = (_("Give a valid contact e-mail for %(name)s.") if email else
                           _("Give a contact e-mail for %(name)s: the order is sent by e-mail."))
                errors.setdefault("organisations", []).append(message % {"name": organisation.name})
                continue
        if organisation.pk not in seen_orgs:
            seen_orgs.add(organisation.pk)
            rows.append(OrderRecipient(organisation=organisation, email=email))
    if not rows and not errors:
        errors["users"] = [_("Address the order to at least one team member or organisation.")]
    return rows, errors


def refusal_to_coordinate(incident: Incident) -> str:
    """Why no order or request can be made on this incident any more ("" when it can)."""
    if incident.status in CLOSED_INCIDENT_STATES or incident.step == "closed":
        return _("The incident %(ref)s is %(status)s: no coordination order or request can be made on it.") % {
            "ref": incident.reference, "status": incident.get_status_display().lower()}
    return ""


def _require_coordination_open(incident: Incident) -> None:
    refusal = refusal_to_coordinate(incident)
    if refusal:
        raise ValidationError({"__all__": refusal})


def issue_order(*, actor, incident: Incident, content: str, due_at: datetime, contact_point: str, signer: str,
                channel: str, users=(), organisations=(), urgent: bool = False, result_report_required: bool = True,
                issued_at: datetime | None = None, symbol: str = DEFAULT_ORDER_SYMBOL) -> CoordinationOrder:
    """Issue a coordination order to team members and/or organisations (`organisations`: (organisation,
    contact e-mail or "") pairs). Each recipient gets an acknowledgement deadline and the order's due date;
    an order not sent as a written document also gets a deadline for its written follow-up."""
    require_order_role(actor)
    issued_at = issued_at or timezone.now()
    errors = {}
    if not (content or "").strip():
        errors["content"] = _("Say what is required.")
    if due_at is None:
        errors["due_at"] = _("Give the date by which it must be done.")
    elif due_at <= issued_at:
        errors["due_at"] = _("The due date must be after the order is issued.")
    if not (contact_point or "").strip():
        errors["contact_point"] = _("Name the contact point (person, phone, e-mail).")
    if not (signer or "").strip():
        errors["signer"] = _("Name the person who signs the order.")
    if channel not in OrderChannel.values:
        errors["channel"] = _("Choose how the order is sent.")
    if not (symbol or "").strip():
        errors["symbol"] = _("Give the order's symbol.")
    from ungcuu.documents.actions import default_issuer

    issuer = default_issuer(actor)
    if issuer is None:
        errors["__all__"] = _("Set the standing office in the settings: orders are numbered in its register.")
    rows, recipient_errors = _recipient_rows(list(users), list(organisations), channel)
    errors.update(recipient_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.get(pk=incident.pk)
        _require_coordination_open(incident)
        year = timezone.localtime(issued_at).year
        order = CoordinationOrder.objects.create(
            issuer=issuer, year=year, number=0, symbol=symbol.strip()[:50], incident=incident, issued_at=issued_at,
            issued_by=actor,
            content=content.strip(), due_at=due_at, contact_point=contact_point.strip()[:300],
            result_report_required=result_report_required, signer=signer.strip()[:200], channel=channel,
            urgent=urgent, written_required=channel not in WRITTEN_CHANNELS)
        for row in rows:
            row.order = order
        OrderRecipient.objects.bulk_create(rows)
        recipients = list(order.recipients.select_related("user", "organisation"))
        for recipient in recipients:
            deadline_actions.start_deadline(kind="acknowledge_order", start=issued_at, incident=incident,
                                            subject=recipient, responsible=recipient.user,
                                            organisation=recipient.organisation, actor=actor)
            deadline_actions.start_deadline(kind="order_due", start=issued_at, due=due_at, incident=incident,
                                            subject=recipient, responsible=recipient.user,
                                            organisation=recipient.organisation, actor=actor)
        if order.written_required:
            deadline_actions.start_deadline(kind="written_follow_up", start=issued_at, incident=incident,
                                            subject=order, responsible=actor, actor=actor)
        # Numbered last: concurrent orders wait on the year's counter only for these few statements.
        order.number = _take_order_number(issuer, year)
        CoordinationOrder.objects.filter(pk=order.pk).update(number=order.number)
        _notify_order(order, recipients, actor)
        record(actor=actor, action="coordination.issue_order", target=order,
               summary=_("Coordination order %(ref)s issued on %(incident)s (%(channel)s%(urgent)s)") % {
                   "ref": order.reference, "incident": incident.reference, "channel": order.get_channel_display(),
                   "urgent": ", " + _("urgent") if urgent else ""},
               changes={"incident": incident.reference, "recipients": [r.name for r in recipients],
                        "due_at": due_at, "channel": channel, "urgent": urgent,
                        "written_required": order.written_required})
    return order


def acknowledge_order(*, actor, recipient: OrderRecipient, via: str = AcknowledgementVia.SYSTEM,
                      note: str = "", at: datetime | None = None) -> OrderRecipient:
    """A recipient acknowledges the order. A team member does it themselves in the system; an organisation's
    acknowledgement, received by phone, e-mail or in writing, is recorded by the standing office with how."""
    with transaction.atomic():
        recipient = OrderRecipient.objects.select_for_update(of=("self",)).select_related(
            "order__incident", "user", "organisation").get(pk=recipient.pk)
        order = recipient.order
        if recipient.user_id is not None:
            if actor is None or actor.pk != recipient.user_id:
                raise PermissionDenied(_("Only %(name)s can acknowledge their own order.") % {"name": recipient.name})
            via = AcknowledgementVia.SYSTEM
        else:
            require_order_role(actor)
            if via not in AcknowledgementVia.values or via == AcknowledgementVia.SYSTEM:
                raise ValidationError({"via": _("Say how %(name)s acknowledged (phone, e-mail, document…).")
                                       % {"name": recipient.name}})
            if not note.strip():
                raise ValidationError({"note": _("Say who acknowledged for %(name)s and when.")
                                       % {"name": recipient.name}})
        if order.is_cancelled:
            raise ValidationError({"__all__": _("The order %(ref)s was cancelled.") % {"ref": order.reference}})
        if recipient.acknowledged_at is not None:
            raise ValidationError({"__all__": _("%(name)s already acknowledged this order.") % {
                "name": recipient.name}})
        now = timezone.now()
        recipient.acknowledged_at = min(at, now) if at is not None else now
        recipient.acknowledged_by = actor
        recipient.acknowledged_via = via
        recipient.acknowledgement_note = note.strip()[:300]
        recipient.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_via",
                                      "acknowledgement_note"])
        deadline_actions.meet_deadline(kind="acknowledge_order", incident=order.incident, subject=recipient,
                                       at=recipient.acknowledged_at, actor=_deadline_actor(actor, order.incident))
        record(actor=actor, action="coordination.acknowledge_order", target=order,
               summary=_("%(name)s acknowledged order %(ref)s (%(via)s)") % {
                   "name": recipient.name, "ref": order.reference, "via": recipient.get_acknowledged_via_display()},
               changes={"recipient": recipient.pk, "via": via, "note": recipient.acknowledgement_note})
    return recipient


def record_order_result(*, actor, recipient: OrderRecipient, text: str, at: datetime | None = None) -> OrderRecipient:
    """The recipient's report on what they did; meets the order's due date for that recipient."""
    with transaction.atomic():
        recipient = OrderRecipient.objects.select_for_update(of=("self",)).select_related(
            "order__incident", "user", "organisation").get(pk=recipient.pk)
        order = recipient.order
        own = actor is not None and recipient.user_id == actor.pk
        if not own:
            require_order_role(actor)
        if not text.strip():
            raise ValidationError({"text": _("Describe the result.")})
        if order.is_cancelled:
            raise ValidationError({"__all__": _("The order %(ref)s was cancelled.") % {"ref": order.reference}})
        if recipient.result_reported_at is not None:
            raise ValidationError({"__all__": _("The result of %(name)s is already recorded.") % {
                "name": recipient.name}})
        now = timezone.now()
        recipient.result_reported_at = min(at, now) if at is not None else now
        recipient.result_text = text.strip()
        fields = ["result_reported_at", "result_text"]
        if recipient.acknowledged_at is None:
            # A result is proof of receipt.
            recipient.acknowledged_at = recipient.result_reported_at
            recipient.acknowledged_by = actor
            recipient.acknowledged_via = AcknowledgementVia.SYSTEM if own else AcknowledgementVia.DOCUMENT
            recipient.acknowledgement_note = _("With the result.")
            fields += ["acknowledged_at", "acknowledged_by", "acknowledged_via", "acknowledgement_note"]
            deadline_actions.meet_deadline(kind="acknowledge_order", incident=order.incident, subject=recipient,
                                           at=recipient.acknowledged_at, actor=_deadline_actor(actor, order.incident))
        recipient.save(update_fields=fields)
        deadline_actions.meet_deadline(kind="order_due", incident=order.incident, subject=recipient,
                                       at=recipient.result_reported_at, actor=_deadline_actor(actor, order.incident))
        record(actor=actor, action="coordination.order_result", target=order,
               summary=_("Result of %(name)s on order %(ref)s recorded") % {
                   "name": recipient.name, "ref": order.reference},
               changes={"recipient": recipient.pk, "result": recipient.result_text})
    return recipient


def record_written_follow_up(*, actor, order: CoordinationOrder, reference: str,
                             sent_at: datetime) -> CoordinationOrder:
    """The written order that follows an urgent phone/e-mail one was sent (seed 001 Điều 16.1)."""
    require_order_role(actor)
    errors = {}
    if not (reference or "").strip():
        errors["reference"] = _("Give the number and symbol of the written order.")
    if sent_at is None:
        errors["sent_at"] = _("Give when the written order was sent.")
    elif sent_at > timezone.now():
        errors["sent_at"] = _("The written order cannot be sent in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = CoordinationOrder.objects.select_for_update().select_related("incident").get(pk=order.pk)
        if not order.written_required:
            raise ValidationError({"__all__": _("This order was sent as a written document; nothing follows.")})
        if order.written_sent_at is not None:
            raise ValidationError({"__all__": _("The written order %(ref)s is already recorded.") % {
                "ref": order.written_reference}})
        if order.is_cancelled:
            raise ValidationError({"__all__": _("The order %(ref)s was cancelled.") % {"ref": order.reference}})
        if sent_at < order.issued_at.replace(second=0, microsecond=0):  # forms give minutes
            raise ValidationError({"sent_at": _("The written order cannot be sent before the order was issued.")})
        order.written_reference = reference.strip()[:100]
        order.written_sent_at = sent_at
        order.save(update_fields=["written_reference", "written_sent_at"])
        deadline_actions.meet_deadline(kind="written_follow_up", incident=order.incident, subject=order,
                                       at=sent_at, actor=actor)
        record(actor=actor, action="coordination.written_follow_up", target=order,
               summary=_("Written order %(written)s sent for %(ref)s") % {
                   "written": order.written_reference, "ref": order.reference},
               changes={"written_reference": order.written_reference, "written_sent_at": sent_at})
    return order


def cancel_order(*, actor, order: CoordinationOrder, reason: str) -> CoordinationOrder:
    """Withdraw an order; its number stays used (the sequence has no gaps)."""
    require_order_role(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    with transaction.atomic():
        order = CoordinationOrder.objects.select_for_update().select_related("incident").get(pk=order.pk)
        if order.is_cancelled:
            raise ValidationError({"__all__": _("The order %(ref)s was already cancelled.") % {
                "ref": order.reference}})
        order.cancelled_at = timezone.now()
        order.cancel_reason = reason.strip()[:300]
        order.save(update_fields=["cancelled_at", "cancel_reason"])
        summary = _("Order %(ref)s cancelled: %(reason)s") % {"ref": order.reference, "reason": order.cancel_reason}
        for recipient in order.recipients.all():
            for kind in ("acknowledge_order", "order_due"):
                _cancel_deadline(kind=kind, incident=order.incident, subject=recipient, actor=actor, reason=summary)
        if order.written_required and order.written_sent_at is None:
            _cancel_deadline(kind="written_follow_up", incident=order.incident, subject=order, actor=actor,
                             reason=summary)
        record(actor=actor, action="coordination.cancel_order", target=order, summary=summary,
               changes={"cancelled_at": order.cancelled_at, "reason": order.cancel_reason})
    return order


# Requests for direction and support ----------------------------------------------------------------


def send_request(*, actor, incident: Incident, kind: str, addressed_to_kind: str, addressed_to_name: str,
                 content: str, channel: str, sent_at: datetime | None = None, reference: str = "",
                 organisation=None) -> Request:
    """Record a request for direction or support that was sent, with where and how it went."""
    require_order_role(actor)
    sent_at = sent_at or timezone.now()
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose direction or support.")
    if addressed_to_kind not in AddresseeKind.values:
        errors["addressed_to_kind"] = _("Choose who the request is addressed to.")
    name = (addressed_to_name or "").strip() or (organisation.name if organisation is not None else "")
    if not name:
        errors["addressed_to_name"] = _("Name the addressee.")
    if not (content or "").strip():
        errors["content"] = _("Write what is asked.")
    if channel not in OrderChannel.values:
        errors["channel"] = _("Choose how the request was sent.")
    if sent_at > timezone.now():
        errors["sent_at"] = _("A request cannot be sent in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.get(pk=incident.pk)
        _require_coordination_open(incident)
        request = Request.objects.create(
            incident=incident, kind=kind, addressed_to_kind=addressed_to_kind, addressed_to_name=name[:300],
            organisation=organisation, content=content.strip(), channel=channel, sent_at=sent_at,
            reference=(reference or "").strip()[:100], created_by=actor)
        record(actor=actor, action="coordination.send_request", target=incident,
               summary=_("%(kind)s sent to %(name)s") % {"kind": request.get_kind_display(), "name": name},
               changes={"request": request.pk, "kind": kind, "addressed_to": name, "channel": channel,
                        "reference": request.reference})
    return request


def record_answer(*, actor, request: Request, answer: str, answered_by_name: str,
                  answered_at: datetime | None = None) -> Request:
    """Record the answer (direction given, support granted or refused)."""
    require_order_role(actor)
    answered_at = answered_at or timezone.now()
    errors = {}
    if not (answer or "").strip():
        errors["answer"] = _("Write the answer.")
    if not (answered_by_name or "").strip():
        errors["answered_by_name"] = _("Name who answered.")
    if answered_at > timezone.now():
        errors["answered_at"] = _("An answer cannot come from the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related("incident").get(pk=request.pk)
        if request.status != RequestStatus.OPEN:
            raise ValidationError({"__all__": _("This request is %(status)s.") % {
                "status": request.get_status_display().lower()}})
        if answered_at < request.sent_at:
            raise ValidationError({"answered_at": _("The answer cannot come before the request was sent.")})
        request.answer = answer.strip()
        request.answered_by_name = answered_by_name.strip()[:200]
        request.answered_at = answered_at
        request.status = RequestStatus.ANSWERED
        request.save(update_fields=["answer", "answered_by_name", "answered_at", "status"])
        record(actor=actor, action="coordination.answer_request", target=request.incident,
               summary=_("Answer from %(name)s recorded") % {"name": request.answered_by_name},
               changes={"request": request.pk, "answer": request.answer})
    return request


def withdraw_request(*, actor, request: Request, reason: str = "") -> Request:
    require_order_role(actor)
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related("incident").get(pk=request.pk)
        if request.status != RequestStatus.OPEN:
            raise ValidationError({"__all__": _("This request is %(status)s.") % {
                "status": request.get_status_display().lower()}})
        request.status = RequestStatus.WITHDRAWN
        request.withdraw_reason = reason.strip()[:300]
        request.save(update_fields=["status", "withdraw_reason"])
        record(actor=actor, action="coordination.withdraw_request", target=request.incident,
               summary=_("Request to %(name)s withdrawn") % {"name": request.addressed_to_name},
               changes={"request": request.pk, "reason": request.withdraw_reason})
    return request
