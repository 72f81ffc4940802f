"""Evidence through the REST API: list with custody log, multipart upload, download; errors as JSON."""

import io

import pytest
import pyzipper
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ungcuu.audit.models import AuditEntry
from ungcuu.evidence import actions
from ungcuu.evidence.models import CustodyAction, EvidenceFile
from ungcuu.evidence.tests.helpers import LOG_BYTES, SAMPLE_BYTES, stored_files, tamper, upload


def test_reporter_uploads_a_file_by_multipart(province, api_for, incident):
    response = api_for(province.reporter).post(f"/api/v1/incidents/{incident.pk}/evidence", {
        "file": upload("access.log"), "kind": "system_log", "description": "Nhật ký truy cập"})
    assert response.status_code == 201, response.content
    body = response.json()
    evidence = EvidenceFile.objects.get()
    assert body["id"] == evidence.pk
    assert body["sha256"] == evidence.sha256
    assert body["size"] == len(LOG_BYTES)
    assert body["original_name"] == "access.log"
    assert body["added_by"] == "reporter"
    assert body["download_url"] == f"/api/v1/evidence/{evidence.pk}/download"
    assert [e["action"] for e in body["custody"]] == ["added"]
    assert AuditEntry.objects.filter(action="evidence.add", object_id=str(evidence.pk)).exists()


def test_upload_by_reference_works_too(province, api_for, incident):
    response = api_for(province.officer).post(f"/api/v1/incidents/{incident.reference}/evidence",
                                              {"file": upload()})
    assert response.status_code == 201
    assert response.json()["kind"] == "other"


def test_upload_over_the_size_limit_gets_422_and_nothing_is_stored(settings, province, api_for, incident,
                                                                   evidence_store):
    settings.EVIDENCE_MAX_BYTES = 1000
    response = api_for(province.reporter).post(f"/api/v1/incidents/{incident.pk}/evidence", {
        "file": upload("capture.pcap", b"p" * 5000)})
    assert response.status_code == 422
    assert "capture.pcap" in response.json()["errors"]["file"][0]
    assert not EvidenceFile.objects.exists()
    assert stored_files(evidence_store) == []


def test_upload_with_an_unknown_kind_gets_422(province, api_for, incident):
    response = api_for(province.reporter).post(f"/api/v1/incidents/{incident.pk}/evidence", {
        "file": upload(), "kind": "poem"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kind"}


def test_list_shows_each_file_with_its_custody_log(province, api_for, incident, log_file, sample):
    actions.hand_over(actor=province.officer, evidence=log_file, recipient="Cục ATTT")
    response = api_for(province.reporter).get(f"/api/v1/incidents/{incident.pk}/evidence")
    assert response.status_code == 200
    rows = {row["original_name"]: row for row in response.json()}
    assert set(rows) == {"auth.log", "lockbit mẫu.exe"}
    assert rows["auth.log"]["holder"] == "Cục ATTT"
    assert [e["action"] for e in rows["auth.log"]["custody"]] == ["added", "handed_over"]
    assert rows["auth.log"]["custody"][1]["hash_ok"] is True
    assert rows["lockbit mẫu.exe"]["is_malware"] is True
    assert rows["lockbit mẫu.exe"]["zip_password"] == "infected"
    assert rows["auth.log"]["zip_password"] is None


def test_list_takes_a_fixed_number_of_queries(province, api_for, incident, log_file):
    client = api_for(province.officer)
    url = f"/api/v1/incidents/{incident.pk}/evidence"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.get(url)  # warm-up: the first API call also notes the token's last use
    few = count()
    for i in range(4):
        evidence = actions.add_evidence(actor=province.reporter, incident=incident, kind="other",
                                        upload=upload(f"{i}.log", b"%d" % i))
        actions.verify_hash(actor=province.lead, evidence=evidence)
    assert count() == few <= 8


def test_download_is_an_attachment_and_is_logged(province, api_for, incident, log_file):
    response = api_for(province.reporter).get(f"/api/v1/evidence/{log_file.pk}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="auth.log"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == LOG_BYTES
    assert log_file.custody.last().action == CustodyAction.DOWNLOADED


def test_malware_download_is_an_encrypted_zip(province, api_for, incident, sample):
    response = api_for(province.officer).get(f"/api/v1/evidence/{sample.pk}/download")
    assert response["Content-Disposition"].startswith("attachment;")
    with pyzipper.AESZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        with pytest.raises(RuntimeError):
            archive.read("lockbit mẫu.exe")
        assert archive.read("lockbit mẫu.exe", pwd=b"infected") == SAMPLE_BYTES


def test_download_of_a_tampered_file_gets_422_and_is_logged(province, api_for, incident, log_file):
    tamper(log_file)
    response = api_for(province.officer).get(f"/api/v1/evidence/{log_file.pk}/download")
    assert response.status_code == 422
    assert log_file.sha256 in response.json()["errors"]["__all__"][0]
    assert log_file.custody.last().hash_ok is False


@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/incidents/{incident}/evidence"),
    ("post", "/api/v1/incidents/{incident}/evidence"),
    ("get", "/api/v1/evidence/{evidence}/download"),
])
def test_outsider_gets_404_for_another_agencys_evidence(province, api_for, incident, log_file, method, path):
    url = path.format(incident=incident.pk, evidence=log_file.pk)
    response = getattr(api_for(province.outsider), method)(url, {"file": upload()} if method == "post" else None)
    assert response.status_code == 404
    assert response.json()["detail"]
    assert EvidenceFile.objects.count() == 1
    assert log_file.custody.count() == 1


def test_oversight_gets_403_uploading(province, api_for, incident):
    response = api_for(province.auditor).post(f"/api/v1/incidents/{incident.pk}/evidence", {"file": upload()})
    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()
