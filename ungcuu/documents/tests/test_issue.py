"""Issuing documents: content read back from the DOCX (python-docx) and the PDF (pypdf), numbering
(NĐ 30/2020 Điều 15), the final report's citation of the initial report (Biểu mẫu 04), re-issues, refusals."""

import datetime
import io

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from pypdf import PdfReader

from ungcuu.audit.models import AuditEntry
from ungcuu.documents import actions, content
from ungcuu.documents.models import Document
from ungcuu.documents.tests.helpers import closed_out, issue, triaged
from ungcuu.evidence import store
from ungcuu.incidents import actions as incident_actions
from ungcuu.incidents.tests.helpers import make_incident

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def docx_text(document: Document) -> str:
    with store.open_blob(document.docx_sha256) as handle:
        parsed = docx.Document(io.BytesIO(handle.read()))
    lines = [p.text for p in parsed.paragraphs]
    for table in parsed.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def pdf_text(document: Document) -> str:
    with store.open_blob(document.pdf_sha256) as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_fonts(document: Document) -> set[str]:
    with store.open_blob(document.pdf_sha256) as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


# Biểu mẫu 03's mandatory (*) fields as the test incident fills them (incidents/tests/helpers.report_payload).
INITIAL_MANDATORY = ["Sở Y tế tỉnh Thử nghiệm", "01 Hùng Vương, Thử nghiệm", "0255 3822 111", "soyte@example.vn",
                     "Nguyễn Văn An", "0905 111 222", "an.nv@example.vn", "Bệnh viện Đa khoa",
                     "Phát hiện mã độc tống tiền mã hóa dữ liệu trên máy chủ HIS.", "20/11/2026", "08 giờ 30 phút",
                     "HIỆN TRẠNG SỰ CỐ", "CÁCH THỨC PHÁT HIỆN", "ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO",
                     "THỜI GIAN THỰC HIỆN BÁO CÁO SỰ CỐ"]


def test_the_initial_report_carries_the_layout_number_and_every_mandatory_field_in_docx_and_pdf(province):
    incident = triaged(province)
    document = issue(province, incident, issued_on=datetime.date(2026, 2, 5))
    assert document.reference == "01/BC-ĐƯCSC"
    for text in (docx_text(document), pdf_text(document)):
        for expected in [NATIONAL, "Độc lập - Tự do - Hạnh phúc", "Số: 01/BC-ĐƯCSC", incident.reference,
                         "ngày 05 tháng 02 năm 2026", "BÁO CÁO", "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN",
                         "Nguyễn Văn Bình", "Nơi nhận:", "Trung tâm VNCERT/CC", *INITIAL_MANDATORY]:
            assert expected in text, expected
    # Biểu mẫu 03's sections in the form's order.
    text = pdf_text(document)
    positions = [text.index(f"{n}. ") for n in range(1, 12)]
    assert positions == sorted(positions)
    # The fonts travel inside the PDF (FontFile2 subsets), not left to the reader's machine.
    embedded = {name.split("+")[-1] for name in pdf_fonts(document)}
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= embedded


def test_the_final_report_cites_the_initial_reports_number_and_date_and_the_close_out(province):
    incident = closed_out(province)
    initial = issue(province, incident, issued_on=datetime.date(2026, 11, 21))
    final = issue(province, incident, "final_report", issued_on=datetime.date(2026, 11, 28))
    assert final.reference == "02/BC-ĐƯCSC"
    for text in (docx_text(final), pdf_text(final)):
        for expected in [NATIONAL, "Số: 02/BC-ĐƯCSC", incident.reference, "KÝ HIỆU BÁO CÁO BAN ĐẦU SỰ CỐ",
                         f"Số ký hiệu: {initial.reference}", "Ngày báo cáo: 21/11/2026", "KẾT QUẢ XỬ LÝ SỰ CỐ",
                         "RDP mở ra Internet", "Đóng RDP, VPN có xác thực hai lớp", "Rà quét định kỳ 6 tháng",
                         "Sở Y tế tỉnh Thử nghiệm", "Bệnh viện Đa khoa", "20/11/2026", "CÁC TÀI LIỆU ĐÍNH KÈM"]:
            assert expected in text, expected


def test_the_final_report_cites_an_initial_report_recorded_as_sent_outside(province):
    incident = closed_out(province)
    incident_actions.record_report(actor=province.officer, incident=incident, kind="initial", number="07/BC-SYT",
                                   issued_on=datetime.date(2026, 11, 20), recipients="Đội ƯCSC tỉnh")
    final = issue(province, incident, "final_report")
    assert "Số ký hiệu: 07/BC-SYT" in pdf_text(final) and "Ngày báo cáo: 20/11/2026" in pdf_text(final)


def test_the_final_report_is_refused_without_an_initial_report_or_close_out(province):
    incident = triaged(province)
    with pytest.raises(ValidationError) as refused:
        issue(province, incident, "final_report")
    # The documents are built in Vietnamese, and so are the messages of what their content lacks.
    assert "nguyên nhân gốc" in " ".join(refused.value.messages)  # the close-out
    incident = closed_out(province)
    with pytest.raises(ValidationError) as refused:
        issue(province, incident, "final_report")
    assert "báo cáo ban đầu" in " ".join(refused.value.messages).lower()
    assert not Document.objects.exists()


def test_numbers_run_per_issuer_and_restart_at_01_each_year(province):
    incident = triaged(province)
    last_year = [issue(province, incident, issued_on=datetime.date(2025, 12, 31)) for _ in range(2)]
    first = issue(province, incident, issued_on=datetime.date(2026, 1, 1))
    other_issuer = issue(province, incident, issuer=province.health, issued_on=datetime.date(2026, 1, 2))
    second = issue(province, incident, "progress_report", issued_on=datetime.date(2026, 1, 2))
    assert [d.reference for d in last_year] == ["01/BC-ĐƯCSC", "02/BC-ĐƯCSC"]
    assert (first.number, first.reference) == (1, "01/BC-ĐƯCSC")  # NĐ 30/2020 Điều 15: from 01 on 1 January
    assert other_issuer.number == 1 and second.number == 2
    assert "ngày 01 tháng 01 năm 2026" in pdf_text(first)


def test_a_refused_document_leaves_no_gap_in_the_numbers(province):
    incident = triaged(province)
    issue(province, incident)
    with pytest.raises(ValidationError):
        issue(province, incident, "response_option_report")  # no response option recorded yet
    assert issue(province, incident, "progress_report").number == 2


def test_files_are_stored_under_their_sha256_and_the_issue_is_audited(province):
    document = issue(province, triaged(province))
    assert store.rehash(document.docx_sha256) == document.docx_sha256
    assert store.rehash(document.pdf_sha256) == document.pdf_sha256
    assert document.docx_size > 0 and document.pdf_size > 0
    entry = AuditEntry.objects.filter(action="documents.issue").get()
    assert entry.changes["reference"] == "01/BC-ĐƯCSC" and entry.changes["pdf_sha256"] == document.pdf_sha256


def test_reissuing_makes_a_new_version_and_keeps_the_old(province):
    incident = triaged(province)
    old = issue(province, incident)
    new = actions.reissue_document(actor=province.deputy, document=old, reason="Sai chức vụ người ký",
                                   signer_title="Phó Trưởng ban thường trực")
    assert (new.version, new.supersedes, new.number) == (2, old, 2)
    assert Document.objects.count() == 2 and list(Document.objects.current()) == [new]
    assert "PHÓ TRƯỞNG BAN THƯỜNG TRỰC" in pdf_text(new)
    assert store.rehash(old.pdf_sha256) == old.pdf_sha256  # the old files stay
    with pytest.raises(ValidationError):
        actions.reissue_document(actor=province.lead, document=old, reason="again")
    assert AuditEntry.objects.filter(action="documents.reissue").count() == 1


@pytest.mark.parametrize("persona", ["member", "reporter", "owner", "auditor", "admin", "outsider"])
def test_only_the_team_roles_issue_documents(province, persona):
    with pytest.raises(PermissionDenied):
        issue(province, triaged(province), actor=getattr(province, persona))
    assert not Document.objects.exists()


# (field, value, message) — NĐ 30/2020 Điều 8.2: signer, title and recipients are mandatory; Điều 13: KT./TM./…
REFUSALS = [
    ("signer_name", "", "signer's full name"),
    ("signer_title", " ", "signer's title"),
    ("recipients", [], "recipients"),
    ("signature_prefix", "XYZ.", "KT., TM., TL., TUQ."),
    ("signer_authority", "", "title of the head signed for"),
    ("issued_on", datetime.date(2099, 1, 1), "future"),
]


@pytest.mark.parametrize(("field", "value", "message"), REFUSALS)
def test_incomplete_documents_are_refused_with_a_clear_message(province, field, value, message):
    incident = triaged(province)
    with pytest.raises(ValidationError) as refused:
        issue(province, incident, **{field: value})
    assert message in " ".join(refused.value.message_dict[field])


def test_no_document_about_a_merged_report(province):
    incident = triaged(province)
    duplicate = make_incident(province.reporter)
    incident_actions.merge_incident(actor=province.officer, duplicate=duplicate, into=incident, reason="trùng")
    with pytest.raises(ValidationError):
        issue(province, duplicate)


# NĐ 30/2020 Phụ lục I: days below 10 and months 1 and 2 padded with 0.
DATE_LINES = [
    (datetime.date(2026, 2, 5), "Quảng Ngãi, ngày 05 tháng 02 năm 2026"),
    (datetime.date(2026, 3, 5), "Quảng Ngãi, ngày 05 tháng 3 năm 2026"),
    (datetime.date(2026, 12, 25), "Quảng Ngãi, ngày 25 tháng 12 năm 2026"),
    (datetime.date(2026, 1, 10), "Quảng Ngãi, ngày 10 tháng 01 năm 2026"),
]


@pytest.mark.parametrize(("day", "expected"), DATE_LINES)
def test_date_line(day, expected):
    assert content.date_line("Quảng Ngãi", day) == expected


def test_numbers_below_ten_have_two_digits():
    assert Document.format_reference(5, "BC-ĐƯCSC") == "05/BC-ĐƯCSC"
    assert Document.format_reference(123, "BC-ĐƯCSC") == "123/BC-ĐƯCSC"


@pytest.mark.parametrize("kind", ["progress_report", "direction_request", "support_request"])
def test_the_other_kinds_render_with_the_layout(province, kind):
    incident = triaged(province)
    document = issue(province, incident, kind, note="Đề nghị VNCERT/CC hỗ trợ phân tích mã độc")
    text = pdf_text(document)
    assert NATIONAL in text and document.reference in text and incident.reference in text
    assert NATIONAL in docx_text(document) and document.reference in docx_text(document)


def test_the_response_option_report_reads_the_recorded_option(province):
    incident = triaged(province)
    incident = incident_actions.move_step(actor=province.officer, incident=incident, to_step="initial_response",
                                          reason="Cô lập")
    incident = incident_actions.move_step(actor=province.officer, incident=incident, to_step="response_option")
    incident_actions.record_response_option(actor=province.officer, incident=incident,
                                            option="Khôi phục từ bản sao lưu sạch", approved_by="Giám đốc Sở Y tế")
    document = issue(province, incident, "response_option_report")
    assert "Khôi phục từ bản sao lưu sạch" in pdf_text(document) and "Giám đốc Sở Y tế" in pdf_text(document)


def test_an_administrators_template_replaces_the_shipped_one(province, settings, tmp_path):
    from ungcuu.documents.make_templates import build

    template = build()
    template.add_paragraph("Mẫu riêng của tỉnh: {{ incident.reference }}")
    template.save(tmp_path / "initial_report.docx")
    settings.DOCUMENTS_TEMPLATE_DIR = str(tmp_path)
    incident = triaged(province)
    assert f"Mẫu riêng của tỉnh: {incident.reference}" in docx_text(issue(province, incident))


def test_the_document_is_vietnamese_whatever_the_actors_language(province):
    document = issue(province, triaged(province))  # the actor reads English (the fixture above)
    assert "Chưa được xử lý" in pdf_text(document)
