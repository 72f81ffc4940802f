"""Messages as mail programs send them: the Biểu mẫu 03 in the body, attachments, other charsets."""

import base64
import quopri
import unicodedata
from email import policy, quoprimime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

FORM_BODY = """BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG
THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ
■ Tên tổ chức/cá nhân báo cáo sự cố (*): Sở Y tế tỉnh Thử nghiệm
■ Địa chỉ: (*) 01 Hùng Vương, TP. Thử nghiệm
■ Điện thoại (*): 0255 3822 111
■ Email (*): soyte@example.vn
NGƯỜI LIÊN HỆ
Họ và tên (*): Nguyễn Văn An      Chức vụ: Chuyên viên CNTT
Điện thoại (*): 0905 111 222
Email (*): an.nv@example.vn
THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ
Tên đơn vị vận hành hệ thống thông tin (*): Bệnh viện Đa khoa
Cơ quan chủ quản: Sở Y tế
Tên hệ thống bị sự cố: HIS bệnh viện
Phân loại cấp độ của hệ thống thông tin (nếu có): □ Cấp độ 1 □ Cấp độ 2 ☑ Cấp độ 3 □ Cấp độ 4 □ Cấp độ 5
Mô tả sơ bộ sự cố (*):
Trang chủ HIS bị thay đổi giao diện, hiển thị nội dung lạ.
Chưa phát hiện rò rỉ dữ liệu bệnh nhân.
Ngày phát hiện sự cố (*): 20/11/26
Thời gian phát hiện (*): 08 giờ 30 phút
HIỆN TRẠNG SỰ CỐ (*): □ Đã được xử lý ☑ Chưa được xử lý
CÁCH THỨC PHÁT HIỆN (*): □ Qua hệ thống phát hiện xâm nhập ☑ Kiểm tra dữ liệu lưu lại (Log File)
ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO (*):
☑ Thành viên mạng lưới chịu trách nhiệm ứng cứu sự cố cho tổ chức, cá nhân
☐ ISP đang trực tiếp cung cấp dịch vụ
☑ Cơ quan điều phối
THÔNG TIN BỔ SUNG VỀ HỆ THỐNG XẢY RA SỰ CỐ
Hệ điều hành: Ubuntu 22.04
Các dịch vụ có trên hệ thống: ☑ Web server □ Mail server ☑ Database server
Các địa chỉ IP của hệ thống: 198.51.100.5
Các tên miền của hệ thống: his.example.vn
Thông tin gửi kèm: ☑ Nhật ký hệ thống □ Mẫu virus / mã độc
Các thông tin cung cấp trong thông báo sự cố này đều phải được giữ bí mật: ☐ Có ☑ Không
KIẾN NGHỊ, ĐỀ XUẤT HỖ TRỢ: Đề nghị Đội hỗ trợ khôi phục.
THỜI GIAN THỰC HIỆN BÁO CÁO SỰ CỐ (*): 20/11/2026 09:00
"""
LOG_BYTES = b"2026-11-20 08:29:58 GET /index.php?id=1%27%20OR%201=1 200\n" * 20


def tbsc_report(subject="[TBSC] Sự cố thay đổi giao diện HIS", body=FORM_BODY, attachments=(("access.log", LOG_BYTES),),
                sender="Sở Y tế <soyte@example.vn>", message_id=None) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = "ungcuu@example.vn"
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="example.vn")
    msg.set_content(body)
    for name, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


def plain(subject="Mời họp giao ban tuần", body="Kính mời các đồng chí dự họp.", sender="vanphong@example.vn") -> bytes:
    return tbsc_report(subject=subject, body=body, attachments=(), sender=sender)


def broken_mime(subject="[TBSC] Báo cáo sự cố") -> bytes:
    """A multipart message whose boundary never appears: the structure cannot be trusted."""
    return (f"From: a@example.vn\r\nTo: ungcuu@example.vn\r\nSubject: {subject}\r\n"
            f"Message-ID: {make_msgid(domain='example.vn')}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
            "no boundary here at all\r\n").encode()


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Vietnamese text as windows-1258 spells it: letters with their vowel marks, tones as combining marks."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(p for p in parts if p in TONES)
        out.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES)) + tones)
    return "".join(out).encode("windows-1258")


def windows_1258(subject: str, body: str, transfer="quoted-printable", header="q") -> bytes:
    """A Vietnamese message in windows-1258, the subject RFC 2047-encoded (Q or B) in that charset."""
    raw_subject = cp1258(subject)
    if header == "q":
        encoded_subject = quoprimime.header_encode(raw_subject, charset="windows-1258")
    else:
        encoded_subject = f"=?windows-1258?B?{base64.b64encode(raw_subject).decode()}?="
    payload = cp1258(body)
    encoded = (quopri.encodestring(payload) if transfer == "quoted-printable" else base64.encodebytes(payload))
    return (f"From: tinhuy@example.vn\r\nTo: ungcuu@example.vn\r\nSubject: {encoded_subject}\r\n"
            f"Message-ID: {make_msgid(domain='example.vn')}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=windows-1258\r\nContent-Transfer-Encoding: {transfer}\r\n\r\n"
            ).encode("ascii") + encoded.replace(b"\n", b"\r\n")


def html_mail(subject: str, html: str) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = "soyte@example.vn"
    msg["Message-ID"] = make_msgid(domain="example.vn")
    msg.set_content(html, subtype="html")
    return msg.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire
