"""Demo data: the Quảng Ngãi response team, its agencies and communes, systems and one user per role.

Everything is made through the actions (so it is audited); running it again creates nothing new.
IP ranges are from the documentation blocks (RFC 5737), so they never point at a real network.
"""

from django.db import transaction

from ungcuu.accounts import actions as account_actions
from ungcuu.accounts.models import Role, User
from ungcuu.registry import actions
from ungcuu.registry.models import Deployment, InformationSystem, Organisation, Person

DEMO_PASSWORD = "ungcuu-demo-2026"


ORGANISATIONS = [
    # (key, name, short name, kind, parent key)
    ("a05", "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05) – Bộ Công an", "A05",
     "police", None),
    ("vncert", "Trung tâm Ứng cứu khẩn cấp không gian mạng Việt Nam (VNCERT/CC)", "VNCERT/CC",
     "national_coordinator", "a05"),
    ("province", "Ủy ban nhân dân tỉnh Quảng Ngãi", "UBND tỉnh", "province", None),
    ("steering", "Ban Chỉ đạo chuyển đổi số tỉnh Quảng Ngãi", "BCĐ", "steering_committee", "province"),
    ("police", "Công an tỉnh Quảng Ngãi", "CAT", "police", "province"),
    ("pa05", "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (PA05)", "PA05",
     "standing_office", "police"),
    ("office", "Văn phòng Ủy ban nhân dân tỉnh", "VP UBND", "provincial_agency", "province"),
    ("hcc", "Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC", "public_service_unit", "office"),
    ("khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN", "provincial_agency", "province"),
    ("finance", "Sở Tài chính", "Sở TC", "provincial_agency", "province"),
    ("health", "Sở Y tế", "Sở YT", "provincial_agency", "province"),
    ("hospital", "Bệnh viện Đa khoa tỉnh Quảng Ngãi", "BVĐK", "public_service_unit", "health"),
    ("education", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT", "provincial_agency", "province"),
    ("camthanh", "Ủy ban nhân dân phường Cẩm Thành", "UBND P. Cẩm Thành", "commune", "province"),
    ("binhson", "Ủy ban nhân dân xã Bình Sơn", "UBND X. Bình Sơn", "commune", "province"),
    ("tinhphong", "Ủy ban nhân dân xã Tịnh Phong", "UBND X. Tịnh Phong", "commune", "province"),
    ("olddistrict", "Ủy ban nhân dân huyện Bình Sơn (trước 01/7/2025)", "UBND H. Bình Sơn", "district",
     "province"),
    ("vnpt", "VNPT Quảng Ngãi", "VNPT", "enterprise", None),
    ("viettel", "Viettel Quảng Ngãi", "Viettel", "enterprise", None),
    ("provider", "Công ty TNHH Dịch vụ An toàn thông tin Miền Trung (dữ liệu mẫu)", "ATTT Miền Trung",
     "security_provider", None),
]

PEOPLE = [
    # (key, full name, position, organisation key, team position, skills, phone)
    ("lead", "Nguyễn Văn An", "Phó Giám đốc Công an tỉnh", "police", "lead", "Chỉ huy, điều phối", "0905000001"),
    ("deputy1", "Trần Thị Bình", "Phó Giám đốc Sở Khoa học và Công nghệ", "khcn", "deputy",
     "Quản lý hạ tầng số", "0905000002"),
    ("deputy2", "Lê Văn Cường", "Trưởng phòng PA05", "pa05", "deputy", "Điều tra số, pháp chứng", "0905000003"),
    ("officer", "Phạm Minh Đức", "Cán bộ PA05", "pa05", "standing_officer", "Tiếp nhận, phân loại sự cố",
     "0905000004"),
    ("member1", "Hoàng Thị Em", "Chuyên viên Sở Tài chính", "finance", "member", "Quản trị mạng, tường lửa",
     "0905000005"),
    ("member2", "Võ Văn Phúc", "Kỹ sư CNTT Bệnh viện Đa khoa tỉnh", "hospital", "member",
     "Quản trị hệ thống Windows, cơ sở dữ liệu", "0905000006"),
    ("member3", "Đặng Thị Giang", "Chuyên viên Sở Giáo dục và Đào tạo", "education", "member",
     "Phân tích mã độc", "0905000007"),
    ("member4", "Bùi Văn Hải", "Viên chức Trung tâm Phục vụ hành chính công", "hcc", "member",
     "Quản trị ứng dụng web", "0905000008"),
    ("member5", "Ngô Thị Lan", "Kỹ sư VNPT Quảng Ngãi", "vnpt", "member", "Mạng truyền dẫn, chống DDoS",
     "0905000009"),
    ("reporter", "Đỗ Văn Minh", "Chuyên viên CNTT Sở Y tế", "health", "", "", "0905000010"),
    ("owner", "Trịnh Thị Ngọc", "Chánh Văn phòng Sở Y tế", "health", "", "", "0905000011"),
    ("steering", "Huỳnh Văn Oanh", "Phó Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo", "steering", "", "",
     "0905000012"),
    ("auditor", "Lý Thị Phương", "Thanh tra viên", "khcn", "", "", "0905000013"),
]

USERS = [
    # (username, person key, organisation key, roles)
    ("admin", None, "khcn", [Role.ADMINISTRATOR]),
    ("doitruong", "lead", "police", [Role.TEAM_LEAD]),
    ("doipho", "deputy2", "pa05", [Role.DEPUTY_LEAD]),
    ("thuongtruc", "officer", "pa05", [Role.STANDING_OFFICER]),
    ("thanhvien", "member2", "hospital", [Role.TEAM_MEMBER]),
    ("baocao", "reporter", "health", [Role.REPORTER]),
    ("chuquan", "owner", "health", [Role.SYSTEM_OWNER, Role.REPORTER]),
    ("bandaochi", "steering", "steering", [Role.STEERING_MEMBER]),
    ("kiemtoan", "auditor", "khcn", [Role.AUDITOR]),
]

SYSTEMS = [
    # (name, owner, operator, level, approved, domains, ip ranges, services, measures, purpose)
    ("Cổng thông tin điện tử tỉnh Quảng Ngãi", "office", "khcn", 3, True, ["quangngai.gov.vn"],
     ["203.0.113.0/28"], ["web"], ["firewall", "ids", "antivirus"], "Thông tin chỉ đạo, điều hành của tỉnh"),
    ("Hệ thống thông tin giải quyết thủ tục hành chính tỉnh", "office", "hcc", 3, True,
     ["dichvucong.quangngai.gov.vn"], ["203.0.113.16/28"], ["web", "database"], ["firewall", "ids"],
     "Dịch vụ công trực tuyến toàn trình cho người dân, doanh nghiệp"),
    ("Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)", "province", "khcn", 4, True, ["lgsp.quangngai.gov.vn"],
     ["203.0.113.32/29"], ["web", "database"], ["firewall", "ids", "antivirus"],
     "Kết nối, chia sẻ dữ liệu giữa các hệ thống của tỉnh và quốc gia"),
    ("Hệ thống quản lý văn bản và điều hành", "office", "khcn", 2, True, ["qlvb.quangngai.gov.vn"],
     ["203.0.113.40/29"], ["web", "database"], ["firewall", "antivirus"], "Văn bản điện tử liên thông"),
    ("Hệ thống thư điện tử công vụ tỉnh", "khcn", "khcn", 2, True, ["mail.quangngai.gov.vn"],
     ["203.0.113.48/30"], ["mail"], ["firewall", "antivirus"], "Thư điện tử công vụ"),
    ("Hệ thống thông tin quản lý bệnh viện (HIS)", "health", "hospital", 3, False, ["his.bvquangngai.vn"],
     ["198.51.100.0/28"], ["web", "database"], ["firewall", "antivirus"],
     "Quản lý khám chữa bệnh, hồ sơ bệnh án của trên 10.000 người bệnh"),
    ("Trang thông tin điện tử Sở Y tế", "health", "health", 2, True, ["syt.quangngai.gov.vn"],
     ["198.51.100.16/30"], ["web"], ["antivirus"], "Thông tin công khai của ngành y tế"),
    ("Mạng nội bộ UBND xã Bình Sơn", "binhson", "binhson", 1, True, [], ["198.51.100.32/30"], ["other"],
     ["antivirus"], "Phục vụ hoạt động nội bộ, chỉ xử lý thông tin công cộng"),
]


INCIDENTS = [
    # (reporter username, system name or None, days ago, description, confidential, triage)
    # triage: None, or (verification method, cause, attack type, effects, owner can handle)
    ("baocao", "Hệ thống thông tin quản lý bệnh viện (HIS)", 2,
     "Máy chủ HIS bị mã độc tống tiền mã hóa dữ liệu, hiện thông báo đòi tiền chuộc.\n"
     "Một số máy trạm khoa Khám bệnh không truy cập được hồ sơ bệnh án.", True,
     ("phone_callback", "cyber_attack", "encryption", ["service_interruption"], True)),
    ("baocao", "Trang thông tin điện tử Sở Y tế", 5,
     "Trang chủ syt.quangngai.gov.vn bị thay đổi giao diện, hiển thị nội dung lạ.", False,
     ("authenticated_account", "cyber_attack", "defacement", ["service_interruption"], True)),
    ("chuquan", "Trang thông tin điện tử Sở Y tế", 5,
     "Trang thông tin Sở Y tế bị chèn nội dung lạ trên trang chủ (báo cáo trùng).", False, None),
    ("thuongtruc", "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh", 1,
     "Tấn công từ chối dịch vụ (DDoS) vào cổng dịch vụ công, lưu lượng tăng đột biến từ nhiều IP nước ngoài.",
     False, None),
    ("chuquan", None, 9, "Cán bộ nhận thư điện tử giả mạo Sở Y tế yêu cầu đăng nhập lại tài khoản thư công vụ "
     "qua đường dẫn lạ.", False, ("official_address", "cyber_attack", "spoofing", [], True)),
]


def _load_incidents(users: dict) -> int:
    from django.utils import timezone

    from ungcuu.incidents import actions as incident_actions
    from ungcuu.incidents.models import Channel, Incident

    created = 0
    officer = users["thuongtruc"]
    for username, system_name, days_ago, description, confidential, triage in INCIDENTS:
        if Incident.objects.filter(description=description).exists():
            continue
        reporter = users[username]
        system = InformationSystem.objects.filter(name=system_name).first() if system_name else None
        organisation = reporter.organisation
        detected = timezone.localtime() - timezone.timedelta(days=days_ago, hours=3)
        payload = {
            "reporter_name": organisation.name, "reporter_address": "(dữ liệu mẫu) Quảng Ngãi",
            "reporter_phone": "0255 000 0001", "reporter_email": reporter.email,
            "contact_name": reporter.get_full_name(), "contact_phone": "0905000010", "contact_email": reporter.email,
            "operator_name": system.operator.name if system else organisation.name,
            "owner_name": system.owner.name if system else "", "system_name": system.name if system else "",
            "system_level": system.level if system else None, "description": description,
            "detected_at": detected.strftime("%Y-%m-%dT%H:%M"), "handling_status": "not_handled",
            "detection_method": "log_review", "notified_parties": ["network_member"],
            "ip_addresses": [], "domains": [d.domain for d in system.domains.all()] if system else [],
            "confidential": "yes" if confidential else "no",
            "reported_at": (detected + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        }
        if system is not None and InformationSystem.objects.visible_to(reporter).filter(pk=system.pk).exists():
            payload["system"] = system.pk
        _submission, incident, errors = incident_actions.report_incident(
            channel=Channel.WEB_FORM, payload=payload, actor=reporter)
        if incident is None:
            raise ValueError(f"demo incident refused: {errors}")
        created += 1
        if triage:
            method, cause, attack_type, effects, can_handle = triage
            incident_actions.verify_sender(actor=officer, incident=incident, method=method)
            incident_actions.classify(actor=officer, incident=incident, cause=cause, attack_type=attack_type,
                                      effects=effects, owner_can_handle=can_handle, system=system)
    duplicate = Incident.objects.filter(description__startswith="Trang thông tin Sở Y tế bị chèn").first()
    original = Incident.objects.filter(description__startswith="Trang chủ syt.quangngai.gov.vn").first()
    if duplicate and original and duplicate.merged_into_id is None:
        incident_actions.merge_incident(actor=officer, duplicate=duplicate, into=original,
                                        reason="Cùng sự cố thay đổi giao diện")
    return created


def ensure_reference_data() -> None:
    """The deadline rules, the holiday calendar and the default checklists come with the migrations. A test
    database flush (after a browser test) empties them; put them back the way the migrations do."""
    import importlib

    from django.apps import apps

    from ungcuu.deadlines.models import RuleSet
    from ungcuu.investigation.models import ChecklistTemplate

    if not RuleSet.objects.exists():
        importlib.import_module("ungcuu.deadlines.migrations.0002_framework_2017_and_holidays").seed(apps, None)
        importlib.import_module("ungcuu.deadlines.migrations.0004_preparedness_rules").seed(apps, None)
    if not ChecklistTemplate.objects.exists():
        importlib.import_module("ungcuu.investigation.migrations.0002_default_checklists").create(apps, None)


@transaction.atomic
def load() -> int:
    """Create whatever of the demo data is missing; return how many records were created."""
    ensure_reference_data()
    created = 0
    orgs: dict[str, Organisation] = {}
    for key, name, short, kind, parent_key in ORGANISATIONS:
        parent = orgs.get(parent_key)
        existing = Organisation.objects.filter(name=name, parent=parent).first()
        if existing is None:
            existing = actions.create_organisation(actor=None, name=name, short_name=short, kind=kind,
                                                   parent=parent)
            created += 1
        orgs[key] = existing

    people: dict[str, Person] = {}
    for key, full_name, position, org_key, team_position, skills, phone in PEOPLE:
        existing = Person.objects.filter(full_name=full_name, organisation=orgs[org_key]).first()
        if existing is None:
            existing = actions.create_person(
                actor=None, full_name=full_name, position=position, organisation=orgs[org_key],
                team_position=team_position, skills=skills, phone=phone,
                email=f"{key}@demo.quangngai.gov.vn")
            created += 1
        people[key] = existing

    for username, person_key, org_key, roles in USERS:
        if User.objects.filter(username=username).exists():
            continue
        person = people.get(person_key)
        user = account_actions.create_user(
            actor=None, username=username, password=DEMO_PASSWORD,
            full_name=person.full_name if person else "Quản trị hệ thống",
            email=f"{username}@demo.quangngai.gov.vn", organisation=orgs[org_key], roles=roles)
        if person is not None:
            Person.objects.filter(pk=person.pk).update(user=user)
        created += 1

    for name, owner, operator, level, approved, domains, ranges, services, measures, purpose in SYSTEMS:
        if InformationSystem.objects.filter(name=name, owner=orgs[owner]).exists():
            continue
        actions.create_system(
            actor=None, name=name, owner=orgs[owner], operator=orgs[operator], level=level,
            level_status="approved" if approved else "proposed",
            level_approved_on="2024-06-19" if approved else None,
            level_decision="743/QĐ-UBND" if approved else "",
            domains=domains, ip_ranges=ranges, services=services, security_measures=measures,
            purpose=purpose, os_versions="Ubuntu Server 22.04 LTS; PostgreSQL 14",
            security_provider=orgs["provider"] if level >= 3 else None,
            connectivity_providers=[orgs["vnpt"]] if level >= 2 else [orgs["viettel"]])
        created += 1

    if not Deployment.objects.filter(pk=1).exists():
        actions.update_deployment(
            actor=None, province_name="Quảng Ngãi", province=orgs["province"],
            team_name="Đội ứng cứu sự cố an toàn thông tin mạng tỉnh Quảng Ngãi",
            standing_office=orgs["pa05"], standing_office_address="(dữ liệu mẫu) Công an tỉnh Quảng Ngãi",
            standing_office_phone="0255 000 0000", standing_office_email="ucsc@demo.quangngai.gov.vn",
            steering_committee=orgs["steering"], national_coordinator=orgs["vncert"])
        created += 1
    users = {u.username: u for u in User.objects.select_related("organisation")}
    created += _load_incidents(users)
    _advance_procedure(users)
    created += _load_preparedness_and_intake(users)
    return created


def _load_preparedness_and_intake(users: dict) -> int:
    """Each later app's own demo data (its demo.load), so every page has something to show."""
    import importlib

    created = 0
    for app in ("dossiers", "advisories", "inspections", "plans", "drills", "mailintake", "alerts"):
        created += importlib.import_module(f"ungcuu.{app}.demo").load(users)
    return created


def _advance_procedure(users: dict) -> None:
    """The ransomware incident in containment, the phishing one closed: each page has something to show."""
    from django.utils import timezone

    from ungcuu.incidents import actions as incident_actions
    from ungcuu.incidents.models import Incident
    from ungcuu.incidents.procedure import Step

    officer, lead = users["thuongtruc"], users["doitruong"]
    today = timezone.localdate()

    def walk(incident, steps):
        for step in steps:
            incident = incident_actions.move_step(actor=officer, incident=incident, to_step=step)
        return incident

    def opening(incident, option, approver, notice):
        incident = walk(incident, [Step.INITIAL_RESPONSE, Step.RESPONSE_OPTION])
        incident_actions.record_response_option(actor=officer, incident=incident, option=option,
                                                approved_by=approver)
        incident = walk(incident, [Step.REPORT])
        incident_actions.record_report(actor=officer, incident=incident, kind="notice", number=notice,
                                       issued_on=today, recipients="Sở Y tế; Đội ƯCSC tỉnh; VNCERT/CC")
        return walk(incident, [Step.COORDINATE, Step.CONTAIN])

    ransomware = Incident.objects.filter(description__startswith="Máy chủ HIS bị mã độc tống tiền",
                                         step=Step.RECEIVE_VERIFY).first()
    if ransomware is not None:
        from ungcuu.coordination.actions import dispatch_member

        dispatch_member(actor=lead, incident=ransomware, user=users["thanhvien"],
                        role="Phân tích mã độc, thu thập chứng cứ")
        opening(ransomware, "Cô lập máy chủ HIS, khôi phục từ bản sao lưu ngoại tuyến ngày hôm trước",
                "Giám đốc Bệnh viện Đa khoa tỉnh", "01/TB-BVĐK")
    phishing = Incident.objects.filter(description__startswith="Cán bộ nhận thư điện tử giả mạo",
                                       step=Step.RECEIVE_VERIFY).first()
    if phishing is not None:
        phishing = opening(phishing, "Khóa tài khoản bị lộ, đổi mật khẩu, chặn tên miền giả mạo",
                           "Đội trưởng Đội ƯCSC", "02/TB-SYT")
        phishing = walk(phishing, [Step.ERADICATE, Step.RECOVER, Step.VERIFY_RECOVERY, Step.CLOSE_OUT])
        incident_actions.record_close_out(
            actor=officer, incident=phishing, root_cause="Cán bộ nhập mật khẩu vào trang giả mạo",
            lasting_fix="Bật xác thực hai lớp cho thư công vụ", prevention_proposals="Tập huấn nhận diện thư giả mạo",
            lessons_learned="Cảnh báo sớm toàn tỉnh khi phát hiện tên miền giả mạo")
        incident_actions.record_report(actor=officer, incident=phishing, kind="final", number="05/BC-SYT",
                                       issued_on=today, recipients="Sở Y tế; VNCERT/CC")
        incident_actions.move_step(actor=lead, incident=phishing, to_step=Step.CLOSED)
