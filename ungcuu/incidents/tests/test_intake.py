"""Intake: the Biểu mẫu 03 form, the public page, the API, drafts; nothing submitted is lost (SPEC §3)."""

import json
from datetime import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ungcuu.audit.models import AuditEntry
from ungcuu.evidence.models import EvidenceFile
from ungcuu.incidents import actions
from ungcuu.incidents.models import Channel, Incident, ReferenceCounter, Submission
from ungcuu.incidents.tests.helpers import make_incident, report_payload

REQUIRED_FIELDS = [  # the (*) fields of Biểu mẫu 03, TT 20/2017 Phụ lục I (REGULATION.md §1.10)
    "reporter_name", "reporter_address", "reporter_phone", "reporter_email", "contact_name", "contact_phone",
    "contact_email", "operator_name", "description", "detected_at", "handling_status", "detection_method",
    "notified_parties", "reported_at",
]


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


def form_data(**overrides):
    """The report as the browser posts it: lists for check boxes, text boxes for addresses."""
    data = report_payload(**overrides)
    data["ip_addresses"] = "\n".join(data["ip_addresses"])
    data["domains"] = "\n".join(data["domains"])
    data["confidential"] = "no"
    data["detected_at"] = "20/11/2026 08:30"
    data["reported_at"] = "20/11/2026 09:00"
    data["action"] = "submit"
    return {k: v for k, v in data.items() if v is not None}


def test_web_report_gets_reference_acknowledgement_and_audit(province, client_for, mailoutbox, run_tasks):
    log = SimpleUploadedFile("access.log", b"GET /admin 200\n" * 10, content_type="text/plain")
    response = client_for(province.reporter).post("/incidents/report/", {**form_data(), "files_system_log": log})

    assert response.status_code == 200
    incident = Incident.objects.get()
    assert incident.reference == f"SC-{incident.year}-0001"
    assert incident.reference in response.content.decode()
    assert incident.channel == Channel.WEB_FORM and incident.organisation == province.health
    assert timezone.localtime(incident.detected_at).strftime("%d/%m/%Y %H:%M") == "20/11/2026 08:30"
    assert incident.attachment_kinds == ["system_log"]  # the attached log counts as "sent with the report"
    evidence = EvidenceFile.objects.get(incident=incident)
    assert evidence.original_name == "access.log" and evidence.size == 150 and len(evidence.sha256) == 64
    assert AuditEntry.objects.filter(action="incidents.report", object_id=str(incident.pk)).exists()

    run_tasks()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert incident.reference in mail.subject
    assert set(mail.to) == {"soyte@example.vn", "an.nv@example.vn"}
    assert "Đã tiếp nhận" in mail.subject  # Vietnamese whatever the worker's language
    # TT 20 Điều 9.2.a / 10.1.b: the notification deadline runs 5 days from detection, the acknowledgement is met.
    deadlines = {d.kind: d for d in incident.deadlines.all()}
    assert deadlines["acknowledge_report"].met_at is not None
    notify = deadlines["notify"]
    assert notify.met_at is None
    assert timezone.localtime(notify.due_at).strftime("%d/%m/%Y") == "25/11/2026"  # detected 20/11, +5 days


def test_api_report_gets_reference_acknowledgement_and_audit(province, api_for, mailoutbox, run_tasks):
    response = api_for(province.reporter).post("/api/v1/incidents", report_payload(), content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    incident = Incident.objects.get(pk=body["id"])
    assert body["reference"] == incident.reference
    assert incident.channel == Channel.API
    assert Submission.objects.get(pk=body["submission"]).incident == incident
    assert AuditEntry.objects.filter(action="incidents.report", object_id=str(incident.pk)).exists()
    run_tasks()
    assert [incident.reference in m.subject for m in mailoutbox] == [True]


def test_empty_file_inputs_sent_by_a_browser_are_not_taken_for_fields(province, client_for):
    """Browsers send an unused file input as an empty field; it must not make the report invalid."""
    data = {**form_data(), "files_system_log": "", "files_malware": "", "files_other": ""}
    response = client_for(province.reporter).post("/incidents/report/", data)
    assert response.status_code == 200
    assert Incident.objects.count() == 1


def test_a_registered_systems_prefilled_ranges_are_accepted(province):
    incident = make_incident(province.reporter, system=province.his.pk, ip_addresses=["198.51.100.0/28"],
                             attachment_kinds=[])
    assert incident.ip_addresses == ["198.51.100.0/28"]


def test_missing_required_fields_on_the_form_are_named_in_vietnamese_and_the_submission_kept(province, client_for):
    data = form_data()
    for name in REQUIRED_FIELDS:
        data.pop(name)
    response = client_for(province.reporter).post("/incidents/report/", data)

    assert response.status_code == 422
    page = response.content.decode()
    assert "Bắt buộc" in page
    for name in REQUIRED_FIELDS:
        assert f'id="id_{name}_errors"' in page, name  # the message sits beside its field
    assert Incident.objects.count() == 0
    submission = Submission.objects.get()
    assert submission.status == "invalid"
    assert set(submission.errors) == set(REQUIRED_FIELDS)
    assert submission.payload["domains"] == "his.example.vn"  # what was typed is kept


def test_missing_required_fields_through_the_api_return_422_listing_each_and_keep_the_payload(province, api_for):
    payload = report_payload(contact_email="not-an-address")
    del payload["description"], payload["reporter_phone"]
    response = api_for(province.reporter).post("/api/v1/incidents", payload, content_type="application/json")

    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"description", "reporter_phone", "contact_email"}
    assert Submission.objects.get(pk=body["submission"]).payload["contact_email"] == "not-an-address"
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", ""])
def test_a_body_that_is_not_a_json_object_is_still_stored(province, api_for, body):
    response = api_for(province.reporter).post("/api/v1/incidents", body, content_type="application/json")

    assert response.status_code == 422
    submission = Submission.objects.get(pk=response.json()["submission"])
    assert submission.status == "invalid"
    assert submission.raw_body == body or submission.payload == {}


@pytest.mark.parametrize(("body", "status"), [
    (b'{"description": NaN}', 422), (b'{"system_level": Infinity}', 422), (b'{"system_level": 1e400}', 422),
    (b'{"a":' * 5000 + b"1" + b"}" * 5000, 422),  # too deep for the parser
    (b'{"a":' * 900 + b"1" + b"}" * 900, 422),  # parsed, but no report nests like this
    (b"nul\x00 in a body that is not JSON", 422),
])
def test_bodies_a_database_cannot_take_as_sent_are_still_stored(province, api_for, body, status):
    client = api_for(province.reporter)
    client.raise_request_exception = False
    response = client.post("/api/v1/incidents", body, content_type="application/json")

    assert response.status_code == status
    assert Submission.objects.get(pk=response.json()["submission"]).status == "invalid"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"detected_at": 1763600000}, "detected_at"),  # a number, a list, an object: invalid, not a server error
    ({"detected_at": ["2026-11-20T08:30"]}, "detected_at"),
    ({"reported_at": {"date": "2026-11-20"}}, "reported_at"),
    ({"detected_at": "0001-01-01T00:00"}, "detected_at"),  # near year 1 it would not convert to UTC
    ({"reporter_email": "x" * 64 + "@" + ("b" * 60 + ".") * 3 + "b" * 60 + ".vn"}, "reporter_email"),  # > 254
    ({"ip_addresses": ["fe80::1%" + "x" * 600]}, "ip_addresses"),  # an IPv6 zone is internal, of any length
])
def test_values_that_used_to_fail_on_save_are_named_as_errors(province, api_for, overrides, field):
    client = api_for(province.reporter)
    client.raise_request_exception = False
    response = client.post("/api/v1/incidents", report_payload(**overrides), content_type="application/json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Submission.objects.get().status == "invalid"


def test_nul_and_lone_surrogates_are_replaced_so_the_report_is_stored(province, api_for):
    body = json.dumps(report_payload(description="Mã độc\u0000 \ud800trên máy chủ"), ensure_ascii=True)
    response = api_for(province.reporter).post("/api/v1/incidents", body, content_type="application/json")

    assert response.status_code == 201
    assert Incident.objects.get().description == "Mã độc\ufffd \ufffdtrên máy chủ"


def test_unknown_field_names_are_reported_not_dropped(province, api_for):
    response = api_for(province.reporter).post("/api/v1/incidents", report_payload(detected="2026-11-20"),
                                               content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["detected"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"detection_method": "notified", "detection_detail": ""}, "detection_detail"),
    ({"detected_at": "2026-11-21T08:00", "reported_at": "2026-11-20T09:00"}, "detected_at"),
    ({"ip_addresses": ["10.0.0.300"]}, "ip_addresses"),
    ({"domains": ["not a domain"]}, "domains"),
    ({"notified_parties": ["police"]}, "notified_parties"),
    ({"system_level": 7}, "system_level"),
    ({"confidential": "maybe"}, "confidential"),
])
def test_each_rule_of_the_form_names_its_field(province, overrides, field):
    _submission, incident, errors = actions.report_incident(channel=Channel.API, payload=report_payload(**overrides),
                                                            actor=province.reporter)
    assert incident is None
    assert list(errors) == [field]


def test_public_report_needs_no_account_and_is_marked_unverified(db, mailoutbox, run_tasks):
    client = Client()
    response = client.post("/bao-cao-su-co/", form_data(reporter_name="Nguyễn Thị Bình", system=None))

    assert response.status_code == 200
    incident = Incident.objects.get()
    assert incident.channel == Channel.PUBLIC_FORM and incident.created_by is None
    assert not incident.is_verified
    assert incident.reference in response.content.decode()
    assert "xác minh" in response.content.decode()
    run_tasks()
    assert len(mailoutbox) == 1


def test_public_page_cannot_pick_a_registered_system(province):
    response = Client().post("/bao-cao-su-co/", form_data(system=province.his.pk))
    assert response.status_code == 422
    assert list(Submission.objects.get().errors) == ["system"]


def test_signed_in_agency_user_gets_organisation_and_contact_prefilled(province, client_for):
    page = client_for(province.reporter).get("/incidents/report/").content.decode()
    assert 'value="Sở Y tế"' in page  # reporter_name from the user's organisation
    assert province.his.name in page  # their systems are offered
    assert province.budget.name not in page  # another agency's are not


def test_choosing_a_system_fills_its_operator_owner_level_addresses_and_domains(province, client_for):
    response = client_for(province.reporter).post("/incidents/report/system-fields/",
                                                 {"system": province.his.pk, "description": "kept"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in page
    assert 'value="Bệnh viện Đa khoa"' in page  # operator
    assert 'value="Sở Y tế"' in page  # owner
    assert '<option value="3" selected>' in page  # level
    assert "198.51.100.0/28" in page and "his.example.vn" in page


def test_another_agencys_system_cannot_be_prefilled_or_reported_on(province, client_for):
    assert client_for(province.reporter).post("/incidents/report/system-fields/",
                                             {"system": province.budget.pk}).status_code == 404
    _s, incident, errors = actions.report_incident(channel=Channel.WEB_FORM, actor=province.reporter,
                                                   payload=report_payload(system=province.budget.pk))
    assert incident is None and "system" in errors


def test_draft_is_saved_unchecked_resumed_and_becomes_the_report(province, client_for):
    client = client_for(province.reporter)
    response = client.post("/incidents/report/", {"description": "Trang web bị thay đổi giao diện", "action": "draft"})
    draft = Submission.objects.get(status="draft")
    assert response.status_code == 302 and response.url == f"/incidents/report/draft/{draft.pk}/"
    assert "Trang web bị thay đổi giao diện" in client.get(response.url).content.decode()
    assert client_for(province.outsider).get(response.url).status_code == 404

    response = client.post(response.url, form_data(description="Trang web bị thay đổi giao diện"))
    assert response.status_code == 200
    assert Incident.objects.get().description == "Trang web bị thay đổi giao diện"
    assert not Submission.objects.filter(status="draft").exists()


def test_a_refused_report_from_a_draft_leaves_the_draft_with_all_its_files(province, client_for):
    client = client_for(province.reporter)
    client.post("/incidents/report/", {"description": "Mã độc", "action": "draft",
                                       "files_system_log": SimpleUploadedFile("auth.log", b"sshd\n")})
    draft = Submission.objects.get(status="draft")
    incomplete = form_data()
    del incomplete["reporter_phone"]
    response = client.post(f"/incidents/report/draft/{draft.pk}/",
                           {**incomplete, "files_malware": SimpleUploadedFile("x.exe", b"MZ")})
    assert response.status_code == 422
    assert sorted(draft.files.values_list("original_name", flat=True)) == ["auth.log", "x.exe"]
    assert "auth.log" in response.content.decode()  # shown as already attached

    response = client.post(f"/incidents/report/draft/{draft.pk}/", form_data())  # corrected, files not sent again
    assert response.status_code == 200
    incident = Incident.objects.get()
    assert sorted(incident.evidence.values_list("original_name", flat=True)) == ["auth.log", "x.exe"]
    assert not Submission.objects.filter(status="draft").exists()


def test_a_disk_error_on_a_file_keeps_the_report_and_names_the_file(province, client_for):
    log = SimpleUploadedFile("access.log", b"GET / 200\n")
    with mock.patch("ungcuu.evidence.store.save", side_effect=OSError(28, "No space left on device")):
        response = client_for(province.reporter).post("/incidents/report/", {**form_data(), "files_system_log": log})

    assert response.status_code == 422
    assert "access.log" in response.content.decode()
    submission = Submission.objects.get()
    assert submission.status == "invalid" and submission.payload["description"]
    assert "access.log" in submission.errors["files"][0]


def test_references_are_consecutive_per_year_and_restart_at_0001(province, monkeypatch):
    first = make_incident(province.reporter)
    second = make_incident(province.reporter)
    assert (first.number, second.number) == (1, 2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime.fromisoformat("2027-01-01T00:30:00+07:00"))
    next_year = make_incident(province.reporter, detected_at="2026-12-31T23:00", reported_at="2026-12-31T23:30")
    assert next_year.reference == "SC-2027-0001"
    assert ReferenceCounter.objects.get(year=2026).last == 2


def test_a_file_over_the_limit_is_refused_with_a_clear_error_and_the_report_kept(province, client_for, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("dump.bin", b"x" * 2048)
    response = client_for(province.reporter).post("/incidents/report/", {**form_data(), "files_other": big})

    assert response.status_code == 422
    assert "dump.bin" in response.content.decode()
    submission = Submission.objects.get()
    assert submission.status == "invalid" and submission.payload["description"]
    assert Incident.objects.count() == 0


def test_invalid_submissions_are_listed_for_the_standing_office_only(province, client_for, api_for):
    api_for(province.reporter).post("/api/v1/incidents", json.dumps({"description": "x"}),
                                    content_type="application/json")
    submission = Submission.objects.get()
    page = client_for(province.officer).get("/incidents/submissions/").content.decode()
    assert f"#{submission.pk}" in page
    detail = client_for(province.officer).get(f"/incidents/submissions/{submission.pk}/").content.decode()
    assert "reporter_name" in detail
    assert client_for(province.reporter).get("/incidents/submissions/").status_code == 403


def test_a_refused_web_report_keeps_its_files_on_a_draft_sent_with_the_correction(province, client_for):
    client = client_for(province.reporter)
    log = SimpleUploadedFile("his.log", b"encryptor.exe started\n")
    response = client.post("/incidents/report/", {**form_data(description=""), "files_system_log": log})
    assert response.status_code == 422
    draft = Submission.objects.get(status="draft")
    assert [f.original_name for f in draft.files.all()] == ["his.log"]
    assert "his.log" in response.content.decode()  # shown as already attached

    response = client.post(f"/incidents/report/draft/{draft.pk}/", form_data())
    assert response.status_code == 200
    assert [e.original_name for e in Incident.objects.get().evidence.all()] == ["his.log"]


def test_too_many_files_are_refused_with_a_message(province, client_for, settings):
    settings.REPORT_MAX_FILES = 2
    files = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(3)]
    response = client_for(province.reporter).post("/incidents/report/", {**form_data(), "files_other": files})
    assert response.status_code == 422
    assert Incident.objects.count() == 0
    assert "2" in Submission.objects.exclude(status="draft").get().errors["files"][0]


def test_public_page_limits_size_and_reports_per_address(db, settings):
    settings.PUBLIC_REPORTS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="192.0.2.50")
    assert client.post("/bao-cao-su-co/", form_data(), CONTENT_LENGTH=str(50 * 1024 * 1024)).status_code == 413
    assert Submission.objects.count() == 0  # refused before it was read
    for _ in range(2):
        assert client.post("/bao-cao-su-co/", form_data()).status_code == 200
    response = client.post("/bao-cao-su-co/", form_data())
    assert response.status_code == 429
    assert "gọi" in response.content.decode().lower()
    assert Client(REMOTE_ADDR="192.0.2.51").post("/bao-cao-su-co/", form_data()).status_code == 200


def test_a_report_entered_by_the_standing_office_belongs_to_the_systems_owner(province, client_for):
    incident = make_incident(province.officer, channel=Channel.PHONE, system=province.budget.pk)
    assert incident.organisation == province.finance
    assert client_for(province.outsider).get(f"/incidents/{incident.reference}/").status_code == 200
