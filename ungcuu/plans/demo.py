"""Demo data of plans, made through its actions; called by ungcuu.demo.load().

An approved response plan for the hospital information system (level 3: TT 20 Phụ lục III) with a ransomware
and a phishing scenario, and the current year's plan with eight tasks of seed 004's appendix in mixed states.
"""

import datetime

from django.utils import timezone

from ungcuu.incidents.procedure import Step
from ungcuu.plans import actions
from ungcuu.plans.models import AnnualPlan, AnnualTask, ResponsePlan, TaskStatus
from ungcuu.registry.models import InformationSystem, Organisation

HIS = "Hệ thống thông tin quản lý bệnh viện (HIS)"

SECTIONS = {
    "basis_purpose": (
        "Căn cứ Luật An toàn thông tin mạng 2015; Quyết định 05/2017/QĐ-TTg; Thông tư 20/2017/TT-BTTTT; Nghị định "
        "85/2016/NĐ-CP.\nMục đích: bảo đảm hệ thống HIS hoạt động liên tục, khắc phục nhanh khi có sự cố."),
    "severity_criteria": (
        "Nghiêm trọng: HIS ngừng phục vụ khám chữa bệnh trên 2 giờ, hoặc dữ liệu bệnh án bị mã hóa/lộ lọt.\n"
        "Thông thường: ảnh hưởng một khoa, một máy trạm, không mất dữ liệu."),
    "risk_current_state": "Máy chủ ứng dụng và CSDL đặt tại phòng máy bệnh viện; tường lửa, phần mềm diệt virus.",
    "risk_threats": "Mã độc tống tiền qua thư giả mạo và dịch vụ truy cập từ xa; tấn công từ chối dịch vụ.",
    "risk_impact": "Gián đoạn khám chữa bệnh; lộ lọt hồ sơ bệnh án của trên 10.000 người bệnh.",
    "risk_resources": "02 kỹ sư CNTT của bệnh viện; nhà thầu bảo trì HIS; Đội ứng cứu sự cố tỉnh hỗ trợ.",
    "continuity_priorities": (
        "1. Ưu tiên duy trì tiếp đón, kê đơn, cấp cứu: chuyển sang quy trình giấy trong tối đa 30 phút.\n"
        "2. Khôi phục theo thứ tự: CSDL bệnh án → phân hệ khám bệnh → viện phí → báo cáo.\n"
        "3. Bản sao lưu ngoại tuyến hằng ngày, giữ 30 ngày; thử khôi phục mỗi quý."),
    "operations": "Trực 24/7 tại phòng CNTT; thông báo Sở Y tế và Đội ứng cứu tỉnh theo Điều 9 TT 20/2017.",
    "training": "Diễn tập khôi phục từ bản sao lưu mỗi quý; tập huấn nhận diện thư giả mạo cho nhân viên.",
    "readiness": "Máy chủ dự phòng, bản quyền phần mềm sao lưu, hợp đồng hỗ trợ kỹ thuật với nhà thầu.",
    "budget_organisation": "Kinh phí từ nguồn chi thường xuyên của bệnh viện; phòng CNTT chủ trì.",
}

SCENARIOS = [
    {"cause": "cyber_attack", "attack_type": "encryption", "title": "Mã độc tống tiền mã hóa dữ liệu HIS",
     "situation": "Tệp dữ liệu bị đổi đuôi, xuất hiện thông báo đòi tiền chuộc; HIS không truy cập được.",
     "identify_origin": "Xem nhật ký truy cập từ xa và thư điện tử trong 72 giờ trước; xác định máy bị nhiễm đầu tiên.",
     "isolate": "Ngắt kết nối mạng máy chủ và máy trạm bị nhiễm; khóa tài khoản quản trị bị lộ.",
     "handle": "Thu thập mẫu mã độc và nhật ký; gỡ bỏ mã độc; vá lỗ hổng bị khai thác. Không trả tiền chuộc.",
     "recover": "Khôi phục CSDL từ bản sao lưu ngoại tuyến gần nhất; kiểm tra toàn vẹn trước khi mở lại.",
     "resources": "Kỹ sư CNTT bệnh viện; thành viên Đội ứng cứu tỉnh; nhà thầu HIS.",
     "steps": [
         ("Cô lập máy chủ HIS và các máy trạm bị nhiễm khỏi mạng", Step.CONTAIN),
         ("Thu thập nhật ký, mẫu mã độc và ảnh chụp bộ nhớ làm chứng cứ", Step.CONTAIN),
         ("Gỡ bỏ mã độc, vá lỗ hổng, đổi toàn bộ mật khẩu quản trị", Step.ERADICATE),
         ("Khôi phục CSDL từ bản sao lưu ngoại tuyến và kiểm tra toàn vẹn", Step.RECOVER),
         ("Kiểm tra hoạt động của HIS sau khôi phục trước khi mở lại", Step.VERIFY_RECOVERY),
     ]},
    {"cause": "cyber_attack", "attack_type": "spoofing", "title": "Thư điện tử giả mạo đánh cắp tài khoản",
     "situation": "Nhân viên nhận thư giả mạo yêu cầu đăng nhập lại tài khoản HIS hoặc thư công vụ.",
     "identify_origin": "Phân tích tiêu đề thư, tên miền và địa chỉ IP gửi; tìm người đã nhấp vào đường dẫn.",
     "isolate": "Chặn tên miền và địa chỉ gửi; khóa tài khoản đã nhập mật khẩu.",
     "handle": "Đổi mật khẩu, bật xác thực hai lớp; xóa thư giả mạo khỏi các hộp thư.",
     "recover": "Mở lại tài khoản sau khi đổi mật khẩu; rà soát nhật ký đăng nhập bất thường.",
     "resources": "Quản trị thư điện tử; phòng CNTT bệnh viện.",
     "steps": [
         ("Chặn tên miền và địa chỉ gửi thư giả mạo", Step.CONTAIN),
         ("Khóa và đổi mật khẩu các tài khoản đã nhập thông tin", Step.ERADICATE),
         ("Rà soát nhật ký đăng nhập và cảnh báo toàn bệnh viện", Step.RECOVER),
     ]},
]

# (number, content, lead key, lead note, co-operating keys, co-operating note, period, quarters, status, evidence)
ANNUAL_TASKS = [
    (1, "Xây dựng phương án ứng cứu, khắc phục sự cố đối với các tình huống tấn công mạng.", "khcn",
     "Các đơn vị quản lý, vận hành hệ thống thông tin của tỉnh", ["pa05"],
     "đơn vị cung cấp dịch vụ (trường hợp thuê dịch vụ) và các đơn vị liên quan", "quarters", [1], TaskStatus.DONE,
     "Phương án ứng cứu của HIS và Cổng dịch vụ công đã được phê duyệt."),
    (2, "Tuyên truyền, phổ biến, nâng cao nhận thức về an toàn thông tin trong chuyển đổi số cho cán bộ, công "
        "chức, viên chức và người dân, doanh nghiệp trên địa bàn tỉnh", "khcn", "", [], "Các cơ quan, đơn vị liên quan",
     "regularly", [], TaskStatus.IN_PROGRESS, ""),
    (3, "Tập huấn, bồi dưỡng về an toàn thông tin.", "khcn", "", ["pa05"], "Các cơ quan, đơn vị liên quan",
     "quarters", [3, 4], TaskStatus.IN_PROGRESS, ""),
    (4, "Hội thảo, bồi dưỡng an toàn thông tin cho lãnh đạo các cơ quan, đơn vị.", "khcn", "", ["office"],
     "Các Sở, Ban ngành; UBND các xã, phường", "quarters", [4], TaskStatus.NOT_STARTED, ""),
    (6, "Đánh giá, kiểm tra an toàn thông tin các hệ thống thông tin đã được phê duyệt cấp độ theo quy định.",
     "khcn", "", ["pa05"], "Các cơ quan, đơn vị liên quan", "quarters", [3], TaskStatus.NOT_STARTED, ""),
    (7, "Thực hiện săn lùng mối nguy hại và rà quét lỗ hổng trên các hệ thống thông tin trong phạm vi quản lý tối "
        "thiểu 01 lần/6 tháng.", "health", "Các Sở, Ban ngành; UBND các xã, phường", ["khcn"],
     "các cơ quan, đơn vị liên quan", "quarters", [2, 4], TaskStatus.IN_PROGRESS, ""),
    (9, "Quản lý, triển khai hoạt động có hiệu quả hệ thống giám sát an toàn thông tin (SOC) tỉnh", "khcn", "",
     ["office"], "đơn vị cung cấp dịch vụ", "regularly", [], TaskStatus.IN_PROGRESS, ""),
    (10, "Tổ chức diễn tập thực chiến toàn tỉnh về bảo đảm an toàn thông tin", "pa05", "", ["khcn"],
     "Đội ứng cứu sự cố an toàn thông tin mạng của tỉnh", "quarters", [3], TaskStatus.DONE,
     "Diễn tập thực chiến tấn công mã độc tống tiền vào HIS, 24 đơn vị tham gia."),
]


def _org(key: str) -> Organisation | None:
    from ungcuu.demo import ORGANISATIONS

    name = next(row[1] for row in ORGANISATIONS if row[0] == key)
    return Organisation.objects.filter(name=name).first()


def _load_plan(users: dict) -> int:
    system = InformationSystem.objects.filter(name=HIS).first()
    if system is None or ResponsePlan.objects.filter(system=system).exists():
        return 0
    owner = users["chuquan"]
    plan = actions.create_plan(actor=owner, system=system, title=f"Kế hoạch ứng phó sự cố: {system.name}", **SECTIONS)
    for data in SCENARIOS:
        data = dict(data)
        steps = [{"title": title, "procedure_step": step} for title, step in data.pop("steps")]
        actions.add_scenario(actor=owner, plan=plan, steps=steps, **data)
    today = timezone.localdate()
    decided = min(datetime.date(today.year, 1, 15), today)
    actions.approve_plan(actor=owner, plan=plan, decision_number=f"15/QĐ-SYT-{decided.year}", decision_date=decided,
                         approver_name="Giám đốc Sở Y tế")
    return 1 + len(SCENARIOS)


def _load_annual(users: dict) -> int:
    officer = users["thuongtruc"]
    year = timezone.localdate().year
    created = 0
    plan = AnnualPlan.objects.filter(year=year).first()
    if plan is None:
        plan = actions.create_annual_plan(
            actor=officer, year=year, title=f"Kế hoạch ứng phó sự cố an toàn thông tin mạng năm {year} (dữ liệu mẫu)",
            reference=f"Phụ lục kèm theo Kế hoạch số 28/KH-UBND năm {year - 1}")
        created += 1
    for (number, content, lead, lead_note, co_keys, co_note, period, quarters, status,
         evidence) in ANNUAL_TASKS:
        if AnnualTask.objects.filter(plan=plan, number=number).exists():
            continue
        co_operating = [org for org in (_org(key) for key in co_keys) if org is not None]
        task = actions.add_annual_task(actor=officer, plan=plan, number=number, content=content, lead=_org(lead),
                                       lead_note=lead_note, co_operating=co_operating, co_operating_note=co_note,
                                       period=period, quarters=quarters)
        created += 1
        if status != TaskStatus.NOT_STARTED:
            actions.update_annual_task(actor=officer, task=task, status=status, evidence=evidence,
                                       note="Đang triển khai theo kế hoạch." if status != TaskStatus.DONE else "")
    return created


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    return _load_plan(users) + _load_annual(users)

