"""The pages: list, form, detail with coverage, the recipient's own page, CSV export; bounded query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from ungcuu.advisories import actions
from ungcuu.advisories.models import Advisory, Answer, AnswerStatus, Recipient
from ungcuu.advisories.tests.helpers import make_advisory, send
from ungcuu.registry import actions as registry_actions


def _many_recipients(p, n):
    """n extra agencies, each with a PostgreSQL system, so the warning reaches n more recipients."""
    for i in range(n):
        org = registry_actions.create_organisation(actor=None, name=f"Cơ quan {i}", kind="provincial_agency",
                                                   parent=p.province)
        registry_actions.create_system(actor=None, name=f"Hệ thống {i}", owner=org, operator=org, level=2,
                                       os_versions="PostgreSQL 15")


def test_the_team_creates_a_draft_sees_who_it_reaches_and_sends_it(software, client_for):
    p = software
    client = client_for(p.officer)
    assert client.get("/advisories/new/").status_code == 200
    deadline = timezone.localdate() + timedelta(days=5)
    response = client.post("/advisories/new/", {
        "title": "Lỗ hổng PostgreSQL", "description": "Thực thi mã từ xa.", "cve_ids": "CVE-2026-12345",
        "products": "PostgreSQL | 14", "severity": "critical", "deadline": deadline.isoformat(),
        "source": "VNCERT/CC", "match_products": "on"})
    advisory = Advisory.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/advisories/{advisory.pk}/"
    page = client.get(f"/advisories/{advisory.pk}/").content.decode()
    assert "HIS bệnh viện" in page and "PostgreSQL ← PostgreSQL 14" in page and "Quản lý ngân sách" not in page
    response = client.post(f"/advisories/{advisory.pk}/send/")
    assert response.status_code == 302
    assert set(Recipient.objects.values_list("organisation__name", flat=True)) == {"Sở Y tế", "Bệnh viện Đa khoa"}


def test_a_bad_form_keeps_what_was_typed_and_saves_nothing(software, client_for):
    client = client_for(software.officer)
    response = client.post("/advisories/new/", {
        "title": "Lỗ hổng", "description": "Mô tả", "cve_ids": "CVE-26-1", "products": "PostgreSQL",
        "severity": "high", "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(), "match_products": "on"})
    assert response.status_code == 200
    assert "CVE-26-1" in response.content.decode()
    assert not Advisory.objects.exists()


def test_a_draft_can_be_changed_a_sent_warning_cannot(software, client_for):
    p = software
    client = client_for(p.lead)
    draft = make_advisory(p.officer)
    form = {"title": "Tiêu đề mới", "description": "Mô tả", "products": "PostgreSQL", "severity": "medium",
            "deadline": draft.deadline.isoformat(), "match_products": "on"}
    assert client.post(f"/advisories/{draft.pk}/edit/", form).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Tiêu đề mới" and draft.severity == "medium"
    actions.send_advisory(actor=p.officer, advisory=draft)
    client.post(f"/advisories/{draft.pk}/edit/", form | {"title": "Lại đổi"})
    draft.refresh_from_db()
    assert draft.title == "Tiêu đề mới"


def test_people_outside_the_team_cannot_write_warnings(software, client_for):
    p = software
    for user in (p.owner, p.member, p.auditor):
        assert client_for(user).get("/advisories/new/").status_code == 403


def test_an_agency_sees_only_its_own_recipient_rows(software, client_for):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")], organisations=[p.finance])
    health_row = Recipient.objects.get(advisory=advisory, organisation=p.health)
    finance_row = Recipient.objects.get(advisory=advisory, organisation=p.finance)
    owner = client_for(p.owner)
    listing = owner.get("/advisories/").content.decode()
    assert f"/advisories/recipients/{health_row.pk}/" in listing
    assert f"/advisories/recipients/{finance_row.pk}/" not in listing
    assert owner.get(f"/advisories/recipients/{health_row.pk}/").status_code == 200
    assert owner.get(f"/advisories/recipients/{finance_row.pk}/").status_code == 404
    # The warning's own page leads an agency to its row, never to the coverage of all recipients.
    assert owner.get(f"/advisories/{advisory.pk}/")["Location"] == f"/advisories/recipients/{health_row.pk}/"
    assert owner.get(f"/advisories/{advisory.pk}/coverage.csv").status_code == 404
    assert client_for(p.education_it).get(f"/advisories/{advisory.pk}/").status_code == 404
    # A draft is nobody's business outside the team.
    draft = make_advisory(p.officer)
    assert owner.get(f"/advisories/{draft.pk}/").status_code == 404


def test_an_agency_cannot_answer_for_another_through_the_page(software, client_for):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")], organisations=[p.finance])
    health_answer = Answer.objects.get(advisory=advisory, recipient__organisation=p.health)
    response = client_for(p.outsider).post(f"/advisories/answers/{health_answer.pk}/", {"status": "fixed"})
    assert response.status_code == 404
    health_row = health_answer.recipient
    assert client_for(p.outsider).post(f"/advisories/recipients/{health_row.pk}/acknowledge/").status_code == 404
    health_answer.refresh_from_db()
    assert health_answer.status == AnswerStatus.PENDING


def test_the_agency_acknowledges_and_answers_on_its_page(software, client_for):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    row = Recipient.objects.get(advisory=advisory, organisation=p.health)
    answer = row.answers.get()
    client = client_for(p.owner)
    assert client.post(f"/advisories/recipients/{row.pk}/acknowledge/").status_code == 302
    client.post(f"/advisories/answers/{answer.pk}/", {"status": "cannot_fix", "note": ""})
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.PENDING  # refused: a reason is required
    client.post(f"/advisories/answers/{answer.pk}/", {"status": "fixed", "note": "Đã vá"})
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.FIXED
    row.refresh_from_db()
    assert row.acknowledged_by == p.owner and row.completed_at is not None


def test_remind_button(software, client_for):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    client = client_for(p.deputy)
    client.post(f"/advisories/{advisory.pk}/remind/")
    assert set(Recipient.objects.values_list("reminder_count", flat=True)) == {1}
    client.post(f"/advisories/{advisory.pk}/remind/")
    assert set(Recipient.objects.values_list("reminder_count", flat=True)) == {1}


def test_coverage_csv_has_one_row_per_recipient_system(software, client_for):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")], organisations=[p.isp])
    actions.answer_advisory(actor=p.owner, answer=Answer.objects.get(recipient__organisation=p.health),
                            status="fixed", note="14.11")
    response = client_for(p.auditor).get(f"/advisories/{advisory.pk}/coverage.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = {(r[0], r[3]): r for r in rows[1:]}
    assert set(body) == {("Bệnh viện Đa khoa", "Xét nghiệm"), ("Sở Y tế", "HIS bệnh viện"), ("VNPT", "")}
    assert body[("Sở Y tế", "HIS bệnh viện")][4] == "PostgreSQL ← PostgreSQL 14"
    assert body[("Sở Y tế", "HIS bệnh viện")][6] == "14.11"
    assert body[("Sở Y tế", "HIS bệnh viện")][1]  # acknowledged by answering


def test_list_filters_by_status(software, client_for):
    p = software
    sent = send(p.officer, title="Cảnh báo đã gửi")
    draft = make_advisory(p.officer, title="Bản nháp cảnh báo")
    page = client_for(p.officer).get("/advisories/?status=draft").content.decode()
    assert f"/advisories/{draft.pk}/" in page and f"/advisories/{sent.pk}/" not in page


@pytest.mark.parametrize("extra", [0, 12])
def test_list_query_count_does_not_grow_with_rows(software, client_for, django_assert_max_num_queries, extra):
    p = software
    for i in range(3 + extra):
        send(p.officer, title=f"Cảnh báo {i}")
    client = client_for(p.officer)
    client.get("/advisories/")
    with django_assert_max_num_queries(9):
        assert client.get("/advisories/").status_code == 200
    owner = client_for(p.owner)
    owner.get("/advisories/")
    with django_assert_max_num_queries(9):
        assert owner.get("/advisories/").status_code == 200


@pytest.mark.parametrize("extra", [0, 15])
def test_detail_query_count_does_not_grow_with_recipients(software, client_for, django_assert_max_num_queries,
                                                         extra):
    p = software
    _many_recipients(p, extra)
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    assert Recipient.objects.filter(advisory=advisory).count() == 2 + extra
    for answer in Answer.objects.filter(advisory=advisory)[:5]:
        actions.answer_advisory(actor=p.officer, answer=answer, status="fixed")
    client = client_for(p.officer)
    client.get(f"/advisories/{advisory.pk}/")
    with django_assert_max_num_queries(12):
        assert client.get(f"/advisories/{advisory.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/advisories/{advisory.pk}/coverage.csv").status_code == 200


def test_recipient_page_query_count_does_not_grow_with_systems(software, client_for,
                                                             django_assert_max_num_queries):
    p = software
    for i in range(15):
        registry_actions.create_system(actor=None, name=f"Hệ thống Y tế {i}", owner=p.health, operator=p.health,
                                       level=1, os_versions="PostgreSQL 13")
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    row = Recipient.objects.get(advisory=advisory, organisation=p.health)
    assert row.answers.count() == 16
    client = client_for(p.owner)
    client.get(f"/advisories/recipients/{row.pk}/")
    with django_assert_max_num_queries(9):
        assert client.get(f"/advisories/recipients/{row.pk}/").status_code == 200
