"""Evidence pages: upload, the panel on the incident page, detail with custody log, downloads, hand-over."""

import io

import pytest
import pyzipper
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ungcuu.audit.models import AuditEntry
from ungcuu.evidence import actions, store
from ungcuu.evidence.models import CustodyAction, EvidenceFile
from ungcuu.evidence.tests.helpers import LOG_BYTES, SAMPLE_BYTES, stored_files, tamper, upload
from ungcuu.evidence.views import evidence_context


def add_url(incident):
    return reverse("evidence:add", args=[incident.reference])


def test_reporter_uploads_a_file_and_returns_to_the_incident_page(province, client_for, incident):
    client = client_for(province.reporter)
    back = f"/incidents/{incident.reference}/"
    response = client.post(add_url(incident), {"file": upload("nhật ký.log"), "kind": "system_log",
                                               "description": "Log máy chủ", "next": back})
    assert response.status_code == 302
    assert response.url == back
    evidence = EvidenceFile.objects.get()
    assert (evidence.original_name, evidence.added_by, evidence.size) == ("nhật ký.log", province.reporter,
                                                                          len(LOG_BYTES))
    assert AuditEntry.objects.filter(action="evidence.add", object_id=str(evidence.pk)).exists()


def test_upload_goes_to_the_file_page_when_next_points_elsewhere(province, client_for, incident):
    response = client_for(province.officer).post(add_url(incident), {
        "file": upload(), "kind": "other", "next": "https://evil.example/"})
    assert response.url == reverse("evidence:detail", args=[EvidenceFile.objects.get().pk])


def test_upload_over_the_size_limit_shows_the_error_on_the_form_and_stores_nothing(
        settings, province, client_for, incident, evidence_store):
    settings.EVIDENCE_MAX_BYTES = 1000
    response = client_for(province.reporter).post(add_url(incident), {
        "file": upload("capture.pcap", b"p" * 1001), "kind": "other"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist"' in body
    with translation.override("vi"):
        expected = store._too_large("capture.pcap").messages[0]
    assert expected in body
    assert not EvidenceFile.objects.exists()
    assert stored_files(evidence_store) == []


def test_upload_form_without_a_file_says_so(province, client_for, incident):
    response = client_for(province.reporter).post(add_url(incident), {"kind": "other"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_panel_lists_each_file_with_hash_size_name_and_who_added_it(province, incident, log_file, sample):
    request = RequestFactory().get(f"/incidents/{incident.reference}/")
    request.user = province.reporter
    html = render_to_string("evidence/panel.html", evidence_context(province.reporter, incident), request=request)
    for evidence in (log_file, sample):
        assert evidence.original_name in html
        assert evidence.sha256 in html
        assert reverse("evidence:download", args=[evidence.pk]) in html
    assert province.officer.get_full_name() in html
    assert "infected" in html
    assert 'enctype="multipart/form-data"' in html
    assert add_url(incident) in html


def test_panel_offers_no_upload_form_to_oversight(province, incident, log_file):
    context = evidence_context(province.auditor, incident)
    assert context["can_add_evidence"] is False
    request = RequestFactory().get("/")
    request.user = province.auditor
    assert add_url(incident) not in render_to_string("evidence/panel.html", context, request=request)


def test_panel_context_takes_a_fixed_number_of_queries(province, incident):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            context = evidence_context(province.reporter, incident)
            for evidence in context["evidence_files"]:
                [(e.actor, e.hash_ok) for e in evidence.custody.all()]
                str(evidence.added_by)
        return len(captured)

    actions.add_evidence(actor=province.officer, incident=incident, upload=upload("a.log"), kind="other")
    few = count()
    for i in range(5):
        evidence = actions.add_evidence(actor=province.reporter, incident=incident, kind="other",
                                        upload=upload(f"{i}.log", b"%d" % i))
        actions.verify_hash(actor=province.lead, evidence=evidence)
    assert count() == few


def test_detail_page_shows_the_custody_log(province, client_for, incident, log_file):
    actions.hand_over(actor=province.officer, evidence=log_file, recipient="Đội ứng cứu tỉnh")
    body = client_for(province.reporter).get(reverse("evidence:detail", args=[log_file.pk])).content.decode()
    assert log_file.sha256 in body
    assert "Đội ứng cứu tỉnh" in body
    assert "Nhật ký SSH máy chủ HIS" in body
    assert reverse("evidence:hand_over", args=[log_file.pk]) not in body  # the reporter is not a custodian


def test_plain_file_downloads_as_an_attachment_never_inline(province, client_for, incident, log_file):
    response = client_for(province.reporter).get(reverse("evidence:download", args=[log_file.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="auth.log"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == LOG_BYTES
    event = log_file.custody.last()
    assert (event.action, event.actor, event.hash_ok) == (CustodyAction.DOWNLOADED, province.reporter, True)
    assert AuditEntry.objects.filter(action="evidence.downloaded", object_id=str(log_file.pk)).exists()


def test_html_evidence_is_still_served_as_an_attachment(province, client_for, incident):
    page = actions.add_evidence(actor=province.officer, incident=incident, kind="other",
                                upload=upload("phish.html", b"<script>alert(1)</script>", "text/html"))
    response = client_for(province.officer).get(reverse("evidence:download", args=[page.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_malware_sample_downloads_only_inside_a_zip_with_the_password_infected(province, client_for, incident,
                                                                                sample):
    response = client_for(province.officer).get(reverse("evidence:download", args=[sample.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".exe.zip" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert SAMPLE_BYTES not in data
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["lockbit mẫu.exe"]
        with pytest.raises(RuntimeError):
            archive.read("lockbit mẫu.exe")
        archive.setpassword(b"wrong")
        with pytest.raises(RuntimeError):
            archive.read("lockbit mẫu.exe")
        archive.setpassword(b"infected")
        assert archive.read("lockbit mẫu.exe") == SAMPLE_BYTES


def test_malware_sample_page_names_the_password(province, client_for, incident, sample):
    body = client_for(province.reporter).get(reverse("evidence:detail", args=[sample.pk])).content.decode()
    assert "<code>infected</code>" in body


def test_tampered_file_download_is_refused_with_the_reason_and_logged(province, client_for, incident, sample):
    tamper(sample)
    response = client_for(province.officer).get(reverse("evidence:download", args=[sample.pk]))
    assert response.status_code == 409
    assert "Content-Disposition" not in response
    assert sample.sha256 in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    event = sample.custody.last()
    assert (event.action, event.hash_ok) == (CustodyAction.DOWNLOADED, False)
    assert AuditEntry.objects.get(action="evidence.downloaded").changes["hash_ok"] is False


def test_officer_hands_over_and_checks_the_hash_from_the_page(province, client_for, incident, log_file):
    client = client_for(province.officer)
    response = client.post(reverse("evidence:hand_over", args=[log_file.pk]),
                           {"recipient": "Cục An toàn thông tin", "note": "Biên bản số 12"})
    assert response.status_code == 302
    response = client.post(reverse("evidence:verify", args=[log_file.pk]))
    assert response.status_code == 302
    assert [e.action for e in log_file.custody.all()] == [CustodyAction.ADDED, CustodyAction.HANDED_OVER,
                                                         CustodyAction.VERIFIED]
    log_file.refresh_from_db()
    assert log_file.holder == "Cục An toàn thông tin"
    body = client.get(response.url).content.decode()
    assert "Biên bản số 12" in body


def test_hand_over_without_recipient_shows_the_error(province, client_for, incident, log_file):
    response = client_for(province.officer).post(reverse("evidence:hand_over", args=[log_file.pk]), {"note": "x"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert log_file.custody.count() == 1


def test_verify_of_a_tampered_file_reports_the_mismatch(province, client_for, incident, log_file):
    tamper(log_file)
    client = client_for(province.lead)
    response = client.post(reverse("evidence:verify", args=[log_file.pk]), follow=True)
    assert 'class="error"' in response.content.decode()
    assert log_file.custody.last().hash_ok is False


def test_reporter_may_not_hand_over(province, client_for, incident, log_file):
    response = client_for(province.reporter).post(reverse("evidence:hand_over", args=[log_file.pk]),
                                                  {"recipient": "Tôi"})
    assert response.status_code == 403
    assert log_file.custody.count() == 1


@pytest.mark.parametrize("name,method", [("detail", "get"), ("download", "get"), ("hand_over", "post"),
                                         ("verify", "post")])
def test_outsider_gets_404_for_another_agencys_evidence(province, client_for, incident, log_file, name, method):
    response = getattr(client_for(province.outsider), method)(reverse(f"evidence:{name}", args=[log_file.pk]),
                                                               {"recipient": "X"} if method == "post" else None)
    assert response.status_code == 404
    assert log_file.custody.count() == 1


def test_outsider_gets_404_uploading_to_another_agencys_incident(province, client_for, incident, evidence_store):
    response = client_for(province.outsider).post(add_url(incident), {"file": upload(), "kind": "other"})
    assert response.status_code == 404
    assert not EvidenceFile.objects.exists()
    assert stored_files(evidence_store) == []


def test_oversight_may_see_but_not_upload(province, client_for, incident, log_file):
    client = client_for(province.auditor)
    assert client.get(reverse("evidence:detail", args=[log_file.pk])).status_code == 200
    assert client.post(add_url(incident), {"file": upload(), "kind": "other"}).status_code == 403


def test_signed_out_visitors_are_sent_to_the_login_page(incident, log_file):
    from django.test import Client

    response = Client().get(reverse("evidence:download", args=[log_file.pk]))
    assert response.status_code == 302
    assert "login" in response.url


def test_incident_page_shows_the_evidence_panel(province, client_for, incident, log_file, sample):
    body = client_for(province.reporter).get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert log_file.sha256 in body
    assert sample.original_name in body
    assert "infected" in body
    assert add_url(incident) in body
