"""The register page, the incident panel, issuing from the page and the API, downloads as attachments."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ungcuu.documents import views
from ungcuu.documents.models import Document
from ungcuu.documents.tests.helpers import RECIPIENTS, issue, triaged


@pytest.fixture
def incident(province):
    return triaged(province)


def test_the_register_lists_documents_in_a_fixed_number_of_queries(province, incident, client_for,
                                                                   django_assert_max_num_queries):
    for _ in range(12):
        issue(province, incident)
    client = client_for(province.lead)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("documents:register")).content.decode()
    assert "12/BC-ĐƯCSC" in page and "01/BC-ĐƯCSC" in page and incident.reference in page
    assert client.get(reverse("documents:register") + "?kind=final_report").content.decode().count("/BC-") == 0


def test_the_register_is_paginated(province, incident, client_for, settings):
    settings.PAGE_SIZE = 2
    for _ in range(3):
        issue(province, incident)
    client = client_for(province.officer)
    first = client.get(reverse("documents:register")).content.decode()
    assert "03/BC-ĐƯCSC" in first and "01/BC-ĐƯCSC" not in first
    assert "01/BC-ĐƯCSC" in client.get(reverse("documents:register") + "?page=2").content.decode()


@pytest.mark.parametrize("persona", ["reporter", "member", "outsider"])
def test_people_outside_the_team_and_oversight_see_no_register(province, incident, client_for, persona):
    document = issue(province, incident)
    client = client_for(getattr(province, persona))
    assert client.get(reverse("documents:register")).status_code == 403
    assert client.get(reverse("documents:download", args=[document.pk, "pdf"])).status_code == 404
    assert views.incident_panel_context(getattr(province, persona), incident) == {"doc_visible": False}


def test_the_panel_lists_the_incidents_documents_and_offers_the_form_to_the_team(province, incident,
                                                                                django_assert_max_num_queries):
    issue(province, incident)
    with django_assert_max_num_queries(3):
        context = views.incident_panel_context(province.lead, incident)
    assert [d.reference for d in context["doc_rows"]] == ["01/BC-ĐƯCSC"] and context["doc_form"] is not None
    auditor = views.incident_panel_context(province.auditor, incident)
    assert len(auditor["doc_rows"]) == 1 and auditor["doc_form"] is None


def test_issuing_from_the_incident_page(province, incident, client_for):
    response = client_for(province.officer).post(reverse("documents:issue", args=[incident.reference]), {
        "kind": "initial_report", "issued_on": "2026-02-05", "signature_prefix": "", "signer_title": "Trưởng ban",
        "signer_name": "Trần Thị Cúc", "recipients": "Sở KH&CN\nVNCERT/CC"}, follow=True)
    document = Document.objects.get()
    assert document.reference == "01/BC-ĐƯCSC" and document.recipients == ["Sở KH&CN", "VNCERT/CC"]
    assert "01/BC-ĐƯCSC" in response.content.decode()


def test_a_refused_issue_from_the_page_shows_why(province, incident, client_for):
    response = client_for(province.officer).post(reverse("documents:issue", args=[incident.reference]), {
        "kind": "final_report", "issued_on": "2026-02-05", "signer_title": "Trưởng ban", "signer_name": "Cúc",
        "recipients": "VNCERT/CC"}, follow=True)
    assert not Document.objects.exists()
    # The action's refusal (no close-out recorded) names the incident, in whatever language the page speaks.
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and incident.reference in errors[0]


def test_downloads_are_attachments_named_after_the_number(province, incident, client_for):
    document = issue(province, incident)
    client = client_for(province.auditor)
    pdf = client.get(reverse("documents:download", args=[document.pk, "pdf"]))
    assert pdf["Content-Disposition"].startswith("attachment;") and "01-BC-" in pdf["Content-Disposition"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0] \
        .extract_text()
    docx = client.get(reverse("documents:download", args=[document.pk, "docx"]))
    assert docx["Content-Type"].endswith("wordprocessingml.document") and "attachment" in docx["Content-Disposition"]
    assert client.get(reverse("documents:download", args=[document.pk, "exe"])).status_code == 404


def test_api_issue_list_and_download(province, incident, api_for, django_assert_max_num_queries):
    api = api_for(province.deputy)
    created = api.post("/api/v1/documents", {
        "incident": incident.reference, "kind": "initial_report", "signer_name": "Nguyễn Văn Bình",
        "signer_title": "Phó Trưởng ban", "signature_prefix": "KT.", "signer_authority": "Trưởng ban",
        "recipients": RECIPIENTS}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"] == "01/BC-ĐƯCSC" and body["incident"] == incident.reference
    for _ in range(5):
        issue(province, incident)
    with django_assert_max_num_queries(6):
        listed = api.get("/api/v1/documents", {"incident": incident.reference})
    assert listed.json()["count"] == 6 and listed.json()["items"][0]["reference"] == "06/BC-ĐƯCSC"
    download = api.get(body["pdf_url"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_api_refusals(province, incident, api_for):
    refused = api_for(province.deputy).post("/api/v1/documents", {
        "incident": incident.reference, "kind": "initial_report", "signer_name": "", "signer_title": "x",
        "recipients": []}, content_type="application/json")
    assert refused.status_code == 422 and {"signer_name", "recipients"} <= set(refused.json()["errors"])
    outsider = api_for(province.outsider)
    assert outsider.get("/api/v1/documents").status_code == 403
    assert outsider.post("/api/v1/documents", {
        "incident": incident.reference, "kind": "initial_report", "signer_name": "a", "signer_title": "b",
        "recipients": ["c"]}, content_type="application/json").status_code == 404
    member = api_for(province.auditor)  # sees the incident, may not issue
    assert member.post("/api/v1/documents", {
        "incident": incident.reference, "kind": "initial_report", "signer_name": "a", "signer_title": "b",
        "recipients": ["c"]}, content_type="application/json").status_code == 403
