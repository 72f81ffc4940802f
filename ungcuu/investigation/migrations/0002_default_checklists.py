"""The default checklist templates: the lists of Hà Tĩnh's procedure (seed 003, Quyết định 1859/QĐ-UBND
ngày 07/08/2023, Phần II mục 1) verbatim, and step 3c from Krông Pắc's appendix (seed 000 Phụ lục, III.3).

Mapping to the steps: information to collect and analysis → 2 (contain; 2.2 and 2.3 of the seed are
this step); the "Xử lý sự cố" list and 3.1 → 3a (eradicate); 3.2 → 3b (recover) and 3c (verify after
recovery); the closing report list → 4 (close-out). Serious incidents (QĐ 05/2017 Điều 14.5: d)
collect information, e) eradicate and recover) get the same lists at S5. The seeds give no list for
one attack type only, so every default template applies to any type.
"""

from django.db import migrations

SEED_003 = "Seed 003: QĐ 1859/QĐ-UBND Hà Tĩnh (07/08/2023), Phần II mục 1"

COLLECT = [
    "Thông tin về đầu mối liên hệ",
    "Thu thập thông tin hệ thống",
    "Thu thập chức năng của hệ thống",
    "Thu thập cấu hình của hệ thống (OS, Servise, version, network...)",
    "Thu thập chứng cứ",
    "Thu thập bộ nhớ",
    "Thu thập trạng thái network và các kết nối",
    "Thu thập các tiến trình đang chạy",
    "Thu thập hard drive media",
    "Thu thập log file",
    "Thu thập các cổng đang mở của hệ thống",
]
ANALYSE = [
    "Phân tích dòng thời gian",
    "Thời gian bị sửa đổi, truy cập, tạo hoặc thay đổi",
    "Thời gian thực hiện các cập nhật lớn đối với hệ thống",
    "Thời điểm mà hệ thống sử dụng lần cuối cùng",
    "Phân tích dữ liệu ...",
]
CONTAIN = [
    ("Triển khai thu thập chứng cứ, phạm vi, đối tượng bị ảnh hưởng",
     "2.2. Triển khai thu thập chứng cứ: Trên cơ sở phương án, nguồn lực đã được phê duyệt, đơn vị được giao hoặc "
     "Đội ứng cứu sự cố tổ chức thu thập chứng cứ, phạm vi, đối tượng bị ảnh hưởng,..."),
    ("Xác định nguồn gốc tấn công",
     "2.3. Xác định nguồn gốc tấn công: Đơn vị được giao hoặc Đội ứng cứu sự cố triển khai phân tích, xác định "
     "nguồn gốc tấn công để ngăn chặn, giảm thiểu tác động, thiệt hại đến hệ thống thông tin."),
]
# "Xử lý sự cố" of 2.1, split where the seed's list turns from removal to recovery.
ERADICATE = [
    "Gỡ bỏ sự cố",
    "Xác định và gỡ bỏ các backdoors",
    "Phân tích và kiểm tra lỗ hổng sau khi thực hiện các bản vá lỗi",
]
ERADICATE_31 = [
    ("Tiêu diệt các mã độc, phần mềm độc hại", "3.1. Khắc phục, gỡ bỏ sự cố"),
    ("Khắc phục các điểm yếu ATTT của hệ thống (xây dựng lại hệ thống, thay thế các tệp tin bị lỗi, cài đặt các "
     "bản vá lỗi, thay đổi mật khẩu và rà soát các chính sách ATTT)", "3.1. Khắc phục, gỡ bỏ sự cố"),
]
RECOVER = [
    "Khôi phục",
    "Phân tích và kiểm tra lỗ hổng sau khi thực hiện các bản vá lỗi",
    "Khôi phục dữ liệu",
    "Thu thập các tệp tin, hình ảnh, email,... bị xóa, thời gian bị xóa",
    "Tìm kiếm các tệp tin không thể khôi phục",
    "Khôi phục các tệp tin phù hợp",
]
RECOVER_32 = [
    ("Khôi phục hệ thống, dữ liệu và kết nối (phải khôi phục từ các bản sao lưu hệ thống “sạch”)", "3.2. Khôi phục"),
    ("Cấu hình hệ thống an toàn", "3.2. Khôi phục"),
    ("Bổ sung các thiết bị, phần cứng, phần mềm bảo đảm ATTT cho hệ thống thông tin", "3.2. Khôi phục"),
]
VERIFY = [
    ("Kiểm tra thử toàn bộ hệ thống sau khi khắc phục sự cố", "Seed 003, 3.2. Khôi phục"),
    ("Kiểm tra, đánh giá an toàn hệ thống thông tin sau khi khôi phục",
     "Seed 000, Phụ lục, III.3: Đơn vị quản lý, vận hành hệ thống thông tin và các đơn vị liên quan triển khai "
     "kiểm tra, đánh giá hoạt động của toàn bộ hệ thống thông tin sau khi khắc phục sự cố. Trường hợp hệ thống "
     "chưa hoạt động ổn định, cần tiếp tục tổ chức thu thập, xác minh lại nguyên nhân và tổ chức các bước tương "
     "ứng tại Quy trình II và III Phụ lục này để xử lý dứt điểm, khôi phục hoạt động hệ thống thông tin trở lại "
     "bình thường"),
]
REPORT = [
    "Báo cáo kết quả phân tích sự cố: Mô tả chi tiết các bước quan trọng khi thực hiện xử lý sự cố",
    "Tổng hợp báo cáo gửi lãnh đạo cơ quan, tổ chức và các bên liên quan đến sự cố",
    "Rút kinh nghiệm và ứng dụng cho các sự cố tương tự",
]


def _items(entries):
    return [entry if isinstance(entry, tuple) else (entry, "") for entry in entries]


TEMPLATES = [
    # (step, position, name, source, items)
    ("contain", 1, "Thu thập thông tin để phục vụ phân tích sự cố", f"{SEED_003}, 2.1", _items(COLLECT)),
    ("contain", 2, "Phân tích sự cố", f"{SEED_003}, 2.1", _items(ANALYSE)),
    ("contain", 3, "Thu thập chứng cứ, xác định nguồn gốc tấn công", f"{SEED_003}, 2.2–2.3", CONTAIN),
    ("eradicate", 1, "Xử lý sự cố: gỡ bỏ", f"{SEED_003}, 2.1 (Xử lý sự cố)", _items(ERADICATE)),
    ("eradicate", 2, "Khắc phục, gỡ bỏ sự cố", f"{SEED_003}, 3.1", ERADICATE_31),
    ("recover", 1, "Xử lý sự cố: khôi phục", f"{SEED_003}, 2.1 (Xử lý sự cố)", _items(RECOVER)),
    ("recover", 2, "Khôi phục", f"{SEED_003}, 3.2", RECOVER_32),
    ("verify_recovery", 1, "Kiểm tra, đánh giá sau khi khôi phục",
     f"{SEED_003}, 3.2; Seed 000 (Krông Pắc), Phụ lục III.3", VERIFY),
    ("close_out", 1, "Tổng hợp báo cáo Lãnh đạo đơn vị và Trung tâm CNTT và Truyền thông", f"{SEED_003}, 2.1",
     _items(REPORT)),
    ("serious_emergency", 1, "Thu thập thông tin để phục vụ phân tích sự cố",
     f"{SEED_003}, 2.1; QĐ 05/2017 Điều 14.5.d", _items(COLLECT)),
    ("serious_emergency", 2, "Phân tích sự cố", f"{SEED_003}, 2.1; QĐ 05/2017 Điều 14.5.đ", _items(ANALYSE)),
    ("serious_emergency", 3, "Xử lý sự cố: gỡ bỏ và khôi phục", f"{SEED_003}, 2.1, 3.1, 3.2; QĐ 05/2017 Điều 14.5.e",
     _items(ERADICATE) + ERADICATE_31 + _items(RECOVER) + RECOVER_32),
]


def create(apps, schema_editor):
    template_model = apps.get_model("investigation", "ChecklistTemplate")
    item_model = apps.get_model("investigation", "ChecklistItem")
    for step, position, name, source, items in TEMPLATES:
        template = template_model.objects.create(name=name, step=step, position=position, source=source[:300])
        item_model.objects.bulk_create([
            item_model(template=template, title=title, detail=detail, position=n)
            for n, (title, detail) in enumerate(items, start=1)])


def remove(apps, schema_editor):
    apps.get_model("investigation", "ChecklistTemplate").objects.filter(
        name__in=[t[2] for t in TEMPLATES], source__in=[t[3][:300] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("investigation", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
