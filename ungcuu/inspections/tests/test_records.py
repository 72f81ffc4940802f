"""Recording results: the licensed-body rule, findings, the next due date and the deadline kept in step."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ungcuu.audit.models import AuditEntry
from ungcuu.deadlines import actions as deadline_actions
from ungcuu.deadlines.models import Deadline, DeadlineKind
from ungcuu.inspections import actions
from ungcuu.inspections.models import Duty, Finding, Result
from ungcuu.inspections.tests.helpers import record
from ungcuu.registry import actions as registry_actions


def open_deadlines(kind, subject):
    return Deadline.objects.open().filter(kind=kind, subject_type=subject._meta.label_lower,
                                          subject_id=str(subject.pk))


def test_schedule_opens_one_deadline_per_duty_and_is_idempotent(province):
    """HIS (level 3): inspection, scan, hunt; budget (level 2): scan, hunt; health and finance: organisation-wide."""
    first = actions.schedule_duties()
    assert first["created"] == 7
    assert actions.schedule_duties() == {"created": 0, "updated": 0, "removed": 0, "unchanged": 7}
    for kind in (DeadlineKind.INSPECTION, DeadlineKind.VULNERABILITY_SCAN, DeadlineKind.THREAT_HUNT):
        deadline = open_deadlines(kind, province.his).get()
        assert deadline.organisation == province.health
        assert deadline.incident is None
    assert not open_deadlines(DeadlineKind.INSPECTION, province.budget).exists()
    assert open_deadlines(DeadlineKind.INSPECTION, province.health).get().organisation == province.health
    assert Deadline.objects.open().count() == 7


def test_never_done_without_approval_date_is_due_now(province):
    actions.schedule_duties()
    duty = Duty.objects.get(system=province.his, kind="inspection")
    assert duty.never_done
    assert duty.due_on == timezone.localdate()


def test_never_done_counts_from_the_level_approval(province):
    registry_actions.update_system(actor=None, system=province.his, level_status="approved",
                                   level_approved_on=date(2024, 6, 19))
    actions.schedule_duties()
    assert Duty.objects.get(system=province.his, kind="inspection").due_on == date(2025, 6, 19)
    assert Duty.objects.get(system=province.his, kind="vulnerability_scan").due_on == date(2024, 12, 19)
    # The organisation-wide duty counts from its earliest approved system.
    assert Duty.objects.get(system=None, organisation=province.health).due_on == date(2026, 6, 19)


def test_recording_meets_the_deadline_and_starts_the_next(province):
    actions.schedule_duties()
    today = timezone.localdate()
    result = record(province.owner, system=province.his, performed_on=today - timedelta(days=3),
                    findings=[{"title": "Apache 2.4.49 path traversal", "severity": "critical",
                               "remediation": "Nâng cấp lên 2.4.62"}])
    assert result.next_due_on == today - timedelta(days=3) + (date(2027, 1, 1) - date(2026, 1, 1))
    met = Deadline.objects.filter(kind="inspection", subject_id=str(province.his.pk), met_at__isnull=False).get()
    assert met.status() in ("met_on_time", "met_late")
    nxt = open_deadlines(DeadlineKind.INSPECTION, province.his).get()
    assert nxt.due_at.date() == result.next_due_on
    assert Duty.objects.get(system=province.his, kind="inspection").deadline == nxt
    assert result.findings.get().status == "open"
    assert AuditEntry.objects.filter(action="inspections.record_result", actor=province.owner).count() == 1


def test_an_older_result_does_not_move_the_due_date(province):
    record(province.admin, system=province.his, performed_on=date(2026, 5, 1))
    record(province.admin, system=province.his, performed_on=date(2025, 5, 1), report_reference="BC-cu")
    assert Duty.objects.get(system=province.his, kind="inspection").due_on == date(2027, 5, 1)
    assert open_deadlines(DeadlineKind.INSPECTION, province.his).count() == 1


@pytest.mark.parametrize(("level", "refused"), [(1, False), (2, False), (3, True), (4, True), (5, True)])
def test_level_3_and_above_need_a_licensed_body(province, level, refused):
    """NĐ 85/2016 Điều 20.2.c gạch 4: from level 3, by a licensed or designated body."""
    registry_actions.update_system(actor=None, system=province.his, level=level)
    province.his.refresh_from_db()
    with translation.override("en"):
        if refused:
            with pytest.raises(ValidationError) as error:
                record(province.admin, system=province.his, performed_on=date(2026, 5, 1), licensed=False)
            assert "licensed or designated" in error.value.message_dict["licensed"][0]
            assert "Điều 20.2.c" in error.value.message_dict["licensed"][0]
            with pytest.raises(ValidationError) as error:
                record(province.admin, system=province.his, performed_on=date(2026, 5, 1), body_name="")
            assert "body" in error.value.message_dict
            assert not Result.objects.exists()
        else:
            assert record(province.admin, system=province.his, performed_on=date(2026, 5, 1), licensed=False)


def test_scans_do_not_need_a_licensed_body(province):
    result = record(province.owner, kind="vulnerability_scan", system=province.his, performed_on=date(2026, 10, 1),
                    licensed=False, body_name="", performer="Tổ CNTT Bệnh viện")
    assert result.next_due_on == date(2027, 4, 1)


def test_bad_findings_are_refused_and_nothing_is_saved(province):
    actions.schedule_duties()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        record(province.admin, system=province.his, performed_on=date(2026, 5, 1), findings=[
            {"title": "ok", "severity": "high"}, {"title": "SQLi", "severity": "high", "status": "fixed"}])
    assert error.value.message_dict["findings"] == ["Finding 2: give the date it was fixed or its risk accepted."]
    assert not Result.objects.exists() and not Finding.objects.exists()
    assert Duty.objects.get(system=province.his, kind="inspection").never_done


@pytest.mark.parametrize(("fields", "field"), [
    ({"performed_on": date(2099, 1, 1)}, "performed_on"),
    ({"summary": " "}, "summary"),
    ({"report_reference": ""}, "evidence"),
    ({"kind": "audit"}, "kind"),
])
def test_bad_result_input_is_refused(province, fields, field):
    values = {"performed_on": date(2026, 5, 1), **fields}
    with pytest.raises(ValidationError) as error:
        record(province.admin, system=province.his, **values)
    assert field in error.value.message_dict


def test_scans_are_per_system(province):
    with pytest.raises(ValidationError) as error:
        record(province.admin, kind="vulnerability_scan", organisation=province.health, performed_on=date(2026, 5, 1))
    assert "kind" in error.value.message_dict


def test_organisation_wide_inspection(province):
    actions.schedule_duties()
    result = record(province.owner, organisation=province.health, performed_on=date(2026, 2, 28), licensed=False)
    assert result.next_due_on == date(2028, 2, 28)  # the corresponding day, not the month end
    assert open_deadlines(DeadlineKind.INSPECTION, province.health).get().due_at.date() == date(2028, 2, 28)


def test_outsiders_may_not_record_for_others(province):
    with pytest.raises(PermissionDenied):
        record(province.outsider, system=province.his, performed_on=date(2026, 5, 1))
    with pytest.raises(PermissionDenied):
        record(province.reporter, system=province.his, performed_on=date(2026, 5, 1))
    with pytest.raises(PermissionDenied):
        record(province.outsider, organisation=province.health, performed_on=date(2026, 5, 1))
    assert record(province.outsider, kind="threat_hunt", system=province.budget, performed_on=date(2026, 5, 1))


def test_update_finding_to_fixed_needs_its_date(province):
    result = record(province.owner, kind="vulnerability_scan", system=province.his, performed_on=date(2026, 10, 1),
                    findings=[{"title": "TLS 1.0 enabled", "severity": "medium"}])
    finding = result.findings.get()
    with pytest.raises(ValidationError):
        actions.update_finding(actor=province.owner, finding=finding, status="fixed")
    with pytest.raises(ValidationError):
        actions.update_finding(actor=province.owner, finding=finding, status="fixed", status_on=date(2026, 9, 1))
    actions.update_finding(actor=province.owner, finding=finding, status="fixed", status_on=date(2026, 10, 5))
    finding.refresh_from_db()
    assert (finding.status, finding.status_on) == ("fixed", date(2026, 10, 5))
    with pytest.raises(PermissionDenied):
        actions.update_finding(actor=province.outsider, finding=finding, status="open")


def test_inactive_system_duties_are_removed(province):
    actions.schedule_duties()
    registry_actions.update_system(actor=None, system=province.budget, is_active=False)
    counts = actions.schedule_duties()
    assert counts["removed"] == 3  # scan, hunt, and finance's organisation-wide inspection
    assert not Duty.objects.filter(organisation=province.finance).exists()
    assert not Deadline.objects.open().filter(organisation=province.finance).exists()


def test_the_deadline_scan_escalates_an_overdue_duty(province, settings):
    registry_actions.update_system(actor=None, system=province.his, level_status="approved",
                                   level_approved_on=date(2024, 6, 19))
    actions.schedule_duties()
    counts = deadline_actions.send_deadline_notices()
    assert counts["escalate"] >= 2  # the inspection (due 19/06/2025) and the scan (19/12/2024)
    deadline = open_deadlines(DeadlineKind.INSPECTION, province.his).get()
    deadline.refresh_from_db()
    assert deadline.escalated_at is not None


def test_schedule_reads_in_a_fixed_number_of_queries(province, django_assert_max_num_queries):
    actions.schedule_duties()
    with django_assert_max_num_queries(12) as few:
        actions.schedule_duties()
    for i in range(15):
        registry_actions.create_system(actor=None, name=f"Hệ thống {i}", owner=province.health,
                                       operator=province.hospital, level=3)
    actions.schedule_duties()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert actions.schedule_duties()["unchanged"] == 7 + 45
