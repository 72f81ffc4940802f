"""Demo data of mailintake, made through its actions; called by ungcuu.demo.load().

Two messages as they would arrive by SMTP: a "[TBSC]" report with Biểu mẫu 03 in its body (it becomes a
report) and an ordinary message (kept and ignored). Their fixed Message-IDs make a second run store nothing.
"""

import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from ungcuu.mailintake import actions
from ungcuu.mailintake.models import MailSource

REPORT_ID = "<demo-tbsc-1@soyte.quangngai.example.vn>"
OTHER_ID = "<demo-other-1@vanphong.quangngai.example.vn>"
REPORT_BODY = """BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG
THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ
Tên tổ chức/cá nhân báo cáo sự cố (*): Trung tâm Y tế huyện Sơn Tịnh (dữ liệu mẫu)
Địa chỉ (*): 12 Phạm Văn Đồng, huyện Sơn Tịnh
Điện thoại (*): 0255 3845 000
Email (*): ttyt.sontinh@example.vn
NGƯỜI LIÊN HỆ
Họ và tên (*): Trần Thị Bích      Chức vụ: Phụ trách CNTT
Điện thoại (*): 0914 222 333
Email (*): bich.tt@example.vn
THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ
Tên đơn vị vận hành hệ thống thông tin (*): Trung tâm Y tế huyện Sơn Tịnh
Cơ quan chủ quản: Sở Y tế
Tên hệ thống bị sự cố: Trang thông tin điện tử Trung tâm Y tế
Mô tả sơ bộ sự cố (*):
Trang chủ bị chèn liên kết quảng cáo cờ bạc; chưa thấy dấu hiệu lộ dữ liệu.
Ngày phát hiện sự cố (*): {date}
Thời gian phát hiện (*): 07 giờ 45 phút
HIỆN TRẠNG SỰ CỐ (*): ☐ Đã được xử lý ☑ Chưa được xử lý
CÁCH THỨC PHÁT HIỆN (*): ☐ Qua hệ thống phát hiện xâm nhập ☐ Kiểm tra dữ liệu lưu lại (Log File)
Nhận được thông báo từ: Trung tâm Giám sát an toàn không gian mạng quốc gia
ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO (*): ☑ Cơ quan điều phối
Các tên miền của hệ thống: ttytsontinh.example.vn
Các thông tin cung cấp trong thông báo sự cố này đều phải được giữ bí mật: ☐ Có ☑ Không
"""


def _message(message_id: str, subject: str, sender: str, body: str, attachment: bytes | None = None) -> bytes:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, sender, "ungcuu@quangngai.example.vn"
    msg["Date"], msg["Message-ID"] = format_datetime(timezone.now()), message_id
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(attachment, maintype="text", subtype="plain", filename="access.log")
    return msg.as_bytes(policy=policy.SMTP)


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    created = 0
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    report = _message(REPORT_ID, "[TBSC] Trang thông tin điện tử Trung tâm Y tế bị chèn liên kết lạ",
                      "Trung tâm Y tế Sơn Tịnh <ttyt.sontinh@example.vn>",
                      REPORT_BODY.format(date=yesterday.strftime("%d/%m/%Y")),
                      b'203.0.113.77 - - "POST /wp-admin/theme-editor.php HTTP/1.1" 200\n')
    other = _message(OTHER_ID, "Giấy mời họp giao ban công tác chuyển đổi số quý IV",
                     "Văn phòng UBND tỉnh <vanphong@example.vn>", "Kính mời đại diện Đội ứng cứu dự họp.")
    for raw in (report, other):
        _message_row, new = actions.receive_and_process(raw=raw, source=MailSource.SMTP, mailbox="demo")
        created += new
    return created
