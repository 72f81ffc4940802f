"""Demo data of dossiers, made through its actions; called by ungcuu.demo.load()."""

from django.utils import timezone

from ungcuu.dossiers import actions
from ungcuu.dossiers.models import Dossier, FocalPointRole, NoticeMeans
from ungcuu.registry.models import Deployment, InformationSystem, Person


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    officer = users.get("thuongtruc")
    deployment = Deployment.current()
    if officer is None or deployment.province is None or Dossier.objects.filter(
            organisation=deployment.province).exists():
        return 0
    people = {p.full_name: p for p in Person.objects.filter(full_name__in=[
        "Nguyễn Văn An", "Lê Văn Cường", "Phạm Minh Đức"])}
    dossier = actions.create_dossier(
        actor=officer, organisation=deployment.province, member_code="(mẫu) QNI-01",
        name=deployment.team_name or deployment.province.name,
        parent_body="Ủy ban nhân dân tỉnh Quảng Ngãi", address=deployment.standing_office_address,
        phone=deployment.standing_office_phone, email=deployment.standing_office_email,
        website="https://quangngai.gov.vn", security_leader="Huỳnh Văn Oanh",
        security_leader_position="Phó Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo",
        reception_address=deployment.standing_office_address, reception_landline="0255 000 0000",
        reception_mobile="0905 000 004", reception_email=deployment.standing_office_email,
        capabilities="Tiếp nhận, phân loại và điều phối ứng cứu sự cố 24/7; phân tích mã độc; điều tra số, "
                     "thu thập chứng cứ; giám sát an toàn thông tin các hệ thống dùng chung của tỉnh.",
        staff_management=3, staff_defence=4, staff_protection=5, staff_assessment=2,
        systems=InformationSystem.objects.filter(level__gte=3).order_by("name"))
    actions.add_staff_entry(actor=officer, dossier=dossier, field="An toàn thông tin", level="Đại học",
                            certificate="CEH, Security+", count=4)
    actions.add_staff_entry(actor=officer, dossier=dossier, field="Công nghệ thông tin", level="Thạc sĩ",
                            certificate="CCNA", count=3)
    actions.add_expert(actor=officer, dossier=dossier, full_name="Lê Văn Cường", school="Học viện Kỹ thuật mật mã",
                       speciality="An toàn thông tin", degree="Kỹ sư; GCFA", graduated="06/2012")
    actions.add_expert(actor=officer, dossier=dossier, full_name="Phạm Minh Đức", school="Đại học Bách khoa Đà Nẵng",
                       speciality="Mạng máy tính", degree="Thạc sĩ; CISSP", graduated="07/2015")
    for role, name in ((FocalPointRole.MAIN, "Nguyễn Văn An"), (FocalPointRole.BACKUP, "Lê Văn Cường")):
        person = people.get(name)
        actions.change_focal_point(actor=officer, dossier=dossier, role=role, person=person, full_name=name,
                                   position=person.position if person else "", mobile=(person.phone if person
                                                                                        else "0905 000 000"),
                                   email=(person.email if person and person.email else "daumoi@demo.quangngai.gov.vn"),
                                   address=deployment.standing_office_address)
    actions.record_focal_point_notice(actor=officer, dossier=dossier, sent_at=timezone.now(),
                                      means=NoticeMeans.EMAIL, reference="[TBSC] Cập nhật đầu mối (dữ liệu mẫu)")
    actions.confirm_dossier(actor=officer, dossier=dossier)
    # A change still to notify within 24 hours, so the page shows the duty.
    person = people.get("Phạm Minh Đức")
    actions.change_focal_point(actor=officer, dossier=dossier, role=FocalPointRole.BACKUP, person=person,
                               full_name="Phạm Minh Đức", mobile=person.phone if person else "0905 000 004",
                               email=(person.email if person and person.email else "ducpm@demo.quangngai.gov.vn"),
                               address=deployment.standing_office_address)
    return 1
