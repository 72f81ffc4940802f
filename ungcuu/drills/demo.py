"""Demo data of drills, made through its actions; called by ungcuu.demo.load()."""

from datetime import timedelta

from django.utils import timezone

from ungcuu.drills import actions
from ungcuu.drills.models import Drill, DrillKind, MeetingKind, TeamMeeting
from ungcuu.registry.models import InformationSystem, Organisation, Person

DONE_TITLE = "Diễn tập thực chiến tấn công mã độc tống tiền vào Cổng thông tin điện tử tỉnh (dữ liệu mẫu)"
PLANNED_TITLE = "Diễn tập thực chiến toàn tỉnh: tấn công từ chối dịch vụ vào Cổng dịch vụ công (dữ liệu mẫu)"


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    officer = users.get("thuongtruc")
    if officer is None:
        return 0
    today = timezone.localdate()
    created = 0
    systems = {s.name: s for s in InformationSystem.objects.filter(level__gte=3)}
    team = list(Person.objects.on_team().order_by("pk")[:6])
    portal = systems.get("Cổng thông tin điện tử tỉnh Quảng Ngãi")
    dvc = systems.get("Hệ thống thông tin giải quyết thủ tục hành chính tỉnh")
    if portal is not None and not Drill.objects.filter(title=DONE_TITLE).exists():
        day = today - timedelta(days=120)
        drill = actions.plan_drill(
            actor=officer, kind=DrillKind.LIVE, title=DONE_TITLE, starts_on=day, ends_on=day + timedelta(days=1),
            scenario="Đội tấn công (thuê ngoài) khai thác lỗ hổng trình quản trị nội dung, cài mã độc mã hóa dữ "
                     "liệu; Đội ứng cứu phát hiện, cô lập máy chủ, khôi phục từ bản sao lưu.",
            location="Trung tâm dữ liệu tỉnh", organiser=portal.operator, systems=[portal],
            persons=team, organisations=[portal.owner])
        present = list(drill.participants.order_by("pk"))[:-1]
        actions.complete_drill(
            actor=officer, drill=drill, attended=present,
            results="Phát hiện sau 35 phút, cô lập trong 1 giờ 10 phút, khôi phục dịch vụ sau 5 giờ.",
            lessons="Bản sao lưu ngoại tuyến chưa được kiểm tra định kỳ; cần bổ sung quy trình cô lập nhanh.")
        created += 1
    if dvc is not None and not Drill.objects.filter(title=PLANNED_TITLE).exists():
        day = today + timedelta(days=45)
        actions.plan_drill(
            actor=officer, kind=DrillKind.LIVE, title=PLANNED_TITLE, starts_on=day, ends_on=day + timedelta(days=1),
            scenario="Tấn công DDoS lớp ứng dụng vào Cổng dịch vụ công trong giờ cao điểm; phối hợp doanh nghiệp "
                     "viễn thông lọc lưu lượng.",
            location="Sở Khoa học và Công nghệ", organiser=dvc.operator, systems=[dvc], persons=team,
            organisations=[o for o in (dvc.owner, Organisation.objects.filter(short_name="VNPT").first()) if o])
        created += 1
    if team and not TeamMeeting.objects.filter(kind=MeetingKind.REGULAR).exists():
        actions.record_meeting(
            actor=officer, kind=MeetingKind.REGULAR, held_on=today - timedelta(days=60), chair=team[0],
            location="Phòng họp Công an tỉnh", present=team[:-1], absent=team[-1:],
            agenda="1. Sơ kết công tác ứng cứu sự cố 6 tháng đầu năm.\n2. Kế hoạch diễn tập thực chiến Quý III.",
            minutes="Đội tiếp nhận 12 sự cố, xử lý xong 11; 01 sự cố mã độc tống tiền đang khắc phục.\n"
                    "Các thành viên thống nhất kịch bản diễn tập DDoS vào Cổng dịch vụ công.",
            decisions="Giao PA05 chủ trì xây dựng kịch bản diễn tập; các sở rà soát bản sao lưu trước 30/9.")
        created += 1
    actions.sync_deadlines(actor=officer)
    return created
