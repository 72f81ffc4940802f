"""The network-member dossier (TT 20/2017 Biểu mẫu 01): sections 1–8, the yearly update (Điều 5.3) and the
focal point change to notify within 24 hours (Điều 6.1.b)."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ungcuu.deadlines.models import Deadline, DeadlineKind
from ungcuu.dossiers import actions
from ungcuu.dossiers.models import Dossier, FocalPoint, FocalPointChange, FocalPointRole

FOCAL = {"full_name": "Nguyễn Văn An", "position": "Trưởng phòng", "mobile": "0905 111 222",
         "email": "an@example.vn", "address": "01 Hùng Vương"}


def dossier_of(province, **fields):
    return actions.create_dossier(actor=province.officer, organisation=province.province,
                                  systems=[province.his], **fields)


def test_a_dossier_starts_from_the_registry_and_only_the_team_keeps_it(province):
    with pytest.raises(PermissionDenied):
        actions.create_dossier(actor=province.member, organisation=province.province)
    dossier = dossier_of(province, staff_defence=3)
    assert dossier.name == "UBND tỉnh Thử nghiệm"
    assert [s.level for s in dossier.systems.all()] == [3]
    with pytest.raises(ValidationError) as exc:
        dossier_of(province)
    assert "organisation" in exc.value.message_dict


@pytest.mark.parametrize(("fields", "field"), [
    ({"email": "not an e-mail"}, "email"),
    ({"website": "nowhere"}, "website"),
    ({"staff_defence": -1}, "staff_defence"),
    ({"name": ""}, "name"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_input_is_refused_and_nothing_stored_is_lost(province, fields, field):
    dossier = dossier_of(province, email="ubnd@example.vn", capabilities="Giám sát 24/7")
    with pytest.raises(ValidationError) as exc:
        actions.update_dossier(actor=province.officer, dossier=dossier, capabilities="changed", **fields)
    assert field in exc.value.message_dict
    dossier.refresh_from_db()
    assert (dossier.email, dossier.capabilities) == ("ubnd@example.vn", "Giám sát 24/7")


# (last confirmed, today, update due?) — TT 20/2017 Điều 5.3 "định kỳ cập nhật hàng năm".
YEARLY = [
    (None, date(2026, 11, 29), True),
    (date(2026, 1, 10), date(2026, 11, 29), False),
    (date(2025, 11, 29), date(2026, 11, 29), False),
    (date(2025, 11, 28), date(2026, 11, 29), True),
    (date(2024, 2, 29), date(2025, 2, 28), False),
    (date(2024, 2, 29), date(2025, 3, 1), True),
]


@pytest.mark.parametrize(("confirmed_on", "today", "due"), YEARLY)
def test_the_update_is_due_when_the_last_confirmation_is_more_than_12_months_old(confirmed_on, today, due):
    assert Dossier(confirmed_on=confirmed_on, created_at=timezone.now()).update_due(today) is due


def test_confirming_clears_the_update_due(province, client_for):
    dossier = dossier_of(province)
    assert "hạn cập nhật" in client_for(province.lead).get(f"/dossiers/{dossier.pk}/").content.decode()  # update due
    client_for(province.lead).post(f"/dossiers/{dossier.pk}/confirm/")
    dossier.refresh_from_db()
    assert dossier.confirmed_on == timezone.localdate() and not dossier.update_due()


def _notice_deadlines():
    return Deadline.objects.filter(kind=DeadlineKind.FOCAL_POINT_NOTICE)


def test_a_focal_point_change_must_be_notified_within_24_hours_until_the_notice_is_recorded(province, client_for):
    """TT 20/2017 Điều 6.1.b: "cập nhật thông tin về Đầu mối ứng cứu sự cố, trong vòng 24 giờ khi có thay đổi"."""
    dossier = dossier_of(province)
    change = actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.MAIN, **FOCAL)
    [deadline] = _notice_deadlines()
    assert deadline.is_open and deadline.organisation == province.province
    assert deadline.due_at - change.changed_at == timedelta(hours=24)  # the engine's rule, not a given due
    assert deadline.rule.article == "Điều 6.1.b"
    body = client_for(province.officer).get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "cần thông báo Cơ quan điều phối quốc gia trong vòng 24 giờ" in body  # to notify … within 24 hours

    sent = timezone.now()
    actions.record_focal_point_notice(actor=province.officer, dossier=dossier, sent_at=sent, means="email",
                                      reference="[TBSC] Cập nhật đầu mối")
    deadline.refresh_from_db()
    assert deadline.met_at == sent and deadline.met_at <= deadline.due_at
    change.refresh_from_db()
    assert change.notice_reference == "[TBSC] Cập nhật đầu mối"
    body = client_for(province.officer).get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "cần thông báo Cơ quan điều phối quốc gia trong vòng 24 giờ" not in body
    with pytest.raises(ValidationError):  # nothing left to notify
        actions.record_focal_point_notice(actor=province.officer, dossier=dossier, sent_at=sent, means="email")


def test_a_new_focal_point_replaces_the_old_one_and_keeps_the_history(province):
    dossier = dossier_of(province)
    actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.BACKUP, **FOCAL)
    with pytest.raises(ValidationError):  # the same person again is no change
        actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.BACKUP, **FOCAL)
    change = actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.BACKUP,
                                        **{**FOCAL, "full_name": "Trần Thị Bình", "email": "binh@example.vn"})
    assert change.previous.full_name == "Nguyễn Văn An" and change.previous.until is not None
    assert [f.full_name for f in FocalPoint.objects.filter(dossier=dossier, until__isnull=True)] == ["Trần Thị Bình"]
    assert _notice_deadlines().filter(met_at__isnull=True).count() == 2


@pytest.mark.parametrize(("fields", "field"), [
    ({"mobile": ""}, "mobile"),
    ({"email": "nope"}, "email"),
    ({"full_name": ""}, "full_name"),
])
def test_a_focal_point_without_its_contacts_is_refused_and_the_old_one_stays(province, fields, field):
    dossier = dossier_of(province)
    actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.MAIN, **FOCAL)
    with pytest.raises(ValidationError) as exc:
        actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.MAIN,
                                   **{**FOCAL, "full_name": "Người mới", **fields})
    assert field in exc.value.message_dict
    assert [f.full_name for f in FocalPoint.objects.filter(dossier=dossier, until__isnull=True)] == ["Nguyễn Văn An"]
    assert FocalPointChange.objects.count() == 1


def test_a_notice_dated_before_the_change_is_refused(province):
    dossier = dossier_of(province)
    change = actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.MAIN, **FOCAL)
    with pytest.raises(ValidationError) as exc:
        actions.record_focal_point_notice(actor=province.officer, dossier=dossier, means="fax",
                                          sent_at=change.changed_at - timedelta(hours=1))
    assert "sent_at" in exc.value.message_dict
    assert _notice_deadlines().get().is_open


def test_the_pages_change_a_focal_point_and_record_the_notice(province, client_for):
    dossier = dossier_of(province)
    client = client_for(province.deputy)
    client.post(f"/dossiers/{dossier.pk}/focal-point/", {"role": "main", **FOCAL})
    assert FocalPointChange.objects.pending().count() == 1
    now = timezone.localtime()
    client.post(f"/dossiers/{dossier.pk}/notice/", {"sent_at": now.strftime("%Y-%m-%dT%H:%M"), "means": "letter",
                                                    "reference": "Công văn 12/PA05"})
    assert FocalPointChange.objects.pending().count() == 0
    assert _notice_deadlines().get().met_at is not None
    page = client_for(province.auditor).get(f"/dossiers/{dossier.pk}/print/").content.decode()
    assert "Nguyễn Văn An" in page and "0905 111 222" in page and "HIS bệnh viện" in page
    assert client_for(province.auditor).post(f"/dossiers/{dossier.pk}/confirm/").status_code == 302
    dossier.refresh_from_db()
    assert dossier.confirmed_on is None  # refused: the auditor reads only


def test_sections_6_and_8_staff_and_experts(province, client_for):
    dossier = dossier_of(province)
    client = client_for(province.officer)
    client.post(f"/dossiers/{dossier.pk}/staff/", {"field": "An toàn thông tin", "level": "Đại học",
                                                   "certificate": "CEH", "count": 4})
    client.post(f"/dossiers/{dossier.pk}/experts/", {"full_name": "Lê Văn Cường", "graduated": "6/2012"})
    with pytest.raises(ValidationError):
        actions.add_expert(actor=province.officer, dossier=dossier, full_name="X", graduated="2012")
    assert dossier.staff.get().count == 4
    assert dossier.experts.get().graduated == "06/2012"
    body = client.get(f"/dossiers/{dossier.pk}/print/").content.decode()
    assert "CEH" in body and "06/2012" in body
    client.post(f"/dossiers/{dossier.pk}/staff/{dossier.staff.get().pk}/remove/")
    assert not dossier.staff.exists()


def test_who_sees_which_dossier(province, client_for):
    own = dossier_of(province)
    finance = actions.create_dossier(actor=province.officer, organisation=province.finance)
    assert client_for(province.outsider).get(f"/dossiers/{own.pk}/").status_code == 404
    assert client_for(province.outsider).get(f"/dossiers/{finance.pk}/").status_code == 200
    body = client_for(province.member).get("/dossiers/").content.decode()
    assert "UBND tỉnh Thử nghiệm" in body and "Sở Tài chính" in body
    assert client_for(province.member).get("/dossiers/new/").status_code == 403


def test_the_list_is_paged_and_its_queries_do_not_grow(province, client_for, django_assert_max_num_queries,
                                                       settings):
    settings.PAGE_SIZE = 3
    client = client_for(province.lead)
    dossier_of(province)
    with django_assert_max_num_queries(8) as few:
        client.get("/dossiers/")
    for organisation in (province.health, province.hospital, province.finance, province.isp, province.pa05):
        dossier = actions.create_dossier(actor=province.officer, organisation=organisation)
        actions.change_focal_point(actor=province.officer, dossier=dossier, role="main", **FOCAL)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/dossiers/").content.decode()
    assert len(re.findall(r'href="/dossiers/\d+/"', body)) == 3  # one page of three


def test_the_pages_open_and_edit_a_dossier(province, client_for):
    client = client_for(province.officer)
    response = client.post("/dossiers/new/", {"organisation": province.health.pk, "email": "bad",
                                              "staff_management": 0, "staff_defence": 0, "staff_protection": 0,
                                              "staff_assessment": 0})
    assert response.status_code == 422 and not Dossier.objects.exists()
    response = client.post("/dossiers/new/", {"organisation": province.health.pk, "staff_management": 1,
                                              "staff_defence": 2, "staff_protection": 0, "staff_assessment": 0,
                                              "systems": [province.his.pk]})
    dossier = Dossier.objects.get()
    assert response.url == f"/dossiers/{dossier.pk}/" and dossier.name == "Sở Y tế"
    response = client.post(f"/dossiers/{dossier.pk}/edit/", {"name": "Sở Y tế tỉnh", "staff_management": 1,
                                                             "staff_defence": 5, "staff_protection": 0,
                                                             "staff_assessment": 0})
    dossier.refresh_from_db()
    assert (dossier.name, dossier.staff_defence, dossier.systems.count()) == ("Sở Y tế tỉnh", 5, 0)


def test_the_api(province, api_for, django_assert_max_num_queries):
    api = api_for(province.officer)
    response = api.post("/api/v1/dossiers", {"organisation": province.province.pk, "systems": [province.his.pk],
                                             "staff_defence": 2}, content_type="application/json")
    assert response.status_code == 201, response.content
    dossier = response.json()
    assert dossier["systems"] == [{"id": province.his.pk, "name": "HIS bệnh viện", "level": 3}]
    assert dossier["update_due"] is True
    url = f"/api/v1/dossiers/{dossier['id']}"
    response = api.patch(url, {"reception_email": "nope"}, content_type="application/json")
    assert response.status_code == 422 and "reception_email" in response.json()["errors"]
    response = api.post(f"{url}/focal-points", {"role": "backup", **FOCAL}, content_type="application/json")
    assert response.status_code == 201 and response.json()["notified_at"] is None
    assert [c["new"] for c in api.get(url).json()["pending_changes"]] == ["Nguyễn Văn An"]
    response = api.post(f"{url}/focal-point-notice", {"sent_at": timezone.now().isoformat(), "means": "system"},
                        content_type="application/json")
    assert response.status_code == 200 and response.json()[0]["notice_means"] == "system"
    assert api.post(f"{url}/confirm").json()["update_due"] is False
    assert api.post(f"{url}/experts", {"full_name": "Lê Văn Cường"}, content_type="application/json"
                    ).status_code == 201
    with django_assert_max_num_queries(10):
        listing = api.get("/api/v1/dossiers").json()
    assert listing["count"] == 1 and listing["items"][0]["focal_points"][0]["full_name"] == "Nguyễn Văn An"
    outsider = api_for(province.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.get("/api/v1/dossiers").json()["count"] == 0
    assert outsider.post("/api/v1/dossiers", {"organisation": province.finance.pk},
                         content_type="application/json").status_code == 403


def test_the_word_file_is_the_form_filled_in(province, client_for, api_for):
    import io

    from docx import Document as Docx

    dossier = dossier_of(province, staff_defence=4)
    actions.change_focal_point(actor=province.officer, dossier=dossier, role=FocalPointRole.MAIN, **FOCAL)
    actions.add_expert(actor=province.officer, dossier=dossier, full_name="Lê Văn Cường", graduated="06/2012")
    actions.add_staff_entry(actor=province.officer, dossier=dossier, field="An toàn thông tin", level="Đại học",
                            count=4)
    response = client_for(province.auditor).get(f"/dossiers/{dossier.pk}/docx/")
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = Docx(io.BytesIO(response.content))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    for value in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "UBND tỉnh Thử nghiệm", "Nguyễn Văn An", "0905 111 222",
                  "HIS bệnh viện", "Lê Văn Cường", "06/2012", "An toàn thông tin"):
        assert value in text
    assert "{{" not in text and "{%" not in text
    assert api_for(province.officer).get(f"/api/v1/dossiers/{dossier.pk}/docx").status_code == 200
    assert client_for(province.outsider).get(f"/dossiers/{dossier.pk}/docx/").status_code == 404
