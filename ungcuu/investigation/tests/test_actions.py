"""Checklist tasks, tasks, indicators and the timeline through the actions: who may, what it does, what is kept."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ungcuu.audit.models import AuditEntry
from ungcuu.incidents import search
from ungcuu.incidents.models import Incident, Indicator
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation import actions
from ungcuu.investigation.models import ChecklistTemplate, Task, TaskStatus, TimelineEvent


@pytest.fixture(autouse=True)
def english():
    """The messages below are compared with their English source text; the default language is Vietnamese."""
    with translation.override("en"):
        yield


# Seed 003 (QĐ 1859/QĐ-UBND Hà Tĩnh, Phần II mục 1, 2.1 "Thu thập thông tin để phục vụ phân tích sự cố").
SEED_003_COLLECT = [
    "Thông tin về đầu mối liên hệ", "Thu thập thông tin hệ thống", "Thu thập chức năng của hệ thống",
    "Thu thập cấu hình của hệ thống (OS, Servise, version, network...)", "Thu thập chứng cứ", "Thu thập bộ nhớ",
    "Thu thập trạng thái network và các kết nối", "Thu thập các tiến trình đang chạy",
    "Thu thập hard drive media", "Thu thập log file", "Thu thập các cổng đang mở của hệ thống",
]


def titles(incident, step):
    return list(Task.objects.filter(incident=incident, step=step).values_list("title", flat=True))


# Checklist tasks ---------------------------------------------------------------------------------


def test_containment_gets_seed_003s_collection_list_verbatim_in_order(province, incident):
    tasks = actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    contain = titles(incident, Step.CONTAIN)
    assert contain[: len(SEED_003_COLLECT)] == SEED_003_COLLECT
    assert "Phân tích dòng thời gian" in contain  # seed 003's analysis list, same step
    assert len(tasks) == len(contain)
    assert not Task.objects.exclude(step=Step.CONTAIN).exists()


@pytest.mark.parametrize(("step", "expected"), [
    # Seed 003 2.1 "Xử lý sự cố" and 3.1 → 3a; 3.2 → 3b; seed 003 3.2 and seed 000 III.3 → 3c.
    (Step.ERADICATE, "Xác định và gỡ bỏ các backdoors"),
    (Step.RECOVER, "Khôi phục hệ thống, dữ liệu và kết nối (phải khôi phục từ các bản sao lưu hệ thống “sạch”)"),
    (Step.VERIFY_RECOVERY, "Kiểm tra thử toàn bộ hệ thống sau khi khắc phục sự cố"),
    # QĐ 05/2017 Điều 14.5.d: the serious path collects the same information at S5.
    (Step.SERIOUS_EMERGENCY, "Thu thập các cổng đang mở của hệ thống"),
])
def test_each_step_gets_its_seed_checklist(province, incident, step, expected):
    actions.add_checklist_tasks(actor=None, incident=incident, step=step)
    assert expected in titles(incident, step)


def test_checklist_tasks_are_not_duplicated(province, incident):
    first = actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    again = actions.add_checklist_tasks(actor=province.member, incident=incident, step=Step.CONTAIN)
    assert first and again == []
    assert Task.objects.filter(incident=incident).count() == len(first)
    assert AuditEntry.objects.filter(action="investigation.add_checklist_tasks").count() == 1


def test_only_templates_of_the_incidents_attack_type_or_any_apply(province, incident):
    malware = actions.create_template(actor=province.admin, name="Mã độc", step=Step.CONTAIN, attack_type="malware")
    actions.add_checklist_item(actor=province.admin, template=malware, title="Cô lập máy nhiễm mã độc")
    dos = actions.create_template(actor=province.admin, name="DDoS", step=Step.CONTAIN,
                                  attack_type="denial_of_service")
    actions.add_checklist_item(actor=province.admin, template=dos, title="Liên hệ ISP lọc lưu lượng")
    actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    contain = titles(incident, Step.CONTAIN)
    assert "Cô lập máy nhiễm mã độc" in contain
    assert "Liên hệ ISP lọc lưu lượng" not in contain


def test_a_deactivated_template_gives_no_new_tasks_but_an_item_added_later_does(province, incident):
    actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    template = ChecklistTemplate.objects.get(step=Step.CONTAIN, name="Phân tích sự cố")
    actions.add_checklist_item(actor=province.admin, template=template, title="Phân tích lưu lượng mạng")
    assert [t.title for t in actions.add_checklist_tasks(actor=province.lead, incident=incident,
                                                         step=Step.CONTAIN)] == ["Phân tích lưu lượng mạng"]
    actions.set_template_active(actor=province.admin, template=template, active=False)
    other = make_incident(province.reporter)
    actions.add_checklist_tasks(actor=province.lead, incident=other, step=Step.CONTAIN)
    assert "Phân tích dòng thời gian" not in titles(other, Step.CONTAIN)


def test_only_an_administrator_edits_templates(province):
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        actions.create_template(actor=province.lead, name="X", step=Step.CONTAIN)
    with pytest.raises(ValidationError) as error:
        actions.create_template(actor=province.admin, name="X", step="nowhere")
    assert error.value.message_dict == {"step": ["Choose a step of the procedure."]}


# Tasks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reporter", "owner", "auditor", "admin", "outsider"])
def test_who_is_not_on_the_incident_may_not_add_tasks(province, incident, persona):
    with pytest.raises(PermissionDenied, match="Only the standing office, the team leads and the members dispatched"):
        actions.add_task(actor=getattr(province, persona), incident=incident, step=Step.CONTAIN, title="X")


def test_a_dispatched_member_adds_and_completes_a_task(province, incident):
    task = actions.add_task(actor=province.member, incident=incident, step=Step.CONTAIN, title="Chụp ảnh bộ nhớ",
                            assignee=province.member, due_on=date(2026, 11, 25))
    task = actions.update_task(actor=province.member, task=task, status=TaskStatus.DONE)
    assert (task.status, task.completed_by, task.assignee) == (TaskStatus.DONE, province.member, province.member)
    assert task.completed_at is not None
    task = actions.update_task(actor=province.lead, task=task, status=TaskStatus.IN_PROGRESS)
    assert (task.completed_at, task.completed_by) == (None, None)
    entry = AuditEntry.objects.filter(action="investigation.update_task").order_by("seq").last()
    assert entry.changes["status"] == ["done", "in_progress"]


def test_an_assignee_must_be_on_the_incidents_response_team(province, incident):
    other = make_incident(province.reporter)  # the member is not dispatched to this one
    with pytest.raises(ValidationError) as error:
        actions.add_task(actor=province.lead, incident=other, step=Step.CONTAIN, title="X", assignee=province.member)
    assert "is not on this incident's response team" in error.value.message_dict["assignee"][0]
    task = actions.add_task(actor=province.lead, incident=other, step=Step.CONTAIN, title="X")
    with pytest.raises(ValidationError):
        actions.update_task(actor=province.lead, task=task, assignee=province.reporter)
    assert actions.update_task(actor=province.lead, task=task, assignee=province.officer).assignee == province.officer
    assert actions.update_task(actor=province.lead, task=task, assignee=None).assignee is None


def test_update_task_changes_only_what_is_passed(province, incident):
    task = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="X",
                            assignee=province.member, due_on=date(2026, 12, 1))
    task = actions.update_task(actor=province.lead, task=task, status=TaskStatus.IN_PROGRESS)
    assert (task.assignee, task.due_on) == (province.member, date(2026, 12, 1))
    with pytest.raises(ValidationError, match="Choose a status"):
        actions.update_task(actor=province.lead, task=task, status="finished")


def test_overdue_means_open_and_past_its_due_date(province, incident):
    today = timezone.localdate()
    late = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="late",
                            due_on=today - timedelta(days=1))
    done = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="done",
                            due_on=today - timedelta(days=1))
    actions.update_task(actor=province.lead, task=done, status=TaskStatus.DONE)
    assert list(Task.objects.overdue()) == [late]


# Indicators --------------------------------------------------------------------------------------


def test_extraction_adds_the_reports_indicators_once_and_search_finds_them(province, incident):
    added = actions.extract_indicators(actor=province.member, incident=incident)
    found = {(i.kind, i.value) for i in added}
    assert {("url", "http://update-his.top/payload.exe"), ("domain", "update-his.top"), ("ip", "203.0.113.66"),
            ("file_name", "invoice.pdf.exe"), ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
            ("email", "attacker@evil-mail.com")} <= found
    assert ("ip", "10.2.3.4") not in found  # "Phiên bản 10.2.3.4" is a version
    assert all(i.source == "extracted" for i in added)
    assert actions.extract_indicators(actor=province.member, incident=incident) == []
    assert Indicator.objects.filter(incident=incident, source="extracted").count() == len(added)
    rows = search.page(Incident.objects.all(), search.IncidentFilters(q="update-his.top"), size=10)
    assert [i.pk for i in rows.rows] == [incident.pk]


def test_extraction_reads_timeline_findings_too(province, incident):
    actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=timezone.now(), kind="finding",
                               text="Phát hiện kết nối C2 tới c2-server[.]xyz")
    added = actions.extract_indicators(actor=province.member, incident=incident)
    assert ("domain", "c2-server.xyz") in {(i.kind, i.value) for i in added}


def test_an_indicator_added_by_hand_is_refanged_validated_and_removable(province, incident):
    indicator = actions.add_indicator(actor=province.officer, incident=incident, kind="domain", value="Evil[.]COM")
    assert (indicator.value, indicator.source) == ("evil.com", "manual")
    with pytest.raises(ValidationError) as error:
        actions.add_indicator(actor=province.officer, incident=incident, kind="domain", value="evil.com")
    assert error.value.message_dict == {"value": ["evil.com is already an indicator of this incident."]}
    with pytest.raises(ValidationError) as error:
        actions.add_indicator(actor=province.officer, incident=incident, kind="ip", value="1.2.3")
    assert "IP address" in error.value.message_dict["value"][0]
    actions.remove_indicator(actor=province.officer, indicator=indicator)
    incident.refresh_from_db()
    assert "evil.com" not in incident.search_text
    assert AuditEntry.objects.filter(action="investigation.remove_indicator").exists()


def test_the_reporter_may_not_change_indicators(province, incident):
    with pytest.raises(PermissionDenied):
        actions.add_indicator(actor=province.reporter, incident=incident, kind="domain", value="evil.com")
    with pytest.raises(PermissionDenied):
        actions.extract_indicators(actor=province.reporter, incident=incident)


# Timeline ----------------------------------------------------------------------------------------


def test_the_author_corrects_an_entry_on_the_same_day_only(province, incident):
    when = timezone.make_aware(datetime(2026, 11, 20, 9, 15))
    event = actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=when, kind="action",
                                       text="Ngắt kết nối máy chủ")
    event = actions.edit_timeline_event(actor=province.member, event=event, occurred_at=when, kind="action",
                                        text="Ngắt kết nối Internet của máy chủ HIS")
    assert event.edited_at is not None
    assert AuditEntry.objects.filter(action="investigation.edit_timeline_event").get().changes["text"] == [
        "Ngắt kết nối máy chủ", "Ngắt kết nối Internet của máy chủ HIS"]
    with pytest.raises(PermissionDenied, match="Only its author"):
        actions.edit_timeline_event(actor=province.lead, event=event, occurred_at=when, kind="note", text="x")
    TimelineEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=1))
    event.refresh_from_db()
    with pytest.raises(PermissionDenied, match="only on the day it was written"):
        actions.edit_timeline_event(actor=province.member, event=event, occurred_at=when, kind="note", text="x")


def test_a_timeline_entry_needs_a_time_a_kind_and_text(province, incident):
    with pytest.raises(ValidationError) as error:
        actions.add_timeline_event(actor=province.lead, incident=incident, occurred_at=None, kind="gossip", text=" ")
    assert set(error.value.message_dict) == {"occurred_at", "kind", "text"}
    with pytest.raises(ValidationError, match="in the future"):
        actions.add_timeline_event(actor=province.lead, incident=incident, kind="note", text="x",
                                   occurred_at=timezone.now() + timedelta(days=1))


def test_a_merged_incidents_record_is_closed(province, incident):
    from ungcuu.incidents import actions as incident_actions

    duplicate = make_incident(province.reporter)
    incident_actions.merge_incident(actor=province.officer, duplicate=duplicate, into=incident)
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError, match="investigation record is closed"):
        actions.add_task(actor=province.officer, incident=duplicate, step=Step.CONTAIN, title="X")
