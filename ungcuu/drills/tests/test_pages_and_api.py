"""Drill and meeting pages and endpoints: who may do what, what a user sees, paging and query counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from ungcuu.audit.models import AuditEntry
from ungcuu.drills import actions
from ungcuu.drills.models import Drill, DrillKind, DrillStatus, MeetingKind, TeamMeeting
from ungcuu.drills.tests.helpers import done_drill, people

TODAY = timezone.localdate()


def test_only_the_standing_office_and_leads_plan_drills(province):
    for user in (province.member, province.outsider, province.auditor, province.owner):
        with pytest.raises(PermissionDenied):
            actions.plan_drill(actor=user, kind=DrillKind.TRAINING, title="Tập huấn", starts_on=TODAY)
    assert not Drill.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"kind": "party"}, "kind"),
    ({"ends_on": TODAY - timedelta(days=1)}, "ends_on"),
    ({"kind": DrillKind.LIVE, "systems": []}, "systems"),
])
def test_a_bad_drill_is_refused_and_nothing_is_saved(province, changes, field):
    values = {"kind": DrillKind.TABLETOP, "title": "Diễn tập", "starts_on": TODAY, **changes}
    with pytest.raises(ValidationError) as exc:
        actions.plan_drill(actor=province.officer, **values)
    assert field in exc.value.message_dict
    assert not Drill.objects.exists()


def test_completing_records_results_and_attendance_and_is_audited(province):
    team = people(province)
    drill = actions.plan_drill(actor=province.lead, kind=DrillKind.LIVE, title="Diễn tập HIS", starts_on=TODAY,
                               systems=[province.his], persons=team, organisations=[province.health])
    rows = list(drill.participants.order_by("pk"))
    assert len(rows) == 4  # three people and one organisation
    with pytest.raises(ValidationError):
        actions.complete_drill(actor=province.lead, drill=drill, results=" ")
    actions.complete_drill(actor=province.lead, drill=drill, results="Khôi phục sau 2 giờ", lessons="Sao lưu",
                           attended=rows[:2])
    drill.refresh_from_db()
    assert drill.status == DrillStatus.DONE
    assert [p.attended for p in drill.participants.order_by("pk")] == [True, True, False, False]
    assert AuditEntry.objects.filter(action="drills.complete", object_id=str(drill.pk)).exists()
    with pytest.raises(ValidationError):
        actions.complete_drill(actor=province.lead, drill=drill, results="again")


def test_a_drill_cannot_be_done_in_the_future(province):
    drill = actions.plan_drill(actor=province.officer, kind=DrillKind.TRAINING, title="Khóa đào tạo",
                               starts_on=TODAY + timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        actions.complete_drill(actor=province.officer, drill=drill, results="ok")
    assert "ends_on" in exc.value.message_dict


def test_the_pages_show_drills_to_the_team_and_refuse_others(province, client_for):
    done_drill(province, on=TODAY - timedelta(days=2), systems=[province.his], title="Diễn tập mã độc HIS")
    page = client_for(province.member).get("/drills/")
    assert page.status_code == 200 and "Diễn tập mã độc HIS" in page.content.decode()
    assert client_for(province.outsider).get("/drills/").status_code == 403
    assert client_for(province.outsider).get("/drills/meetings/").status_code == 403
    assert client_for(province.member).get("/drills/new/").status_code == 403


def test_planning_and_completing_through_the_pages(province, client_for):
    client = client_for(province.officer)
    response = client.post("/drills/new/", {"kind": "live", "title": "Diễn tập DDoS", "starts_on": "",
                                            "systems": [province.his.pk]})
    assert response.status_code == 422
    response = client.post("/drills/new/", {"kind": "live", "title": "Diễn tập DDoS",
                                            "starts_on": TODAY.isoformat(), "systems": [province.his.pk]})
    drill = Drill.objects.get()
    assert response.status_code == 302 and response.url == f"/drills/{drill.pk}/"
    response = client.post(f"/drills/{drill.pk}/complete/", {"results": "Chặn được tấn công"}, follow=True)
    assert "Chặn được tấn công" in response.content.decode()
    drill.refresh_from_db()
    assert drill.status == DrillStatus.DONE


def test_the_list_is_paged_and_its_queries_do_not_grow(province, client_for, django_assert_max_num_queries,
                                                       settings):
    settings.PAGE_SIZE = 5
    client = client_for(province.lead)
    for i in range(3):
        done_drill(province, on=TODAY - timedelta(days=i), systems=[province.his], title=f"Diễn tập {i}")
    with django_assert_max_num_queries(8) as few:
        client.get("/drills/")
    for i in range(3, 9):
        done_drill(province, on=TODAY - timedelta(days=i), systems=[province.his, province.budget],
                   title=f"Diễn tập {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/drills/")
    assert "Diễn tập 0" in page.content.decode() and "Diễn tập 8" not in page.content.decode()


def test_the_due_page_shows_each_user_their_own_systems(province, client_for):
    body = client_for(province.owner).get("/drills/due/").content.decode()
    assert "HIS bệnh viện" in body
    assert "meeting-duty" not in body  # the team's meeting is not the system owner's business
    assert "HIS bệnh viện" not in client_for(province.outsider).get("/drills/due/").content.decode()
    body = client_for(province.officer).get("/drills/due/?status=overdue").content.decode()
    assert "HIS bệnh viện" not in body  # registered today: due, not overdue
    assert "meeting-duty" in body


def test_meetings_are_recorded_with_attendance_and_minutes(province, client_for):
    team = people(province)
    client = client_for(province.deputy)
    response = client.post("/drills/meetings/new/", {"kind": "regular", "held_on": TODAY.isoformat(),
                                                     "chair": team[0].pk, "present": [team[0].pk, team[1].pk],
                                                     "absent": [team[1].pk, team[2].pk]})
    assert response.status_code == 422 and not TeamMeeting.objects.exists()  # present and absent at once
    response = client.post("/drills/meetings/new/", {"kind": "regular", "held_on": TODAY.isoformat(),
                                                     "chair": team[0].pk, "present": [team[0].pk, team[1].pk],
                                                     "absent": [team[2].pk], "agenda": "Sơ kết"})
    meeting = TeamMeeting.objects.get()
    assert response.url == f"/drills/meetings/{meeting.pk}/"
    client.post(f"/drills/meetings/{meeting.pk}/", {"minutes": "Thống nhất kế hoạch", "decisions": "Giao PA05"})
    body = client_for(province.auditor).get(f"/drills/meetings/{meeting.pk}/").content.decode()
    assert "Thống nhất kế hoạch" in body and "Thành viên 3" in body
    assert client_for(province.auditor).post(f"/drills/meetings/{meeting.pk}/", {"minutes": "x"}).status_code == 403
    assert client_for(province.member).get("/drills/meetings/").status_code == 200


def test_the_api_plans_completes_and_lists_drills(province, api_for, django_assert_max_num_queries):
    team = people(province, 2)
    api = api_for(province.officer)
    response = api.post("/api/v1/drills", {"kind": "live", "title": "Diễn tập API", "starts_on": TODAY.isoformat(),
                                           "systems": [province.his.pk], "persons": [p.pk for p in team]},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    drill = response.json()
    assert [p["person_name"] for p in drill["participants"]] == ["Thành viên 1", "Thành viên 2"]
    response = api.post("/api/v1/drills", {"kind": "live", "title": "x", "starts_on": TODAY.isoformat(),
                                           "systems": [999999]}, content_type="application/json")
    assert response.status_code == 422 and "systems" in response.json()["errors"]
    present = drill["participants"][0]["id"]
    response = api.post(f"/api/v1/drills/{drill['id']}/complete", {"results": "Đạt", "attended": [present]},
                        content_type="application/json")
    assert response.json()["status"] == "done"
    assert [p["attended"] for p in response.json()["participants"]] == [True, False]
    with django_assert_max_num_queries(8):
        listing = api.get("/api/v1/drills?status=done").json()
    assert listing["count"] == 1
    due = api.get("/api/v1/drills/due").json()
    assert due["drills"][0]["last_live_drill"] == TODAY.isoformat()
    assert due["meeting"]["status"] == "due"


def test_the_api_refuses_outsiders_and_explains_errors(province, api_for):
    outsider = api_for(province.outsider)
    assert outsider.get("/api/v1/drills").status_code == 403
    assert outsider.get("/api/v1/team-meetings").status_code == 403
    assert outsider.post("/api/v1/drills", {"kind": "training", "title": "x", "starts_on": TODAY.isoformat()},
                         content_type="application/json").status_code == 403
    assert outsider.get("/api/v1/drills/due").json()["meeting"] is None
    with translation.override("en"):
        response = api_for(province.officer).post("/api/v1/team-meetings", {"kind": "regular", "present": []},
                                                  content_type="application/json",
                                                  headers={"accept-language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"]["present"] == ["Name the people present."]


def test_the_api_records_a_meeting(province, api_for):
    team = people(province, 2)
    api = api_for(province.lead)
    response = api.post("/api/v1/team-meetings", {"kind": MeetingKind.EXTRAORDINARY, "present": [team[0].pk],
                                                  "absent": [team[1].pk], "minutes": "Họp đột xuất"},
                        content_type="application/json")
    assert response.status_code == 201
    assert [(a["name"], a["present"]) for a in response.json()["attendance"]] == [
        ("Thành viên 1", True), ("Thành viên 2", False)]
    assert api.get("/api/v1/team-meetings").json()["count"] == 1


def test_the_meeting_list_and_the_due_page_do_not_grow_in_queries(province, client_for,
                                                                  django_assert_max_num_queries):
    from ungcuu.registry import actions as registry_actions

    team = people(province, 2)
    client = client_for(province.officer)
    actions.record_meeting(actor=province.officer, kind=MeetingKind.REGULAR, held_on=TODAY, present=team)
    with django_assert_max_num_queries(12) as few_meetings:
        client.get("/drills/meetings/")
    with django_assert_max_num_queries(12) as few_duties:
        client.get("/drills/due/")
    for i in range(5):
        actions.record_meeting(actor=province.officer, kind=MeetingKind.EXTRAORDINARY,
                               held_on=TODAY - timedelta(days=i + 1), present=team[:1], absent=team[1:])
        system = registry_actions.create_system(actor=None, name=f"Hệ thống {i}", owner=province.health,
                                                operator=province.hospital, level=3 + i % 3)
        done_drill(province, on=TODAY - timedelta(days=i), systems=[system], title=f"Diễn tập {i}")
    with django_assert_max_num_queries(len(few_meetings.captured_queries)):
        body = client.get("/drills/meetings/").content.decode()
    assert body.count('href="/drills/meetings/') >= 7  # the list link, the new link and six meetings
    with django_assert_max_num_queries(len(few_duties.captured_queries)):
        body = client.get("/drills/due/").content.decode()
    assert "Hệ thống 4" in body


def test_a_planned_drill_can_be_changed_but_not_a_done_one(province, client_for, api_for):
    drill = actions.plan_drill(actor=province.officer, kind=DrillKind.TABLETOP, title="Diễn tập trên bàn",
                               starts_on=TODAY + timedelta(days=10))
    client = client_for(province.officer)
    response = client.post(f"/drills/{drill.pk}/edit/", {"kind": "live", "title": "Diễn tập thực chiến",
                                                         "starts_on": (TODAY + timedelta(days=12)).isoformat()})
    assert response.status_code == 422  # a live drill names its systems
    client.post(f"/drills/{drill.pk}/edit/", {"kind": "live", "title": "Diễn tập thực chiến",
                                              "starts_on": (TODAY + timedelta(days=12)).isoformat(),
                                              "systems": [province.his.pk]})
    drill.refresh_from_db()
    assert (drill.kind, drill.title, drill.starts_on) == ("live", "Diễn tập thực chiến", TODAY + timedelta(days=12))
    assert drill.ends_on == drill.starts_on
    api = api_for(province.officer)
    response = api.patch(f"/api/v1/drills/{drill.pk}", {"location": "Sở KH&CN"}, content_type="application/json")
    assert response.json()["location"] == "Sở KH&CN" and response.json()["systems"][0]["id"] == province.his.pk
    done = done_drill(province, on=TODAY, systems=[province.his])
    response = api.patch(f"/api/v1/drills/{done.pk}", {"title": "x"}, content_type="application/json")
    assert response.status_code == 422
