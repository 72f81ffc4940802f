"""Dispatch (seed 001 Điều 16.1): the team lead, or one deputy lead inside the lead's written delegation;
each dispatched member acknowledges (TT 20/2017 Điều 10: "phản hồi ngay … để xác nhận")."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role
from ungcuu.coordination import actions
from ungcuu.coordination.tests.helpers import delegate
from ungcuu.deadlines.models import Deadline
from ungcuu.incidents.models import Responder
from ungcuu.notifications.models import Delivery

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=HCM)


# Seed 001 Điều 16.1: "Đội trưởng hoặc 01 đội phó được Đội trưởng ủy quyền" — dates inclusive, local time.
@pytest.mark.parametrize(("at", "allowed", "reason"), [
    (local(2026, 10, 31, 23, 59), False, "Your delegation 15/UQ-ĐƯCSC only starts on 01/11/2026."),
    (local(2026, 11, 1, 0, 0), True, "Delegation 15/UQ-ĐƯCSC, valid until 10/11/2026."),
    (local(2026, 11, 10, 23, 59), True, "Delegation 15/UQ-ĐƯCSC, valid until 10/11/2026."),
    (local(2026, 11, 11, 0, 0), False, "Your delegation 15/UQ-ĐƯCSC ended on 10/11/2026."),
    # 10/11 17:30 UTC is already 11/11 in Asia/Ho_Chi_Minh.
    (datetime(2026, 11, 10, 17, 30, tzinfo=ZoneInfo("UTC")), False, "Your delegation 15/UQ-ĐƯCSC ended on 10/11/2026."),
])
def test_a_deputy_may_dispatch_only_inside_the_delegation_dates(province, settings, at, allowed, reason):
    settings.LANGUAGE_CODE = "en"
    delegate(province, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 10))
    right = actions.can_dispatch(province.deputy, at=at)
    assert bool(right) is allowed
    assert right.reason == reason


@pytest.mark.parametrize(("persona", "allowed", "reason"), [
    ("lead", True, "Team lead."),
    ("deputy", False, "You hold no written delegation from the team lead to dispatch members."),
    ("officer", False, "Only the team lead, or a deputy lead holding the team lead's written delegation, "
                       "may dispatch members."),
    ("member", False, "Only the team lead, or a deputy lead holding the team lead's written delegation, "
                      "may dispatch members."),
])
def test_who_may_dispatch_without_a_delegation(province, settings, persona, allowed, reason):
    settings.LANGUAGE_CODE = "en"
    right = actions.can_dispatch(getattr(province, persona))
    assert (bool(right), right.reason) == (allowed, reason)


def test_a_revoked_delegation_no_longer_allows_dispatch(province, settings):
    settings.LANGUAGE_CODE = "en"
    delegation = delegate(province)
    actions.revoke_delegation(actor=province.lead, delegation=delegation, reason="Đội trưởng đã về")
    right = actions.can_dispatch(province.deputy)
    assert not right
    assert right.reason.startswith("Your delegation 15/UQ-ĐƯCSC was revoked on ")


def test_only_the_team_lead_grants_delegations_to_deputies(province):
    with pytest.raises(PermissionDenied):
        actions.grant_delegation(actor=province.deputy, delegate=province.deputy, reference="1/UQ",
                                 starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 2))
    with pytest.raises(ValidationError) as refused:
        actions.grant_delegation(actor=province.lead, delegate=province.member, reference="",
                                 starts_on=date(2026, 11, 5), ends_on=date(2026, 11, 2))
    assert set(refused.value.message_dict) == {"delegate", "reference", "ends_on"}


def test_a_deputy_outside_the_delegation_is_refused_with_the_reason_and_inside_accepted(province, incident,
                                                                                     settings):
    settings.LANGUAGE_CODE = "en"
    yesterday = timezone.localdate() - timedelta(days=1)
    delegate(province, starts_on=yesterday - timedelta(days=5), ends_on=yesterday, reference="9/UQ")
    with pytest.raises(PermissionDenied) as refused:
        actions.dispatch_member(actor=province.deputy, incident=incident, user=province.member)
    assert str(refused.value) == f"Your delegation 9/UQ ended on {yesterday:%d/%m/%Y}."
    assert not Responder.objects.exists()

    delegate(province, reference="10/UQ")
    responder = actions.dispatch_member(actor=province.deputy, incident=incident, user=province.member,
                                        role="Phân tích mã độc")
    assert responder.dispatched_by == province.deputy


def test_dispatch_starts_the_acknowledgement_deadline_and_acknowledging_meets_it(province, incident):
    responder = actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    deadline = Deadline.objects.get(kind="acknowledge_dispatch", subject_type="incidents.responder",
                                    subject_id=str(responder.pk))
    assert deadline.incident == incident and deadline.responsible == province.member and deadline.met_at is None

    with pytest.raises(PermissionDenied):
        actions.acknowledge_dispatch(actor=province.lead, responder=responder)
    actions.acknowledge_dispatch(actor=province.member, responder=responder)
    deadline.refresh_from_db()
    responder.refresh_from_db()
    assert deadline.met_at == responder.acknowledged_at is not None
    with pytest.raises(ValidationError):
        actions.acknowledge_dispatch(actor=province.member, responder=responder)


def test_dispatch_notifies_the_member(province, incident):
    analyst = account_actions.create_user(actor=None, username="analyst", password=None, full_name="Lê Phân Tích",
                                          email="analyst@example.vn", organisation=province.isp,
                                          roles=[Role.TEAM_MEMBER])
    actions.dispatch_member(actor=province.lead, incident=incident, user=analyst)
    delivery = Delivery.objects.get(event="dispatch")
    assert delivery.recipient == "analyst@example.vn"
    assert incident.reference in delivery.subject


def test_only_team_members_are_dispatched_and_only_once(province, incident):
    with pytest.raises(ValidationError):
        actions.dispatch_member(actor=province.lead, incident=incident, user=province.reporter)
    actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    with pytest.raises(ValidationError):
        actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)


def test_a_released_member_can_be_dispatched_again_and_must_acknowledge_again(province, incident):
    responder = actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    actions.acknowledge_dispatch(actor=province.member, responder=responder)
    actions.release_member(actor=province.lead, responder=responder, note="Đã xong phần phân tích")
    with pytest.raises(ValidationError):
        actions.release_member(actor=province.lead, responder=responder)
    again = actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    assert again.pk == responder.pk and again.acknowledged_at is None
    assert Deadline.objects.filter(kind="acknowledge_dispatch", subject_id=str(responder.pk),
                                   met_at__isnull=True).count() == 1


def test_the_lead_dispatches_on_the_incident_page_and_the_member_acknowledges(province, incident, client_for):
    page = client_for(province.lead).get(f"/incidents/{incident.reference}/").content.decode()
    assert 'id="dispatch-form"' in page
    response = client_for(province.lead).post(f"/coordination/incidents/{incident.reference}/dispatch/",
                                              {"user": province.member.pk, "role": "Thu thập chứng cứ"})
    assert response.status_code == 302
    member_page = client_for(province.member).get(f"/incidents/{incident.reference}/").content.decode()
    assert 'id="acknowledge-dispatch"' in member_page
    responder = Responder.objects.get()
    client_for(province.member).post(f"/coordination/responders/{responder.pk}/acknowledge/")
    responder.refresh_from_db()
    assert responder.acknowledged_at is not None
    assert 'id="acknowledge-dispatch"' not in client_for(province.member).get(
        f"/incidents/{incident.reference}/").content.decode()


def test_a_deputy_without_delegation_sees_why_on_the_incident_page(province, incident, client_for):
    page = client_for(province.deputy).get(f"/incidents/{incident.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="dispatch-form"' not in page.content.decode()
    assert 'id="dispatch-refused"' in page.content.decode()


def test_api_dispatch_and_acknowledge(province, incident, api_for):
    response = api_for(province.deputy).post(f"/api/v1/incidents/{incident.pk}/responders",
                                             {"user": province.member.pk}, content_type="application/json")
    assert response.status_code == 403
    assert "delegation" in response.json()["detail"] or "ủy quyền" in response.json()["detail"]
    response = api_for(province.lead).post(f"/api/v1/incidents/{incident.reference}/responders",
                                           {"user": province.member.pk, "role": "Phân tích"},
                                           content_type="application/json")
    assert response.status_code == 201, response.content
    responder_id = response.json()["id"]
    assert response.json()["acknowledged_at"] is None
    assert api_for(province.lead).post(f"/api/v1/responders/{responder_id}/acknowledge").status_code == 403
    acknowledged = api_for(province.member).post(f"/api/v1/responders/{responder_id}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    assert api_for(province.outsider).post(f"/api/v1/responders/{responder_id}/acknowledge").status_code == 404
