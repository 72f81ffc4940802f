"""Reading messages: headers in any common Vietnamese charset, HTML without running it, the Biểu mẫu 03
labels (seeds 001 Phụ lục 01 and 003, TT 20/2017 Phụ lục I Biểu mẫu 03), and flags instead of crashes."""

import pytest

from ungcuu.mailintake import parsing
from ungcuu.mailintake.models import FlagCode
from ungcuu.mailintake.tests import mails

SUBJECT = "[TBSC] Tấn công thay đổi giao diện Cổng thông tin điện tử"
BODY = "Mô tả sơ bộ sự cố: Trang chủ bị chèn nội dung lạ, nghi tấn công."


@pytest.mark.parametrize("raw", [
    mails.windows_1258(SUBJECT, BODY, "quoted-printable", header="q"),
    mails.windows_1258(SUBJECT, BODY, "base64", header="b"),
    mails.tbsc_report(subject=SUBJECT, body=BODY, attachments=()),  # utf-8, as mail programs send it
], ids=["windows-1258 quoted-printable", "windows-1258 base64", "utf-8"])
def test_vietnamese_subject_and_body_are_decoded_whatever_the_charset(raw):
    parsed = parsing.parse(raw)
    assert parsed.subject == SUBJECT
    assert parsed.text.strip() == BODY
    assert parsing.is_tbsc(parsed.subject)
    assert not [code for code, _ in parsed.flags if code == FlagCode.DECODING]


def test_undecodable_body_is_flagged_and_still_read():
    raw = (b"From: a@example.vn\r\nSubject: [TBSC] x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           b"M\xf4 t\xe1 s\xff\r\n")
    parsed = parsing.parse(raw)
    assert parsed.text.startswith("M")
    assert FlagCode.DECODING in [code for code, _ in parsed.flags]


def test_unknown_charset_is_flagged_not_fatal():
    raw = (b"From: a@example.vn\r\nSubject: =?x-unknown?Q?abc?=\r\nContent-Type: text/plain; charset=x-unknown\r\n"
           b"\r\nabc\r\n")
    parsed = parsing.parse(raw)
    assert parsed.text.strip() == "abc"
    assert FlagCode.DECODING in [code for code, _ in parsed.flags]


@pytest.mark.parametrize(("subject", "expected"), [
    ("[TBSC] Sự cố mã độc", True),
    ("  [ tbsc ]Sự cố", True),
    ("[Tbsc]", True),
    ("Re: [TBSC] Sự cố", False),  # the form's rule: the subject STARTS with [TBSC] (Biểu mẫu 03 chú thích 2)
    ("TBSC sự cố", False),
    ("Fwd: họp", False),
])
def test_tbsc_subject_rule(subject, expected):
    assert parsing.is_tbsc(subject) is expected


def test_html_body_becomes_text_and_active_content_is_flagged_not_run():
    html = ("<html><head><title>t</title><script>alert('x')</script></head><body onload=\"steal()\">"
            "<p>Mô tả sơ bộ sự cố: Máy chủ bị <b>mã hóa</b></p><div>Điện thoại: 0905 111 222</div>"
            "<a href=\"javascript:evil()\">xem</a><style>p{}</style></body></html>")
    parsed = parsing.parse(mails.html_mail("[TBSC] HTML", html))
    assert "alert" not in parsed.text and "p{}" not in parsed.text
    assert "Mô tả sơ bộ sự cố: Máy chủ bị mã hóa" in parsed.text
    assert "Điện thoại: 0905 111 222" in parsed.text
    hostile = [reason for code, reason in parsed.flags if code == FlagCode.HOSTILE]
    assert hostile and "<script>" in hostile[0] and "onload=" in hostile[0]


def test_executable_attachment_is_flagged_and_hashed():
    sample = b"MZ\x90\x00" + b"\x00" * 100
    parsed = parsing.parse(mails.tbsc_report(attachments=(("hoa-don.pdf.exe", sample),)))
    (attachment,) = parsed.attachments
    assert attachment.executable and attachment.kind == "malware_sample"
    import hashlib

    assert attachment.sha256 == hashlib.sha256(sample).hexdigest()
    assert (FlagCode.EXECUTABLE, "hoa-don.pdf.exe") in parsed.flags


def test_broken_mime_is_flagged_structural():
    parsed = parsing.parse(mails.broken_mime())
    assert parsed.structural
    assert FlagCode.MALFORMED in [code for code, _ in parsed.flags]


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02", b"Subject: =?utf-8?B?////?=\r\n\r\n", b"\r\n\r\n\r\n",
                                 b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n--a--" * 50,
                                 b"Date: not a date\r\nFrom: <<<>>>\r\n\r\nx"])
def test_garbage_never_raises(raw):
    parsing.parse(raw)
    parsing.read_headers_only(raw)


def test_too_many_parts_is_flagged():
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\n{i}\r\n" for i in range(30))
    raw = f"Subject: [TBSC] x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{parts}--b--\r\n".encode()
    parsed = parsing.parse(raw, max_parts=10)
    assert parsed.structural and FlagCode.TOO_MANY_PARTS in [code for code, _ in parsed.flags]


# Biểu mẫu 03 ---------------------------------------------------------------------------------------


def test_the_whole_form_in_a_body_fills_every_field():
    fields = parsing.form_fields(mails.FORM_BODY)
    assert fields == {
        "reporter_name": "Sở Y tế tỉnh Thử nghiệm", "reporter_address": "01 Hùng Vương, TP. Thử nghiệm",
        "reporter_phone": "0255 3822 111", "reporter_email": "soyte@example.vn",
        "contact_name": "Nguyễn Văn An", "contact_position": "Chuyên viên CNTT", "contact_phone": "0905 111 222",
        "contact_email": "an.nv@example.vn", "operator_name": "Bệnh viện Đa khoa", "owner_name": "Sở Y tế",
        "system_name": "HIS bệnh viện", "system_level": "3",
        "description": "Trang chủ HIS bị thay đổi giao diện, hiển thị nội dung lạ.\n"
                       "Chưa phát hiện rò rỉ dữ liệu bệnh nhân.",
        "detected_at": "20/11/2026 08:30", "handling_status": "not_handled", "detection_method": "log_review",
        "notified_parties": ["network_member", "coordinator"], "os_versions": "Ubuntu 22.04",
        "services": ["web", "database"], "ip_addresses": "198.51.100.5", "domains": "his.example.vn",
        "attachment_kinds": ["system_log"], "confidential": "no", "recommendations": "Đề nghị Đội hỗ trợ khôi phục.",
        "reported_at": "20/11/2026 09:00",
    }


@pytest.mark.parametrize(("line", "expected"), [
    # Labels as printed on the form (seed 001 Phụ lục 01), without diacritics, in another case, in English.
    ("Tên tổ chức/cá nhân báo cáo sự cố (*): Sở Tài chính", {"reporter_name": "Sở Tài chính"}),
    ("TEN TO CHUC/CA NHAN BAO CAO SU CO: So Tai chinh", {"reporter_name": "So Tai chinh"}),
    ("Name of the organisation or person: Finance", {"reporter_name": "Finance"}),
    ("reporter_name: Finance", {"reporter_name": "Finance"}),
    ("Ngày, giờ phát hiện sự cố: 01/03/2026 10:15", {"detected_at": "01/03/2026 10:15"}),
    ("Ngay phat hien su co: 1/3/2026\nThoi gian phat hien: 7h05", {"detected_at": "01/03/2026 07:05"}),
    ("Detected at: 2026-03-01 10:00", {"detected_at": "01/03/2026 10:00"}),
    ("Hiện trạng sự cố: đã được xử lý", {"handling_status": "handled"}),
    ("Hiện trạng sự cố: chưa được xử lý", {"handling_status": "not_handled"}),
    ("Hiện trạng sự cố: [x] Đã được xử lý [ ] Chưa được xử lý", {"handling_status": "handled"}),
    ("Cách thức phát hiện: ☑ Qua hệ thống phát hiện xâm nhập", {"detection_method": "ids"}),
    ("Cách thức phát hiện: Khác, đó là: người dân phản ánh",
     {"detection_method": "other", "detection_detail": "người dân phản ánh"}),
    ("Nhận được thông báo từ: Trung tâm VNCERT/CC",
     {"detection_method": "notified", "detection_detail": "Trung tâm VNCERT/CC"}),
    ("Đã gửi thông báo sự cố cho: ISP đang trực tiếp cung cấp dịch vụ", {"notified_parties": ["isp"]}),
    ("Các biện pháp an toàn thông tin đã triển khai: ☑ Antivirus ☑ Firewall ☐ Hệ thống phát hiện xâm nhập",
     {"security_measures": ["antivirus", "firewall"]}),
    ("Giữ bí mật: Có", {"confidential": "yes"}),
    ("Phân loại cấp độ của HTTT: 2", {"system_level": "2"}),
    ("Địa chỉ: ..............", {}),  # the blank form's dotted filler is no value
    ("Email bị giả mạo gửi đi hàng loạt", {}),  # a sentence, not a label: no colon, no (*)
])
def test_labels(line, expected):
    assert parsing.form_fields(line) == expected


def test_unlabelled_body_has_no_fields():
    assert parsing.form_fields("Website của sở bị tấn công, đề nghị hỗ trợ gấp.") == {}


@pytest.mark.parametrize(("subject", "references"), [
    ("Re: [SC-2026-0007] Đã nhận báo cáo sự cố", ["SC-2026-0007"]),
    ("Bổ sung thông tin sc-2026-12", ["SC-2026-0012"]),
    ("[TBSC] sự cố mới", []),
])
def test_references_in_subject(subject, references):
    assert parsing.references_in(subject) == references
