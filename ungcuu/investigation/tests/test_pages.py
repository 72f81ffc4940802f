"""The investigation panel on the incident page, its forms, the timeline page and the template pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ungcuu.audit.models import AuditEntry
from ungcuu.incidents.procedure import Step
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation import actions
from ungcuu.investigation.models import ChecklistTemplate, Task, TaskStatus


def detail(incident):
    return reverse("incidents:detail", args=[incident.reference])


@pytest.fixture
def shared(province, incident):
    """The same C2 address on three more incidents: the health agency's own, a confidential one of the
    finance agency, and an ordinary one of the finance agency."""
    own = make_incident(province.reporter, description="Lại thấy 203.0.113.66")
    secret = make_incident(province.outsider, confidential=True, description="Máy chủ ngân sách gọi 203.0.113.66",
                           system_name="Quản lý ngân sách")
    open_finance = make_incident(province.outsider, description="Cũng 203.0.113.66", system_name="Ngân sách 2")
    for other in (incident, own, secret, open_finance):
        actions.add_indicator(actor=province.officer, incident=other, kind="ip", value="203.0.113.66")
    return own, secret, open_finance


def test_panel_shows_tasks_by_step_with_due_and_overdue(province, client_for, incident):
    actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    task = Task.objects.filter(incident=incident).first()
    actions.update_task(actor=province.lead, task=task, due_on=timezone.localdate() - timedelta(days=2),
                        assignee=province.member)
    page = client_for(province.member).get(detail(incident)).content.decode()
    assert "Thu thập các cổng đang mở của hệ thống" in page
    assert 'id="tasks-due"' in page and task.title in page
    assert f'hx-post="{reverse("investigation:update_task", args=[task.pk])}"' in page


def test_also_seen_in_shows_only_incidents_the_viewer_may_see(province, client_for, incident, shared):
    own, secret, open_finance = shared
    as_lead = client_for(province.lead).get(detail(incident)).content.decode()
    assert secret.reference in as_lead and own.reference in as_lead
    as_reporter = client_for(province.reporter).get(detail(incident)).content.decode()
    assert own.reference in as_reporter
    assert secret.reference not in as_reporter
    assert open_finance.reference not in as_reporter  # another agency's incident
    as_auditor = client_for(province.auditor).get(detail(incident)).content.decode()
    assert open_finance.reference in as_auditor
    assert secret.reference not in as_auditor  # oversight roles do not see confidential reports


def test_the_panel_makes_a_fixed_number_of_queries(province, client_for, incident, shared,
                                                   django_assert_max_num_queries):
    actions.extract_indicators(actor=province.officer, incident=incident)
    actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    for n in range(3):
        actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=timezone.now(),
                                   kind="action", text=f"Bước {n}")
    client = client_for(province.member)
    client.get(detail(incident))
    with django_assert_max_num_queries(60) as few:
        client.get(detail(incident))
    for n in range(20):
        other = make_incident(province.reporter, description=f"evil{n}.top")
        actions.add_indicator(actor=province.officer, incident=other, kind="ip", value="203.0.113.66")
        actions.add_indicator(actor=province.officer, incident=incident, kind="domain", value=f"evil{n}.top")
        actions.add_indicator(actor=province.officer, incident=other, kind="domain", value=f"evil{n}.top")
        actions.add_task(actor=province.lead, incident=incident, step=Step.ERADICATE, title=f"T{n}",
                         assignee=province.member)
        actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=timezone.now(),
                                   kind="finding", text=f"F{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail(incident))
    assert "evil19[.]top" in response.content.decode()


def test_htmx_status_change_returns_the_row(province, client_for, incident):
    task = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="Thu thập log file")
    response = client_for(province.member).post(
        reverse("investigation:update_task", args=[task.pk]),
        {"status": "done", "assignee": str(province.member.pk), "due_on": "2026-12-01"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="task-{task.pk}"')
    task.refresh_from_db()
    assert (task.status, task.assignee, task.due_on) == (TaskStatus.DONE, province.member, date(2026, 12, 1))


def test_the_reporter_sees_the_record_but_cannot_change_it(province, client_for, incident):
    task = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="X")
    client = client_for(province.reporter)
    page = client.get(detail(incident)).content.decode()
    assert "X" in page and "hx-post" not in page
    response = client.post(reverse("investigation:update_task", args=[task.pk]), {"status": "done"})
    assert response.status_code == 403
    response = client.post(reverse("investigation:add_indicator", args=[incident.reference]),
                           {"kind": "ip", "value": "203.0.113.9"})
    assert response.status_code == 403


def test_an_outsider_gets_404_everywhere(province, client_for, incident):
    task = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="X")
    client = client_for(province.outsider)
    assert client.post(reverse("investigation:update_task", args=[task.pk]), {"status": "done"}).status_code == 404
    assert client.get(reverse("investigation:timeline", args=[incident.reference])).status_code == 404
    assert client.post(reverse("investigation:extract_indicators", args=[incident.reference])).status_code == 404


def test_forms_add_an_indicator_extract_and_show_errors(province, client_for, incident):
    client = client_for(province.officer)
    response = client.post(reverse("investigation:add_indicator", args=[incident.reference]),
                           {"kind": "url", "value": "evil.com/x"}, follow=True)
    assert "URL phải bắt đầu bằng http://" in response.content.decode()
    response = client.post(reverse("investigation:extract_indicators", args=[incident.reference]), follow=True)
    assert "update-his[.]top" in response.content.decode()


def test_timeline_includes_the_reports_detection_and_reporting_times_in_order(province, client_for, incident):
    """Detected 08:30, isolated 08:40, reported 09:00 (the report's times are entries of the timeline)."""
    actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=incident.detected_at
                               + timedelta(minutes=10), kind="action", text="Cô lập máy chủ")
    response = client_for(province.member).get(reverse("investigation:timeline", args=[incident.reference]))
    text = response.content.decode()
    assert text.index("Phát hiện sự cố (theo báo cáo ban đầu)") < text.index("Cô lập máy chủ") < text.index(
        "Báo cáo sự cố (theo báo cáo ban đầu)")
    assert "20/11/2026 08:30" in text


def test_timeline_form_adds_and_the_author_corrects(province, client_for, incident):
    client = client_for(province.member)
    client.post(reverse("investigation:add_timeline_event", args=[incident.reference]),
                {"occurred_at": "2026-11-20T10:00", "kind": "finding", "text": "Tìm thấy webshell"})
    event = incident.timeline_events.get()
    response = client.post(reverse("investigation:edit_timeline_event", args=[event.pk]),
                           {"occurred_at": "2026-11-20T10:05", "kind": "finding",
                            "text": "Tìm thấy webshell shell.php"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.text == "Tìm thấy webshell shell.php"
    edit = reverse("investigation:edit_timeline_event", args=[event.pk])
    assert client_for(province.lead).get(edit).status_code == 403


def test_administrator_manages_templates_through_pages(province, client_for, django_assert_max_num_queries):
    client = client_for(province.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("investigation:template_list"))
    assert "Thu thập thông tin để phục vụ phân tích sự cố" in response.content.decode()
    response = client.post(reverse("investigation:template_create"),
                           {"name": "Mã độc tống tiền", "step": "contain", "attack_type": "encryption", "position": 5,
                            "source": "Kịch bản của tỉnh"})
    template = ChecklistTemplate.objects.get(name="Mã độc tống tiền")
    assert response.url == reverse("investigation:template_edit", args=[template.pk])
    client.post(response.url, {"what": "add_item", "title": "Ngắt kết nối mạng các máy bị mã hóa"})
    item = template.items.get()
    client.post(response.url, {"what": "edit_item", "item": item.pk, "title": "Ngắt mạng", "position": 1})
    item.refresh_from_db()
    assert item.title == "Ngắt mạng"
    client.post(reverse("investigation:template_toggle", args=[template.pk]))
    template.refresh_from_db()
    assert template.active is False
    assert AuditEntry.objects.filter(action__startswith="investigation.", object_id=str(template.pk)).count() == 4


def test_only_an_administrator_reaches_the_template_pages(province, client_for):
    for persona in (province.lead, province.officer, province.reporter):
        assert client_for(persona).get(reverse("investigation:template_list")).status_code == 403


def test_the_panel_alone_reads_a_pinned_number_of_queries(province, incident, shared, django_assert_num_queries):
    """The member's dispatch, tasks, indicators, the viewer's organisation and "also seen in" (one query for all
    indicators), the timeline's first page, the assignees (read once for the rows and the form), the deployment
    (context processor)."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from ungcuu.investigation.views import incident_panel_context

    actions.extract_indicators(actor=province.officer, incident=incident)
    actions.add_checklist_tasks(actor=province.lead, incident=incident, step=Step.CONTAIN)
    actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=timezone.now(), kind="note",
                               text="x")
    member = type(province.member).objects.get(pk=province.member.pk)
    member.role_set  # noqa: B018 (read once per request, like the middleware's user)
    request = RequestFactory().get("/")
    request.user = member
    with django_assert_num_queries(8):
        context = incident_panel_context(member, incident)
        render_to_string("investigation/_incident_panel.html", {"incident": incident, **context}, request=request)


def test_django_admin_saves_templates_through_the_audited_actions(province, client_for):
    from ungcuu.accounts import actions as account_actions

    root = account_actions.create_user(actor=None, username="root", password=None, is_superuser=True)
    client = client_for(root)
    response = client.post("/admin/investigation/checklisttemplate/add/", {
        "name": "Tấn công từ chối dịch vụ", "step": "contain", "attack_type": "denial_of_service", "position": 1,
        "source": "", "active": "on",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "1", "items-0-title": "Liên hệ ISP lọc lưu lượng", "items-0-detail": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ChecklistTemplate.objects.get(name="Tấn công từ chối dịch vụ")
    assert [i.title for i in template.items.all()] == ["Liên hệ ISP lọc lưu lượng"]
    assert set(AuditEntry.objects.filter(object_id=str(template.pk)).values_list("action", flat=True)) == {
        "investigation.create_template", "investigation.add_checklist_item"}
