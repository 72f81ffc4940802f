"""Acknowledgements and per-system answers roll up into the coverage; reminders reach only non-responders."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ungcuu.advisories import actions
from ungcuu.advisories.models import Answer, AnswerStatus, Recipient
from ungcuu.advisories.tests.helpers import send
from ungcuu.audit.models import AuditEntry
from ungcuu.deadlines.models import Deadline
from ungcuu.notifications.models import Delivery


@pytest.fixture
def warned(software):
    """A PostgreSQL warning sent to health (HIS) and the hospital (lab), plus finance chosen (budget system)."""
    p = software
    p.advisory = send(p.officer, products=[("PostgreSQL", "14")], organisations=[p.finance])
    p.health_row = Recipient.objects.get(advisory=p.advisory, organisation=p.health)
    p.hospital_row = Recipient.objects.get(advisory=p.advisory, organisation=p.hospital)
    p.finance_row = Recipient.objects.get(advisory=p.advisory, organisation=p.finance)
    return p


def _answer(recipient):
    return Answer.objects.get(recipient=recipient)


def _deadline(recipient):
    return Deadline.objects.get(kind="advisory_answer", subject_type="advisories.recipient",
                                subject_id=str(recipient.pk))


def test_acknowledgements_and_answers_roll_up_into_the_coverage(warned):
    p = warned
    before = p.advisory.coverage()
    assert (before["recipients"], before["acknowledged"], before["systems"], before["fixed"]) == (3, 0, 3, 0)

    actions.acknowledge_advisory(actor=p.owner, recipient=p.health_row)
    actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="fixed")
    # Answering without acknowledging first acknowledges too.
    actions.answer_advisory(actor=p.hospital_it, answer=_answer(p.hospital_row), status="cannot_fix",
                            note="Nhà cung cấp chưa có bản vá; đã chặn cổng 5432 từ Internet.")

    figures = p.advisory.coverage()
    assert figures["recipients"] == 3
    assert figures["acknowledged"] == 2
    assert figures["not_acknowledged"] == 1
    assert figures["completed"] == 2
    assert figures["systems"] == 3
    assert figures["fixed"] == 1
    assert figures["cannot_fix"] == 1
    assert figures["pending"] == 1
    assert figures["answered"] == 2


def test_the_coverage_sentence_on_the_page(warned, client_for):
    p = warned
    actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="fixed")
    with translation.override("en"):
        page = client_for(p.officer).get(f"/advisories/{p.advisory.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "1/3 hệ thống đã khắc phục" in text  # "%(f)s of %(s)s systems fixed", on the Vietnamese page


def test_the_deadline_is_met_when_every_system_is_answered(warned):
    p = warned
    actions.acknowledge_advisory(actor=p.owner, recipient=p.health_row)
    assert _deadline(p.health_row).met_at is None  # acknowledging alone meets nothing
    actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="mitigated", note="WAF rule")
    assert _deadline(p.health_row).met_at is not None
    assert _deadline(p.hospital_row).met_at is None


def test_cannot_fix_needs_a_reason_and_pending_is_no_answer(warned):
    p = warned
    with pytest.raises(ValidationError) as caught:
        actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="cannot_fix", note=" ")
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="pending")
    row = _answer(p.health_row)
    assert row.status == AnswerStatus.PENDING and row.answered_at is None
    assert Recipient.objects.get(pk=p.health_row.pk).acknowledged_at is None


def test_an_agency_cannot_answer_or_acknowledge_for_another(warned):
    p = warned
    # finance's system owner tries health's row; education (not a recipient) tries too; a team member reads only.
    for user in (p.outsider, p.finance_it, p.education_it, p.member, p.auditor):
        with pytest.raises(PermissionDenied):
            actions.answer_advisory(actor=user, answer=_answer(p.health_row), status="fixed")
        with pytest.raises(PermissionDenied):
            actions.acknowledge_advisory(actor=user, recipient=p.health_row)
    assert _answer(p.health_row).status == AnswerStatus.PENDING
    assert Recipient.objects.get(pk=p.health_row.pk).acknowledged_at is None


def test_the_standing_office_may_record_an_answer_given_by_phone(warned):
    p = warned
    actions.answer_advisory(actor=p.officer, answer=_answer(p.finance_row), status="not_affected",
                            note="Sở Tài chính báo qua điện thoại: không dùng PostgreSQL.")
    assert _answer(p.finance_row).answered_by == p.officer


def test_every_change_of_an_answer_is_audited(warned):
    p = warned
    row = _answer(p.health_row)
    actions.answer_advisory(actor=p.owner, answer=row, status="mitigated", note="Tạm chặn cổng")
    actions.answer_advisory(actor=p.owner, answer=row, status="fixed", note="Đã cập nhật 14.11")
    entries = list(AuditEntry.objects.filter(action="advisories.answer", object_id=str(row.pk)).order_by("seq"))
    assert [e.changes["status"] for e in entries] == [["pending", "mitigated"], ["mitigated", "fixed"]]
    assert entries[1].changes["note"] == ["Tạm chặn cổng", "Đã cập nhật 14.11"]


def test_acknowledging_twice_is_refused(warned):
    p = warned
    actions.acknowledge_advisory(actor=p.owner, recipient=p.health_row)
    with pytest.raises(ValidationError):
        actions.acknowledge_advisory(actor=p.health_it, recipient=p.health_row)


def test_non_responders_get_a_reminder_and_responders_do_not(warned):
    p = warned
    actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="fixed")   # health done
    actions.acknowledge_advisory(actor=p.hospital_it, recipient=p.hospital_row)            # acknowledged only
    Delivery.objects.all().delete()

    reminded = actions.remind_non_responders(actor=p.officer, advisory=p.advisory)

    assert {r.organisation.name for r in reminded} == {"Bệnh viện Đa khoa", "Sở Tài chính"}
    addresses = set(Delivery.objects.filter(event="advisories.remind").values_list("recipient", flat=True))
    assert addresses == {"hospital_it@example.vn", "finance_it@example.vn"}
    assert "health_it@example.vn" not in addresses and "soyte@example.vn" not in addresses


def test_reminding_twice_the_same_day_sends_nothing_new(warned):
    p = warned
    first = actions.remind_non_responders(actor=p.officer, advisory=p.advisory)
    count = Delivery.objects.filter(event="advisories.remind").count()
    assert len(first) == 3 and count > 0
    assert actions.remind_non_responders(actor=p.officer, advisory=p.advisory) == []
    assert Delivery.objects.filter(event="advisories.remind").count() == count
    assert Recipient.objects.get(pk=p.health_row.pk).reminder_count == 1


def test_only_the_team_reminds_and_closes(warned):
    p = warned
    for user in (p.owner, p.member, p.auditor):
        with pytest.raises(PermissionDenied):
            actions.remind_non_responders(actor=user, advisory=p.advisory)
        with pytest.raises(PermissionDenied):
            actions.close_advisory(actor=user, advisory=p.advisory)


def test_a_closed_warning_takes_no_answers_and_its_open_deadlines_are_cancelled(warned):
    p = warned
    actions.answer_advisory(actor=p.owner, answer=_answer(p.health_row), status="fixed")
    actions.close_advisory(actor=p.lead, advisory=p.advisory)
    assert _deadline(p.health_row).met_at is not None and _deadline(p.health_row).cancelled_at is None
    assert _deadline(p.hospital_row).cancelled_at is not None
    with pytest.raises(ValidationError):
        actions.answer_advisory(actor=p.hospital_it, answer=_answer(p.hospital_row), status="fixed")
    with pytest.raises(ValidationError):
        actions.remind_non_responders(actor=p.officer, advisory=p.advisory)


def test_a_recipient_without_systems_is_complete_once_acknowledged(software):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")], organisations=[p.isp])
    row = Recipient.objects.get(advisory=advisory, organisation=p.isp)
    assert not row.answers.exists()
    actions.acknowledge_advisory(actor=p.officer, recipient=row)
    row.refresh_from_db()
    assert row.completed_at is not None
    assert _deadline(row).met_at is not None


@pytest.mark.parametrize(("status", "note", "accepted"), [
    # SPEC §9: each recipient reports per system; "cannot fix" only with its reason (issue 7).
    ("not_affected", "", True),
    ("fixed", "", True),
    ("mitigated", "", True),
    ("cannot_fix", "Hệ thống cũ, nhà cung cấp đã ngừng hỗ trợ", True),
    ("cannot_fix", "", False),
    ("pending", "", False),
    ("patched", "", False),
])
def test_answer_table(warned, status, note, accepted):
    p = warned
    row = _answer(p.health_row)
    if accepted:
        assert actions.answer_advisory(actor=p.owner, answer=row, status=status, note=note).status == status
    else:
        with pytest.raises(ValidationError):
            actions.answer_advisory(actor=p.owner, answer=row, status=status, note=note)
        assert _answer(p.health_row).status == AnswerStatus.PENDING
