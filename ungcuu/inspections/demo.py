"""Demo data of inspections, made through its actions; called by ungcuu.demo.load().

The provincial portal (level 3) was last inspected 14 months ago, so its yearly inspection is overdue; the
hospital's HIS had a vulnerability scan 10 days ago with one finding fixed and one being fixed. Then every
system's duties are scheduled, so the due list has content.
"""

from datetime import timedelta

from django.utils import timezone

from ungcuu.deadlines.calendar import add_months
from ungcuu.inspections import actions
from ungcuu.inspections.models import Result
from ungcuu.registry.models import InformationSystem, Organisation

PORTAL = "Cổng thông tin điện tử tỉnh Quảng Ngãi"
HIS = "Hệ thống thông tin quản lý bệnh viện (HIS)"
PROVIDER = "Công ty TNHH Dịch vụ An toàn thông tin Miền Trung (dữ liệu mẫu)"


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    created = 0
    today = timezone.localdate()
    portal = InformationSystem.objects.select_related("owner", "operator").filter(name=PORTAL).first()
    his = InformationSystem.objects.select_related("owner", "operator").filter(name=HIS).first()
    provider = Organisation.objects.filter(name=PROVIDER).first()
    officer, owner = users.get("thuongtruc"), users.get("chuquan")
    if portal is not None and officer is not None and not Result.objects.filter(system=portal).exists():
        actions.record_result(
            actor=officer, kind="inspection", system=portal, performed_on=add_months(today, -14), body=provider,
            performer="Nhóm đánh giá ATTT (dữ liệu mẫu)", licensed=True,
            licence_reference="Giấy phép kinh doanh sản phẩm, dịch vụ ATTT mạng số 00/GP-BTTTT (dữ liệu mẫu)",
            body_name="" if provider else "Công ty ATTT được cấp phép (dữ liệu mẫu)",
            summary="Kiểm tra, đánh giá ATTT định kỳ hệ thống cấp độ 3: đáp ứng cơ bản yêu cầu theo TCVN 11930:2017; "
                    "còn 2 điểm yếu về cấu hình.",
            report_reference="Báo cáo số 15/BC-ATTTMT (dữ liệu mẫu)",
            findings=[
                {"title": "Chưa bật xác thực hai lớp cho tài khoản quản trị CMS", "severity": "high",
                 "remediation": "Bật xác thực hai lớp cho mọi tài khoản quản trị", "status": "fixed",
                 "status_on": add_months(today, -13)},
                {"title": "Nhật ký hệ thống chỉ lưu 30 ngày", "severity": "medium",
                 "remediation": "Lưu nhật ký tối thiểu 90 ngày, đẩy về SOC", "status": "accepted",
                 "status_on": add_months(today, -12)},
            ])
        created += 1
    if his is not None and owner is not None and not Result.objects.filter(
            system=his, kind="vulnerability_scan").exists():
        scanned = today - timedelta(days=10)
        actions.record_result(
            actor=owner, kind="vulnerability_scan", system=his, performed_on=scanned,
            performer="Tổ CNTT Bệnh viện Đa khoa tỉnh (dữ liệu mẫu)",
            summary="Rà quét lỗ hổng định kỳ theo Chỉ thị 18/CT-TTg: 2 lỗ hổng.",
            report_reference="Kết quả rà quét RQ-HIS (dữ liệu mẫu)",
            evidence="Báo cáo công cụ rà quét lưu tại phòng CNTT bệnh viện.",
            findings=[
                {"title": "Apache Tomcat phiên bản cũ (CVE-2024-50379)", "severity": "critical",
                 "remediation": "Nâng cấp Tomcat lên 9.0.98; đang thử nghiệm trên máy chủ dự phòng",
                 "status": "open"},
                {"title": "Cổng quản trị cơ sở dữ liệu mở ra Internet", "severity": "high",
                 "remediation": "Chặn cổng 5432 trên tường lửa biên", "status": "fixed",
                 "status_on": scanned + timedelta(days=2)},
            ])
        created += 1
    actions.schedule_duties()
    return created
