"""The investigation API: tasks, indicators and timeline per incident; permissions and query counts."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from ungcuu.incidents.procedure import Step
from ungcuu.incidents.tests.helpers import make_incident
from ungcuu.investigation import actions
from ungcuu.investigation.models import Task


def url(incident, tail):
    return f"/api/v1/incidents/{incident.reference}/{tail}"


def test_member_works_through_the_api(province, api_for, incident):
    api = api_for(province.member)
    created = api.post(url(incident, "tasks/checklist"), {"step": "contain"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()[0]["title"] == "Thông tin về đầu mối liên hệ"
    assert api.post(url(incident, "tasks/checklist"), {"step": "contain"},
                    content_type="application/json").json() == []
    task = api.post(url(incident, "tasks"), {"step": "contain", "title": "Chụp RAM", "assignee": province.member.pk,
                                             "due_on": "2026-12-01"}, content_type="application/json").json()
    patched = api.patch(f"/api/v1/tasks/{task['id']}", {"status": "done"}, content_type="application/json").json()
    assert (patched["status"], patched["assignee"], patched["due_on"]) == ("done", "member", "2026-12-01")
    patched = api.patch(f"/api/v1/tasks/{task['id']}", {"assignee": None}, content_type="application/json").json()
    assert patched["assignee"] is None and patched["status"] == "done"

    added = api.post(url(incident, "indicators"), {"kind": "domain", "value": "evil[.]com"},
                     content_type="application/json")
    assert (added.status_code, added.json()["value"], added.json()["defanged"]) == (201, "evil.com", "evil[.]com")
    extracted = api.post(url(incident, "indicators/extract"))
    assert ("domain", "update-his.top") in {(i["kind"], i["value"]) for i in extracted.json()}
    assert api.delete(url(incident, f"indicators/{added.json()['id']}")).status_code == 204

    event = api.post(url(incident, "timeline"), {"occurred_at": "2026-11-20T10:00:00+07:00", "kind": "finding",
                                                 "text": "Webshell"}, content_type="application/json")
    assert event.status_code == 201
    edited = api.put(f"/api/v1/timeline/{event.json()['id']}", {"occurred_at": "2026-11-20T10:00:00+07:00",
                                                                "kind": "finding", "text": "Webshell shell.php"},
                     content_type="application/json")
    assert edited.json()["text"] == "Webshell shell.php"
    timeline = api.get(url(incident, "timeline")).json()
    assert [e["kind"] for e in timeline["from_report"]] == ["detection", "communication"]
    assert timeline["count"] == 1


def test_errors_are_clear(province, api_for, incident):
    api = api_for(province.officer)
    bad = api.post(url(incident, "indicators"), {"kind": "md5", "value": "xyz"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"]["value"] == ["Mã băm này phải gồm đúng 32 ký tự thập lục phân."]
    other = make_incident(province.reporter)
    bad = api.post(url(other, "tasks"), {"step": "contain", "title": "X", "assignee": province.member.pk},
                   content_type="application/json")
    assert bad.status_code == 422 and "không thuộc lực lượng xử lý sự cố này" in bad.json()["errors"]["assignee"][0]


def test_reporter_reads_but_may_not_write_and_outsider_gets_404(province, api_for, incident):
    reporter = api_for(province.reporter)
    assert reporter.get(url(incident, "tasks")).status_code == 200
    refused = reporter.post(url(incident, "indicators/extract"))
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("Chỉ Cơ quan thường trực, Đội trưởng, Đội phó và thành viên được điều động "
                                        "xử lý sự cố này mới được thay đổi hồ sơ điều tra.")
    outsider = api_for(province.outsider)
    for tail in ("tasks", "indicators", "timeline"):
        assert outsider.get(url(incident, tail)).status_code == 404
    task = actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title="X")
    assert outsider.patch(f"/api/v1/tasks/{task.pk}", {"status": "done"},
                          content_type="application/json").status_code == 404


def test_indicator_list_shows_also_seen_in_respecting_visibility(province, api_for, incident):
    secret = make_incident(province.outsider, confidential=True, system_name="Quản lý ngân sách")
    own = make_incident(province.reporter)
    for other in (incident, secret, own):
        actions.add_indicator(actor=province.officer, incident=other, kind="ip", value="203.0.113.66")
    rows = api_for(province.reporter).get(url(incident, "indicators")).json()["items"]
    seen = {r["value"]: [s["reference"] for s in r["also_seen_in"]] for r in rows}
    assert seen["203.0.113.66"] == [own.reference]
    rows = api_for(province.lead).get(url(incident, "indicators")).json()["items"]
    assert {s["reference"] for r in rows for s in r["also_seen_in"]} == {own.reference, secret.reference}


@pytest.mark.parametrize("tail", ["tasks", "indicators", "timeline"])
def test_api_lists_make_a_fixed_number_of_queries(province, api_for, incident, tail, django_assert_max_num_queries):
    api = api_for(province.member)
    for n in range(15):
        other = make_incident(province.reporter)
        value = f"evil{n}.top"
        actions.add_indicator(actor=province.officer, incident=incident, kind="domain", value=value)
        actions.add_indicator(actor=province.officer, incident=other, kind="domain", value=value)
        actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title=f"T{n}",
                         assignee=province.member)
        actions.add_timeline_event(actor=province.member, incident=incident, occurred_at=timezone.now(),
                                   kind="note", text=f"N{n}")
    # Token, user, roles, the incident (with the viewer's organisation), count, rows, "also seen in".
    with django_assert_max_num_queries(9):
        response = api.get(url(incident, tail))
    # The report's own IP and domain are indicators too.
    assert response.json()["count"] == 15 + (2 if tail == "indicators" else 0)


def test_api_lists_are_paged(province, api_for, incident, settings):
    settings.PAGE_SIZE = 2
    for n in range(3):
        actions.add_task(actor=province.lead, incident=incident, step=Step.CONTAIN, title=f"T{n}")
    page = api_for(province.lead).get(url(incident, "tasks") + "?page=2").json()
    assert (page["count"], page["pages"], [t["title"] for t in page["items"]]) == (3, 2, ["T2"])
    assert Task.objects.count() == 3


def test_cli_lists_the_checklist_templates(province, capsys):
    call_command("checklists", "list", "--step", "contain", "--items")
    out = capsys.readouterr().out
    assert "Thu thập thông tin để phục vụ phân tích sự cố" in out
    assert "Thu thập log file" in out
    assert "eradicate" not in out
