"""The printed coordination order carries the order's own number (one sequence per issuer, NĐ 30/2020 Điều 15),
and marking a report sent enters it in the incident's register of reports sent, meeting its deadlines
(TT 20/2017 Điều 9.3)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from ungcuu.coordination.tests.helpers import issue as issue_order
from ungcuu.deadlines.models import Deadline
from ungcuu.documents import actions
from ungcuu.documents.models import Document
from ungcuu.documents.tests.helpers import issue, triaged
from ungcuu.documents.tests.test_issue import NATIONAL, docx_text, pdf_text
from ungcuu.incidents.models import IncidentReport


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def print_order(province, order, **extra):
    values = {"signer_title": "Trưởng ban", **extra}
    return actions.issue_order_document(actor=province.lead, order=order, **values)


def test_orders_and_documents_share_the_issuers_yearly_sequence(province):
    incident = triaged(province)
    report = issue(province, incident)
    order = issue_order(province, incident)
    later = issue(province, incident, "progress_report", note="Tiến độ")
    assert (report.number, order.number, later.number) == (1, 2, 3)
    assert order.reference == f"02/{order.symbol}"


def test_the_printed_order_has_the_orders_number_and_its_biểu_mẫu_06_content(province):
    incident = triaged(province)
    issue(province, incident)
    order = issue_order(province, incident)
    document = print_order(province, order)
    assert document.reference == order.reference and document.number == order.number
    assert Document.objects.filter(issuer=order.issuer, year=order.year, number=order.number).count() == 1
    text = pdf_text(document)
    for expected in (NATIONAL, order.reference, incident.reference, "LỆNH ĐIỀU PHỐI", "Thu thập nhật ký máy chủ HIS",
                     "Phòng PA05, 0255 3822 000", province.member.full_name,
                     f"{timezone.localtime(order.due_at):%H:%M %d/%m/%Y}"):
        assert expected in text, expected
    assert order.reference in docx_text(document)


def test_an_order_is_printed_once_and_never_through_the_generic_issue(province):
    incident = triaged(province)
    order = issue_order(province, incident)
    document = print_order(province, order)
    with pytest.raises(ValidationError, match="already issued"):
        print_order(province, order)
    with pytest.raises(ValidationError, match="issued from the order"):
        issue(province, incident, "coordination_order", note="Điều phối")
    with pytest.raises(ValidationError, match="not re-issued"):
        actions.reissue_document(actor=province.lead, document=document, reason="Sửa lỗi chính tả")


def test_marking_the_initial_report_sent_registers_it_and_meets_its_deadlines(province):
    incident = triaged(province)
    document = issue(province, incident)
    open_before = set(Deadline.objects.open().filter(incident=incident, kind__in=["notify", "initial_report"])
                      .values_list("kind", flat=True))
    assert open_before, "the intake starts the notification deadlines"
    actions.mark_sent(actor=province.officer, document=document)
    report = IncidentReport.objects.get(incident=incident)
    assert (report.kind, report.number, report.issued_on) == ("initial", document.reference, document.issued_on)
    assert "Trung tâm VNCERT/CC" in report.recipients
    assert not Deadline.objects.open().filter(incident=incident, kind__in=open_before).exists()
    with pytest.raises(ValidationError, match="already marked sent"):
        actions.mark_sent(actor=province.officer, document=document)


def test_the_order_page_prints_the_order_and_the_register_marks_sent(province, client_for):
    incident = triaged(province)
    order = issue_order(province, incident)
    lead = client_for(province.lead)
    page = lead.get(f"/coordination/orders/{order.pk}/").content.decode()
    assert f"/coordination/orders/{order.pk}/document/" in page
    response = lead.post(f"/coordination/orders/{order.pk}/document/", {"signer_title": "Trưởng ban"})
    assert response.status_code == 302
    document = Document.objects.get(order=order)
    page = lead.get(f"/coordination/orders/{order.pk}/").content.decode()
    assert f"/documents/{document.pk}/pdf/" in page and order.reference in page
    report = issue(province, incident)
    register = lead.get("/documents/").content.decode()
    assert f"/documents/{report.pk}/sent/" in register
    assert f"/documents/{document.pk}/sent/" not in register  # an order is not a report of the register
    lead.post(f"/documents/{report.pk}/sent/", {"next": "/documents/"})
    assert IncidentReport.objects.filter(incident=incident, number=report.reference).exists()
    assert client_for(province.outsider).post(
        f"/coordination/orders/{order.pk}/document/", {"signer_title": "X"}).status_code == 404


def test_the_api_prints_an_order_and_marks_a_report_sent(province, api_for):
    incident = triaged(province)
    order = issue_order(province, incident)
    api = api_for(province.lead)
    response = api.post(f"/api/v1/coordination/orders/{order.pk}/document", {"signer_title": "Trưởng ban"},
                        content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == order.reference and response.json()["order"] == order.pk
    report = issue(province, incident)
    response = api.post(f"/api/v1/documents/{report.pk}/sent", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["sent_at"]
    response = api.post(f"/api/v1/documents/{report.pk}/sent", {}, content_type="application/json",
                        headers={"accept-language": "en"})
    assert response.status_code == 422 and "already marked sent" in str(response.json()["errors"]["document"])


def test_marking_sent_returns_only_to_a_page_of_this_site(province, client_for):
    report = issue(province, triaged(province))
    response = client_for(province.lead).post(f"/documents/{report.pk}/sent/", {"next": "//evil.example/x"})
    assert response.status_code == 302 and response["Location"] == "/documents/"
