"""Evidence actions: what is stored, who may add and hand over, and the custody log with its hash checks."""

import hashlib
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ungcuu.audit.models import AuditEntry
from ungcuu.coordination import actions as coordination_actions
from ungcuu.evidence import actions, store
from ungcuu.evidence.models import CustodyAction, EvidenceFile
from ungcuu.evidence.tests.helpers import LOG_BYTES, stored_files, tamper, upload
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.models import AttachmentKind
from ungcuu.incidents.tests.helpers import make_incident


def audit_actions(evidence) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="evidence.evidencefile", object_id=str(evidence.pk))
                .order_by("seq").values_list("action", flat=True))


def test_added_file_keeps_its_hash_size_name_and_who_added_it(province, incident, log_file):
    evidence = EvidenceFile.objects.get(pk=log_file.pk)
    assert evidence.sha256 == hashlib.sha256(LOG_BYTES).hexdigest()
    assert evidence.size == len(LOG_BYTES)
    assert evidence.original_name == "auth.log"
    assert evidence.kind == AttachmentKind.SYSTEM_LOG
    assert evidence.added_by == province.officer
    assert evidence.added_at is not None
    assert evidence.description == "Nhật ký SSH máy chủ HIS"
    assert store.path_of(evidence.sha256).read_bytes() == LOG_BYTES
    [event] = evidence.custody.all()
    assert (event.action, event.actor, event.hash_ok) == (CustodyAction.ADDED, province.officer, True)
    entry = AuditEntry.objects.get(action="evidence.add", object_id=str(evidence.pk))
    assert entry.actor_label == "officer"
    assert entry.changes["sha256"] == evidence.sha256
    assert entry.changes["incident"] == incident.reference


def test_folder_parts_and_control_characters_are_dropped_from_the_name(province, incident):
    evidence = actions.add_evidence(actor=province.officer, incident=incident,
                                    upload=upload("..\\..\\C:\\logs\\a\nb.log"), kind="other")
    assert evidence.original_name == "ab.log"
    assert [actions.clean_file_name(n) for n in ("..", ".", "", "../../etc/passwd")] == ["file", "file", "file",
                                                                                          "passwd"]


def test_custody_log_records_added_downloaded_handed_over_and_verified(province, incident, log_file):
    actions.record_access(actor=province.reporter, evidence=log_file, action=CustodyAction.DOWNLOADED)
    actions.hand_over(actor=province.officer, evidence=log_file, recipient="Trần Bình, Cục ATTT",
                      note="Giao bản sao trên USB")
    actions.verify_hash(actor=province.lead, evidence=log_file)
    events = list(log_file.custody.all())
    assert [e.action for e in events] == [CustodyAction.ADDED, CustodyAction.DOWNLOADED, CustodyAction.HANDED_OVER,
                                          CustodyAction.VERIFIED]
    assert [e.actor for e in events] == [province.officer, province.reporter, province.officer, province.lead]
    assert all(e.hash_ok for e in events)
    assert events[2].recipient == "Trần Bình, Cục ATTT"
    assert events[2].note == "Giao bản sao trên USB"
    log_file.refresh_from_db()
    assert log_file.holder == "Trần Bình, Cục ATTT"
    assert audit_actions(log_file) == ["evidence.add", "evidence.downloaded", "evidence.hand_over", "evidence.verify"]


def test_tampered_file_fails_the_check_and_its_download_is_refused_but_logged(province, incident, log_file):
    tamper(log_file)
    assert actions.verify_hash(actor=province.officer, evidence=log_file).hash_ok is False
    with pytest.raises(ValidationError) as refused:
        actions.record_access(actor=province.reporter, evidence=log_file, action=CustodyAction.DOWNLOADED)
    assert refused.value.code == "hash_mismatch"
    assert log_file.sha256 in refused.value.messages[0]
    verified, downloaded = log_file.custody.all()[1:]
    assert (verified.action, verified.hash_ok) == (CustodyAction.VERIFIED, False)
    assert (downloaded.action, downloaded.hash_ok) == (CustodyAction.DOWNLOADED, False)
    assert "SHA-256" in verified.note
    entry = AuditEntry.objects.filter(action="evidence.downloaded").get()
    assert entry.changes["hash_ok"] is False
    assert entry.changes["found"] != log_file.sha256


def test_missing_file_counts_as_a_failed_check(province, incident, log_file):
    path = store.path_of(log_file.sha256)
    path.chmod(0o640)
    path.unlink()
    event = actions.verify_hash(actor=province.officer, evidence=log_file)
    assert event.hash_ok is False
    with pytest.raises(ValidationError):
        actions.record_access(actor=province.officer, evidence=log_file, action=CustodyAction.DOWNLOADED)


def test_hand_over_of_a_tampered_file_is_recorded_with_the_failed_check(province, incident, log_file):
    tamper(log_file)
    event = actions.hand_over(actor=province.officer, evidence=log_file, recipient="Công an tỉnh")
    assert event.hash_ok is False
    assert "SHA-256" in event.note
    assert AuditEntry.objects.get(action="evidence.hand_over").changes["hash_ok"] is False


def test_file_over_the_size_limit_is_refused_with_its_name_and_nothing_is_stored(
        settings, province, incident, evidence_store):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        actions.add_evidence(actor=province.officer, incident=incident, upload=upload("big.pcap", b"x" * 101),
                             kind="other")
    assert "big.pcap" in refused.value.message_dict["file"][0]
    assert not EvidenceFile.objects.exists()
    assert stored_files(evidence_store) == []
    assert not AuditEntry.objects.filter(action="evidence.add").exists()


def test_size_is_checked_while_reading_when_the_upload_does_not_say_it(settings, province, incident, evidence_store):
    import io

    settings.EVIDENCE_MAX_BYTES = 100
    stream = io.BytesIO(b"y" * 500)
    stream.name = "stream.bin"
    with pytest.raises(ValidationError):
        actions.add_evidence(actor=province.officer, incident=incident, upload=stream, kind="other")
    assert stored_files(evidence_store) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names open files through /proc (Linux)")
def test_a_new_file_and_its_folders_are_synced_before_its_row_is_written(evidence_store, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real_fsync(fd)))
    blob = store.save_bytes(b"evidence bytes")

    target = store.path_of(blob.sha256)
    assert "/.incoming-" in synced[0]  # the bytes, under their temporary name
    assert synced[1:] == [str(target.parent), str(target.parent.parent), str(evidence_store)]  # then the new name


def test_unknown_kind_and_missing_file_are_refused(province, incident):
    with pytest.raises(ValidationError) as refused:
        actions.add_evidence(actor=province.officer, incident=incident, upload=None, kind="poem")
    assert set(refused.value.message_dict) == {"file", "kind"}


@pytest.mark.parametrize("persona", ["officer", "lead", "deputy", "reporter", "owner"])
def test_triage_roles_the_reporter_and_the_reporting_agency_may_add_evidence(province, incident, persona):
    user = getattr(province, persona)
    assert actions.can_add_evidence(user, incident)
    evidence = actions.add_evidence(actor=user, incident=incident, upload=upload(), kind="other")
    assert evidence.added_by == user


@pytest.mark.parametrize("persona", ["outsider", "auditor", "admin", "member"])
def test_others_may_not_add_evidence(province, incident, persona):
    """The outsider and an undispatched member cannot see the incident; oversight may see but not add."""
    user = getattr(province, persona)
    assert not actions.can_add_evidence(user, incident)
    with pytest.raises(PermissionDenied):
        actions.add_evidence(actor=user, incident=incident, upload=upload(), kind="other")
    assert not EvidenceFile.objects.exists()


def test_a_dispatched_member_may_add_and_hand_over(province, incident, log_file):
    coordination_actions.dispatch_member(actor=province.lead, incident=incident, user=province.member)
    assert actions.can_add_evidence(province.member, incident)
    actions.add_evidence(actor=province.member, incident=incident, upload=upload("dump.mem", b"\x00" * 64),
                         kind="other")
    event = actions.hand_over(actor=province.member, evidence=log_file, recipient="Phòng PA05")
    assert event.actor == province.member


@pytest.mark.parametrize("persona", ["reporter", "owner", "auditor"])
def test_only_custodians_hand_over_and_check_files(province, incident, log_file, persona):
    user = getattr(province, persona)
    with pytest.raises(PermissionDenied):
        actions.hand_over(actor=user, evidence=log_file, recipient="X")
    with pytest.raises(PermissionDenied):
        actions.verify_hash(actor=user, evidence=log_file)
    assert log_file.custody.count() == 1


def test_outsider_may_not_download(province, incident, log_file):
    with pytest.raises(PermissionDenied):
        actions.record_access(actor=province.outsider, evidence=log_file, action=CustodyAction.DOWNLOADED)
    assert log_file.custody.count() == 1


def test_hand_over_needs_a_recipient(province, incident, log_file):
    with pytest.raises(ValidationError) as refused:
        actions.hand_over(actor=province.officer, evidence=log_file, recipient="  ")
    assert "recipient" in refused.value.message_dict
    assert log_file.custody.count() == 1


def test_rejected_and_merged_incidents_take_no_new_evidence(province, incident):
    survivor = make_incident(province.reporter)
    incident_actions.merge_incident(actor=province.officer, duplicate=incident, into=survivor)
    incident.refresh_from_db()
    rejected = incident_actions.reject_report(actor=province.officer, incident=make_incident(province.reporter),
                                              reason="Thử nghiệm")
    for closed in (incident, rejected):
        with pytest.raises(ValidationError):
            actions.add_evidence(actor=province.officer, incident=closed, upload=upload(), kind="other")
    assert not EvidenceFile.objects.exists()


def test_files_sent_with_a_report_are_evidence_with_a_custody_log(province):
    incident = make_incident(province.reporter, files=[("system_log", upload())])
    [evidence] = incident.evidence.all()
    assert evidence.added_by == province.reporter
    actions.verify_hash(actor=province.officer, evidence=evidence)
    assert [e.hash_ok for e in evidence.custody.all()] == [True, True]
